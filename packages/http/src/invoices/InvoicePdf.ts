/**
 * The invoice as a PDF (pdf-lib), drawn from {@link InvoiceView}: the seller block from
 * configuration (logo, name, address, tax id, support contact), the invoice number and its state
 * (DUE, OVERDUE, PAID with the date and method, VOID), the buyer block (name, billing e-mail,
 * address, tax id), period and dates, numbered lines with the breakdown under each (bands with
 * quantity, unit price and amount), the unused metrics folded into one line, subtotal, discounts,
 * tax, total, payments and credit notes, the amount due, and while something is due the hosted
 * payment link ("Pay online: <url>", online collection) and the payment instructions. Long invoices continue on further pages.
 *
 * Text is set in DejaVu Sans (shipped in `assets/fonts`, Bitstream Vera licence), embedded as a
 * subset through fontkit, so Latin, Greek and Cyrillic names print as written; a character the
 * font lacks prints as "?". Descriptions wrap within their column, measured with the font. The
 * document's dates come from the invoice, not the wall clock, so the same invoice always renders
 * to the same bytes.
 */
import { existsSync } from "node:fs"
import { readFile } from "node:fs/promises"
import { join } from "node:path"
import fontkit from "@pdf-lib/fontkit"
import { type Invoice, InvoiceView, Seller as SellerModule } from "@securebase/core"
import { DateTime, Effect, Schema } from "effect"
import { degrees, PDFDocument, type PDFFont, type PDFPage, type RGB, rgb } from "pdf-lib"

/** Who issues the invoice (the core's seller: name, address, tax id, support e-mail, logo, instructions). */
export type Seller = SellerModule.Seller

/** The seller printed when none is configured: the core's demo seller. */
export const defaultSeller: Seller = SellerModule.demo

/** pdf-lib failed to produce the document. */
export class InvoicePdfError extends Schema.TaggedError<InvoicePdfError>()("InvoicePdfError", {
  invoiceId: Schema.String,
  cause: Schema.Defect()
}) {}

const pageSize: [number, number] = [612, 792] // US Letter, points
const margin = 54
const right = pageSize[0] - margin
const ink = rgb(0.1, 0.12, 0.16)
const muted = rgb(0.42, 0.45, 0.5)
const stateColours: Record<InvoiceView.State["_tag"], RGB> = {
  Draft: muted,
  Open: ink,
  Overdue: rgb(0.72, 0.11, 0.11),
  Paid: rgb(0.08, 0.5, 0.25),
  Void: rgb(0.72, 0.11, 0.11)
}

/** The font files the PDF embeds (in `packages/http/assets/fonts`, and beside a Lambda bundle). */
export const fontFiles = { regular: "DejaVuSans.ttf", bold: "DejaVuSans-Bold.ttf" } as const

/**
 * Where the fonts are: `fonts/` beside a Lambda bundle (build-lambda copies them there), else the
 * workspace's `packages/http/assets/fonts`.
 */
export const fontDirectory = (): string => {
  const candidates = [join(import.meta.dirname, "fonts"), join(import.meta.dirname, "../../assets/fonts")]
  return candidates.find((dir) => existsSync(join(dir, fontFiles.regular))) ?? candidates[1]!
}

// Read once per process; the subset embedded in each document keeps only the glyphs it uses.
let fonts: Promise<{ readonly regular: Uint8Array; readonly bold: Uint8Array }> | undefined
const loadFonts = () => {
  if (fonts === undefined) {
    const dir = fontDirectory()
    fonts = Promise.all([readFile(join(dir, fontFiles.regular)), readFile(join(dir, fontFiles.bold))]).then(
      ([regular, bold]) => ({ regular, bold }),
      (error) => {
        // Not cached: a later render tries again (the render fails with InvoicePdfError meanwhile).
        fonts = undefined
        throw error
      }
    )
  }
  return fonts
}

/** What the document shows besides the invoice: the buyer, and optionally payments, credit notes, a void. */
export interface RenderOptions {
  readonly seller?: Seller | undefined
  readonly payments?: ReadonlyArray<InvoiceView.Payment> | undefined
  readonly creditNotes?: ReadonlyArray<InvoiceView.CreditNote> | undefined
  readonly voided?: InvoiceView.Void | undefined
  /** The provider's hosted payment page, printed as "Pay online: <url>" while something is due. */
  readonly payUrl?: string | null | undefined
}

/** The PDF's file name, as the download and the e-mail attachment give it: `INV-2026-000042.pdf`. */
export const fileName = (invoice: Invoice.Invoice): string => `${invoice.number ?? `draft-${invoice.id}`}.pdf`

/** Renders an invoice to PDF bytes. */
export const render = (
  invoice: Invoice.Invoice,
  buyer: InvoiceView.Buyer,
  options: RenderOptions | Seller = {}
): Effect.Effect<Uint8Array, InvoicePdfError> => {
  const o: RenderOptions = "supportEmail" in options ? { seller: options } : options
  return renderView(
    InvoiceView.make({
      invoice,
      buyer,
      seller: o.seller ?? defaultSeller,
      payments: o.payments,
      creditNotes: o.creditNotes,
      voided: o.voided,
      payUrl: o.payUrl
    }),
    invoice
  )
}

