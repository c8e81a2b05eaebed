/**
 * The invoice as a PDF (pdf-lib): seller, customer, invoice number and status, period, issue and
 * due dates, numbered lines with quantities and, under each, its breakdown (band rows, packages,
 * transactions, adjustments), subtotal, each discount (coupons, volume), tax lines or the
 * exemption, total and payment terms. Long invoices continue on further pages. The document's dates come from the
 * invoice, not the wall clock, so the same invoice always renders to the same bytes.
 */
import { type Customer, Decimal, type Invoice, InvoiceText, Money } from "@securebase/core"
import { DateTime, Effect, Schema } from "effect"
import { PDFDocument, type PDFFont, type PDFPage, rgb, StandardFonts } from "pdf-lib"

/** Who issues the invoice. */
export interface Seller {
  readonly name: string
  readonly addressLines: ReadonlyArray<string>
  readonly email: string
  readonly taxId?: string
}

/** The seller printed when none is configured. */
export const defaultSeller: Seller = {
  name: "SecureBase, Inc.",
  addressLines: ["100 Compliance Way", "Arlington, VA 22201", "United States"],
  email: "billing@securebase.example",
  taxId: "EIN 00-0000000"
}

/** pdf-lib failed to produce the document. */
export class InvoicePdfError extends Schema.TaggedError<InvoicePdfError>()("InvoicePdfError", {
  invoiceId: Schema.String,
  cause: Schema.Defect()
}) {}

const pageSize: [number, number] = [612, 792] // US Letter, points
const margin = 54
const ink = rgb(0.1, 0.12, 0.16)
const muted = rgb(0.42, 0.45, 0.5)

// Helvetica (WinAnsi) cannot encode every character a customer name may hold; replace the rest
// rather than fail the download.
const printable = (s: string): string => s.replace(/[^\x20-\x7E\u00A0-\u00FF€]/g, "?")

const money = (invoice: Invoice.Invoice, minor: bigint) => Money.format(Money.make(invoice.currency, minor))
const day = (d: DateTime.Utc | null) => (d === null ? "-" : DateTime.formatIsoDate(d))

/** Renders an invoice to PDF bytes. */
export const render = (
  invoice: Invoice.Invoice,
  customer: Pick<Customer.Customer, "name" | "email">,
  seller: Seller = defaultSeller
): Effect.Effect<Uint8Array, InvoicePdfError> =>
  Effect.tryPromise({
    try: async () => {
      const doc = await PDFDocument.create()
      const at = DateTime.toDateUtc(invoice.issuedAt ?? invoice.createdAt)
      doc.setTitle(`Invoice ${invoice.number ?? "(draft)"}`)
      doc.setAuthor(seller.name)
      doc.setSubject(`${customer.name}, ${invoice.period}`)
      doc.setProducer("SecureBase")
      doc.setCreator("SecureBase")
      doc.setCreationDate(at)
      doc.setModificationDate(at)
      const regular = await doc.embedFont(StandardFonts.Helvetica)
      const bold = await doc.embedFont(StandardFonts.HelveticaBold)
      const writer = new Writer(doc, regular, bold)

      writer.text(seller.name, { font: bold, size: 16 })
      for (const line of seller.addressLines) writer.text(line, { color: muted })
      writer.text(seller.email, { color: muted })
      if (seller.taxId !== undefined) writer.text(seller.taxId, { color: muted })
      writer.gap(18)
      writer.text(`INVOICE ${invoice.number ?? "(draft)"}`, { font: bold, size: 20 })
      writer.text(`Status: ${invoice.status}`, { color: muted })
      writer.gap(10)
      writer.pair("Bill to", printable(customer.name))
      writer.pair("", customer.email)
      writer.pair("Billing period", `${invoice.period} (UTC calendar month)`)
      writer.pair("Issued", day(invoice.issuedAt))
      writer.pair("Due", day(invoice.dueAt))
      writer.pair("Terms", `Net ${invoice.netDays}`)
      writer.pair("Plan", invoice.plan)
      writer.gap(16)

      writer.columns(["#", "Description", "Quantity", "Included", "Amount"], bold)
      writer.rule()
      for (const line of invoice.lines) {
        writer.columns([
          String(line.position),
          printable(line.description),
          line.kind !== "usage" ? "1" : Decimal.formatGrouped(line.quantity),
          line.kind !== "usage" ? "" : Decimal.formatGrouped(line.included),
          money(invoice, line.amount)
        ])
        if (line.kind === "usage")
          writer.text(`    ${printable(line.pricing)}`, { size: 8, color: muted, indent: 18 })
        for (const r of InvoiceText.breakdownRows(line))
          writer.text(`      ${printable(InvoiceText.formatRow(r))}`, { size: 8, color: muted, indent: 18 })
      }
      writer.rule()
      writer.total("Subtotal", money(invoice, invoice.subtotal))
      if (invoice.discounts.length > 0) {
        for (const d of invoice.discounts)
          writer.total(printable(d.description), `-${money(invoice, d.amount)}`)
      } else if (invoice.discount > 0n) {
        writer.total(invoice.discountDescription ?? "Discount", `-${money(invoice, invoice.discount)}`)
      }
      for (const t of invoice.taxLines) {
        writer.total(
          `${t.name} ${Decimal.formatPercent(t.rate)} on ${money(invoice, t.taxable)}`,
          money(invoice, t.amount)
        )
      }
      if (invoice.taxExemption !== null)
        writer.total(`Tax exempt: ${printable(invoice.taxExemption)}`, money(invoice, 0n))
      writer.gap(4)
      writer.total(`Total due (${invoice.currency})`, money(invoice, invoice.total), bold, 13)
      writer.gap(24)
      writer.text(`Please pay by ${day(invoice.dueAt)}, quoting ${invoice.number ?? "the invoice number"}.`, {
        color: muted
      })
      writer.text(`Invoice id ${invoice.id} - price book ${invoice.priceBookId}.`, { color: muted, size: 8 })
      writer.footers()
      return doc.save({ useObjectStreams: false })
    },
    catch: (cause) => new InvoicePdfError({ invoiceId: invoice.id, cause })
  })

