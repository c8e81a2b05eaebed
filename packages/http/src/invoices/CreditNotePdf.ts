/**
 * A credit note as a PDF (pdf-lib), beside the invoice's (`InvoicePdf`, whose seller it prints):
 * the seller, "CREDIT NOTE CN-…", the invoice it credits, the customer, the date and reason, the
 * numbered lines (with the invoice line each credits), the total, the tax it reverses ("of which
 * Sales tax (8%)" per tax line) and the net, and how it was applied (credited
 * against the amount due, refunded). Dates come from the note, so the same note always renders to
 * the same bytes. Kept small on purpose: one page of up to 100 lines continues on further pages.
 */
import { type CreditNote, CreditNoteTax, type Customer, type Invoice, Money } from "@securebase/core"
import { DateTime, Effect, Schema } from "effect"
import { HttpApiSchema } from "effect/http-api"
import { PDFDocument, type PDFFont, type PDFPage, rgb, StandardFonts } from "pdf-lib"
import { notFound } from "../api/ErrorMapping.ts"
import { defaultSeller, type Seller } from "./InvoicePdf.ts"

/** pdf-lib failed to produce the document. */
export class CreditNotePdfError extends Schema.TaggedError<CreditNotePdfError>()("CreditNotePdfError", {
  creditNoteId: Schema.String,
  cause: Schema.Defect()
}) {}

const size: [number, number] = [612, 792]
const margin = 54
const ink = rgb(0.1, 0.12, 0.16)
const muted = rgb(0.42, 0.45, 0.5)
// Helvetica (WinAnsi) cannot encode every character; replace the rest rather than fail.
const printable = (s: string): string => s.replace(/[^\x20-\x7E\u00A0-\u00FF€]/g, "?")

/** Renders a credit note of `invoice` to PDF bytes. */
export const render = (
  note: CreditNote.CreditNote,
  invoice: Pick<Invoice.Invoice, "number" | "period">,
  customer: Pick<Customer.Customer, "name" | "email">,
  seller: Seller = defaultSeller
): Effect.Effect<Uint8Array, CreditNotePdfError> =>
  Effect.tryPromise({
    try: async () => {
      const doc = await PDFDocument.create()
      const at = DateTime.toDateUtc(note.issuedAt)
      doc.setTitle(`Credit note ${note.number}`)
      doc.setAuthor(seller.name)
      doc.setProducer("SecureBase")
      doc.setCreator("SecureBase")
      doc.setCreationDate(at)
      doc.setModificationDate(at)
      const regular = await doc.embedFont(StandardFonts.Helvetica)
      const bold = await doc.embedFont(StandardFonts.HelveticaBold)
      let page: PDFPage = doc.addPage(size)
      let y = size[1] - margin
      const money = (minor: bigint) => Money.format(Money.make(note.currency, minor))
      const line = (
        s: string,
        options: { font?: PDFFont; size?: number; x?: number; right?: string } = {}
      ) => {
        const fontSize = options.size ?? 10
        if (y - fontSize - 4 < margin) {
          page = doc.addPage(size)
          y = size[1] - margin
        }
        y -= fontSize + 4
        page.drawText(printable(s), {
          x: options.x ?? margin,
          y,
          size: fontSize,
          font: options.font ?? regular,
          color: ink
        })
        if (options.right !== undefined) {
          const width = regular.widthOfTextAtSize(options.right, fontSize)
          page.drawText(options.right, {
            x: size[0] - margin - width,
            y,
            size: fontSize,
            font: regular,
            color: ink
          })
        }
      }
      line(seller.name, { font: bold, size: 16 })
      for (const l of seller.addressLines) line(l)
      line(seller.supportEmail)
      y -= 14
      line(`CREDIT NOTE ${note.number}`, { font: bold, size: 20 })
      line(`Credits invoice ${invoice.number ?? "(draft)"} for ${invoice.period}`)
      line(`Issued ${DateTime.formatIsoDate(note.issuedAt)}`)
      line(`Customer: ${customer.name} <${customer.email}>`)
      line(`Reason: ${note.reason}`)
      y -= 10
      line("#   Description", { font: bold, right: "Amount" })
      page.drawLine({
        start: { x: margin, y: y - 4 },
        end: { x: size[0] - margin, y: y - 4 },
        thickness: 0.6,
        color: muted
      })
      y -= 6
      for (const l of note.lines)
        line(
          `${l.position}   ${l.description}${l.invoiceLine === null ? "" : ` (invoice line ${l.invoiceLine})`}`,
          { right: money(l.amount) }
        )
      y -= 8
      line("Total credited", { font: bold, right: money(note.amount) })
      for (const [label, minor] of CreditNoteTax.summary(note))
        line(label, { x: margin + 12, right: money(minor) })
      line("Applied to the amount due", { right: money(note.credited) })
      line("Refunded to the customer", { right: money(note.refunded) })
      return doc.save()
    },
    catch: (cause) => new CreditNotePdfError({ creditNoteId: note.id, cause })
  })

/**
 * The download of `note` as a credit note of `invoice`: the PDF as an attachment named after the
 * note's number. A note of another invoice (of the same customer) is not this invoice's: 404
 * `CREDIT_NOTE.NOT_FOUND`, as for an unknown one. The tenant's and the operator's downloads both
 * answer through this, with the configured seller, so the copies agree.
 */
export const download = (
  note: CreditNote.CreditNote,
  invoice: Pick<Invoice.Invoice, "id" | "number" | "period">,
  customer: Pick<Customer.Customer, "name" | "email">,
  seller: Seller
) =>
  note.invoiceId !== invoice.id
    ? Effect.fail(notFound("credit note"))
    : Effect.map(Effect.orDie(render(note, invoice, customer, seller)), (pdf) =>
        HttpApiSchema.withHeaders({
          body: pdf,
          headers: { "content-disposition": `attachment; filename="${note.number}.pdf"` }
        })
      )