/** Renders a view (the one the e-mails render too) to PDF bytes. */
export const renderView = (
  view: InvoiceView.View,
  invoice: Invoice.Invoice
): Effect.Effect<Uint8Array, InvoicePdfError> =>
  Effect.tryPromise({
    try: async () => {
      const doc = await PDFDocument.create()
      doc.registerFontkit(fontkit)
      const at = DateTime.toDateUtc(invoice.issuedAt ?? invoice.createdAt)
      doc.setTitle(view.title)
      doc.setAuthor(view.seller.name)
      doc.setSubject(`${view.buyer.name}, ${invoice.period}`)
      doc.setProducer("SecureBase")
      doc.setCreator("SecureBase")
      doc.setCreationDate(at)
      doc.setModificationDate(at)
      const data = await loadFonts()
      // A fixed name, not pdf-lib's random suffix, so the bytes are reproducible.
      const regular = await doc.embedFont(data.regular, { subset: true, customName: "SecureBaseSans" })
      const bold = await doc.embedFont(data.bold, { subset: true, customName: "SecureBaseSansBold" })
      const w = new Writer(doc, regular, bold)

      const logo = view.seller.logo
      if (logo !== undefined) {
        const image = logo.format === "png" ? await doc.embedPng(logo.bytes) : await doc.embedJpg(logo.bytes)
        const scaled = image.scaleToFit(160, 56)
        w.image(image, scaled.width, scaled.height)
      }
      w.text(view.seller.name, { font: bold, size: 16 })
      for (const line of view.seller.addressLines) w.text(line, { color: muted })
      if (view.seller.taxId !== undefined) w.text(`Tax id: ${view.seller.taxId}`, { color: muted })
      w.text(view.seller.supportEmail, { color: muted })
      w.gap(18)
      w.heading(`INVOICE ${view.number}`, view.stateLabel, stateColours[view.state._tag])
      w.paragraph(view.notice, { font: bold, color: stateColours[view.state._tag] })
      w.gap(10)
      w.pair("Bill to", view.buyer.name)
      w.pair("", view.buyer.email)
      for (const line of view.buyer.addressLines ?? []) w.pair("", line)
      if (view.buyer.taxId) w.pair("Tax id", view.buyer.taxId)
      w.gap(6)
      w.pair("Billing period", view.period)
      w.pair("Issued", view.issued)
      w.pair("Due", view.due)
      w.pair("Terms", view.terms)
      w.pair("Plan", view.plan)
      w.gap(16)

      w.row(["#", "Description", "Quantity", "Included", "Amount"], bold)
      w.rule()
      for (const line of view.lines) {
        w.row([String(line.position), line.description, line.quantity, line.included, line.amount])
        if (line.pricing !== null) w.paragraph(line.pricing, { size: 8, color: muted, indent: 24 })
        for (const d of line.details) w.paragraph(d, { size: 8, color: muted, indent: 32 })
      }
      if (view.unused !== null) w.paragraph(view.unused, { size: 8.5, color: muted, indent: 18 })
      w.rule()
      for (const t of view.totals) w.total(t.label, t.amount, t.strong ? bold : regular)
      for (const s of view.settlements) w.total(s.label, s.amount)
      w.gap(4)
      w.total(view.amountDue.label, view.amountDue.amount, bold, 13)
      w.gap(20)
      if (view.payOnline !== null) {
        w.paragraph(`Pay online: ${view.payOnline}`, { font: bold })
        w.gap(8)
      }
      if (view.paymentInstructions !== null) {
        w.text("How to pay", { font: bold })
        w.paragraph(view.paymentInstructions, { color: muted })
        w.gap(8)
      }
      w.paragraph(view.footer, { color: muted, size: 8 })
      w.finish(view.state._tag === "Void")
      return doc.save({ useObjectStreams: false })
    },
    catch: (cause) => new InvoicePdfError({ invoiceId: invoice.id, cause })
  })

/** Splits `s` into lines no wider than `width` at `size`, breaking at spaces (or inside a word too long for a line). */
export const wrap = (s: string, font: PDFFont, size: number, width: number): ReadonlyArray<string> => {
  const fits = (t: string) => font.widthOfTextAtSize(t, size) <= width
  const lines: Array<string> = []
  let current = ""
  for (const word of s.split(/\s+/).filter((x) => x.length > 0)) {
    const candidate = current === "" ? word : `${current} ${word}`
    if (fits(candidate)) {
      current = candidate
      continue
    }
    if (current !== "") lines.push(current)
    current = ""
    let rest = word
    while (!fits(rest)) {
      let n = rest.length - 1
      while (n > 1 && !fits(rest.slice(0, n))) n--
      lines.push(rest.slice(0, n))
      rest = rest.slice(n)
    }
    current = rest
  }
  if (current !== "" || lines.length === 0) lines.push(current)
  return lines
}