/** Lays text out top to bottom, starting a new page when the current one is full. */
class Writer {
  private page: PDFPage
  private y: number
  private readonly pages: Array<PDFPage> = []
  private readonly doc: PDFDocument
  private readonly font: PDFFont
  private readonly bold: PDFFont

  constructor(doc: PDFDocument, font: PDFFont, bold: PDFFont) {
    this.doc = doc
    this.font = font
    this.bold = bold
    this.page = this.newPage()
    this.y = pageSize[1] - margin
  }

  private newPage(): PDFPage {
    const page = this.doc.addPage(pageSize)
    this.pages.push(page)
    this.y = pageSize[1] - margin
    return page
  }

  private room(height: number): void {
    if (this.y - height < margin + 24) this.page = this.newPage()
  }

  gap(height: number): void {
    this.y -= height
  }

  text(
    s: string,
    options: { font?: PDFFont; size?: number; color?: ReturnType<typeof rgb>; indent?: number } = {}
  ): void {
    const size = options.size ?? 10
    this.room(size + 4)
    this.y -= size + 4
    this.page.drawText(s, {
      x: margin + (options.indent ?? 0),
      y: this.y,
      size,
      font: options.font ?? this.font,
      color: options.color ?? ink
    })
  }

  pair(label: string, value: string): void {
    this.room(14)
    this.y -= 14
    this.page.drawText(label, { x: margin, y: this.y, size: 10, font: this.bold, color: ink })
    this.page.drawText(value, { x: margin + 110, y: this.y, size: 10, font: this.font, color: ink })
  }

  columns(cells: ReadonlyArray<string>, font: PDFFont = this.font): void {
    const xs = [margin, margin + 18, 330, 410, 0]
    this.room(14)
    this.y -= 14
    cells.forEach((cell, i) => {
      const size = 9.5
      if (i === cells.length - 1) {
        const width = font.widthOfTextAtSize(cell, size)
        this.page.drawText(cell, { x: pageSize[0] - margin - width, y: this.y, size, font, color: ink })
      } else {
        this.page.drawText(cell, { x: xs[i]!, y: this.y, size, font, color: ink })
      }
    })
  }

  rule(): void {
    this.room(8)
    this.y -= 5
    this.page.drawLine({
      start: { x: margin, y: this.y },
      end: { x: pageSize[0] - margin, y: this.y },
      thickness: 0.6,
      color: muted
    })
    this.y -= 3
  }

  total(label: string, amount: string, font: PDFFont = this.font, size = 10): void {
    this.room(size + 6)
    this.y -= size + 6
    const width = font.widthOfTextAtSize(amount, size)
    // Labels never wrap (a wrapped label would run into the next total): shrink one to fit.
    const labelX = 230
    const room = pageSize[0] - margin - 90 - labelX
    let labelSize = size - 1
    while (labelSize > 6 && font.widthOfTextAtSize(label, labelSize) > room) labelSize -= 0.5
    this.page.drawText(label, { x: labelX, y: this.y, size: labelSize, font, color: ink })
    this.page.drawText(amount, { x: pageSize[0] - margin - width, y: this.y, size, font, color: ink })
  }

  footers(): void {
    this.pages.forEach((page, i) => {
      page.drawText(`Page ${i + 1} of ${this.pages.length}`, {
        x: margin,
        y: margin - 20,
        size: 8,
        font: this.font,
        color: muted
      })
    })
  }
}