/** Lays text out top to bottom, starting a new page when the current one is full. */
class Writer {
  private page: PDFPage
  private y: number
  private readonly pages: Array<PDFPage> = []
  private readonly doc: PDFDocument
  private readonly font: PDFFont
  private readonly bold: PDFFont
  private readonly glyphs: Set<number>

  constructor(doc: PDFDocument, font: PDFFont, bold: PDFFont) {
    this.doc = doc
    this.font = font
    this.bold = bold
    this.glyphs = new Set(font.getCharacterSet())
    this.page = this.newPage()
    this.y = pageSize[1] - margin
  }

  // A character the font has no glyph for would print as an empty box: print "?" instead.
  private printable(s: string): string {
    let out = ""
    for (const ch of s) out += this.glyphs.has(ch.codePointAt(0)!) ? ch : "?"
    return out
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

  image(image: Awaited<ReturnType<PDFDocument["embedPng"]>>, width: number, height: number): void {
    this.page.drawImage(image, { x: right - width, y: this.y - height, width, height })
  }

  text(s: string, options: { font?: PDFFont; size?: number; color?: RGB; indent?: number } = {}): void {
    const size = options.size ?? 10
    this.room(size + 4)
    this.y -= size + 4
    this.page.drawText(this.printable(s), {
      x: margin + (options.indent ?? 0),
      y: this.y,
      size,
      font: options.font ?? this.font,
      color: options.color ?? ink
    })
  }

  /** Text wrapped to the page width (less the indent). */
  paragraph(s: string, options: { font?: PDFFont; size?: number; color?: RGB; indent?: number } = {}): void {
    const size = options.size ?? 10
    const indent = options.indent ?? 0
    for (const line of wrap(this.printable(s), options.font ?? this.font, size, right - margin - indent))
      this.text(line, options)
  }

  heading(title: string, label: string, colour: RGB): void {
    this.room(26)
    this.y -= 24
    this.page.drawText(this.printable(title), { x: margin, y: this.y, size: 20, font: this.bold, color: ink })
    const width = this.bold.widthOfTextAtSize(label, 18)
    this.page.drawText(label, { x: right - width, y: this.y, size: 18, font: this.bold, color: colour })
  }

  pair(label: string, value: string): void {
    const lines = wrap(this.printable(value), this.font, 10, right - margin - 110)
    lines.forEach((line, i) => {
      this.room(14)
      this.y -= 14
      if (i === 0) this.page.drawText(label, { x: margin, y: this.y, size: 10, font: this.bold, color: ink })
      this.page.drawText(line, { x: margin + 110, y: this.y, size: 10, font: this.font, color: ink })
    })
  }

  /** A table row: position, description (wrapped in its column), quantity, included, amount (right-aligned). */
  row(cells: readonly [string, string, string, string, string], font: PDFFont = this.font): void {
    const size = 9
    const xs = [margin, margin + 18, 356, 436] as const
    const description = wrap(this.printable(cells[1]), font, size, xs[2] - xs[1] - 8)
    description.forEach((line, i) => {
      this.room(13)
      this.y -= 13
      const draw = (s: string, x: number) => this.page.drawText(s, { x, y: this.y, size, font, color: ink })
      if (i === 0) draw(cells[0], xs[0])
      draw(line, xs[1])
      if (i > 0) return
      draw(cells[2], xs[2])
      draw(cells[3], xs[3])
      draw(cells[4], right - font.widthOfTextAtSize(cells[4], size))
    })
  }

  rule(): void {
    this.room(8)
    this.y -= 5
    this.page.drawLine({
      start: { x: margin, y: this.y },
      end: { x: right, y: this.y },
      thickness: 0.6,
      color: muted
    })
    this.y -= 3
  }

  /** A totals row: the label wraps in its column, the amount is right-aligned on its last line. */
  total(label: string, amount: string, font: PDFFont = this.font, size = 10): void {
    const labelX = 230
    const lines = wrap(this.printable(label), font, size - 1, right - 90 - labelX)
    lines.forEach((line, i) => {
      this.room(size + 6)
      this.y -= i === 0 ? size + 6 : size + 2
      this.page.drawText(line, { x: labelX, y: this.y, size: size - 1, font, color: ink })
      if (i === lines.length - 1) {
        const width = font.widthOfTextAtSize(amount, size)
        this.page.drawText(amount, { x: right - width, y: this.y, size, font, color: ink })
      }
    })
  }

  /** Page numbers on every page, and a VOID stamp across each page of a void invoice. */
  finish(voided: boolean): void {
    this.pages.forEach((page, i) => {
      page.drawText(`Page ${i + 1} of ${this.pages.length}`, {
        x: margin,
        y: margin - 20,
        size: 8,
        font: this.font,
        color: muted
      })
      if (voided)
        page.drawText("VOID", {
          x: 170,
          y: 250,
          size: 140,
          font: this.bold,
          color: stateColours.Void,
          opacity: 0.18,
          rotate: degrees(35)
        })
    })
  }
}
