/**
 * The invoice e-mails' attachment: the invoice PDF, drawn when the e-mail is delivered (inside the
 * outbox sender's worker transaction, which may read every customer's invoices) with the configured
 * seller, by the same renderer and from the same rows as `GET /invoices/{id}/download` (the hosted
 * payment link included, read when the PDF is drawn), so the attached file and the downloaded one
 * are the same bytes. A credit note's e-mail carries the credit note's PDF the same way, equal to
 * `GET /invoices/{id}/credit-notes/{creditNoteId}/download`.
 */
import {
  type CreditNote,
  CustomerRepo,
  type Ids,
  InvoiceRepo,
  InvoiceView,
  MailAttachments,
  Mailer,
  PaymentCollection,
  ReceivablesRepo,
  Seller
} from "@securebase/core"
import { CreditNotePdf, InvoicePdf } from "@securebase/http"
import { Effect, Layer } from "effect"

/** The templates whose e-mail carries the invoice PDF. */
export const withInvoicePdf: ReadonlySet<string> = new Set(["invoice_issued", "invoice_overdue"])

/** Provides {@link MailAttachments.MailAttachments} over the repositories and the current seller. */
export const layer = Layer.effect(
  MailAttachments.MailAttachments,
  Effect.gen(function* () {
    const seller = yield* Seller.CurrentSeller
    const invoices = yield* InvoiceRepo.InvoiceRepo
    const customers = yield* CustomerRepo.CustomerRepo
    const collection = yield* PaymentCollection.PaymentCollection
    const receivables = yield* ReceivablesRepo.ReceivablesRepo
    return (notification) => {
      const invoiceId = notification.data.invoiceId
      const creditNoteId = notification.data.creditNoteId
      if (notification.template === "credit_note_issued" && creditNoteId !== undefined && creditNoteId !== "")
        return Effect.gen(function* () {
          const note = yield* receivables.creditNoteById(creditNoteId as CreditNote.CreditNoteId)
          const invoice = yield* invoices.findById(note.invoiceId)
          const customer = yield* customers.findById(invoice.customerId)
          const content = yield* CreditNotePdf.render(note, invoice, customer, seller)
          return [{ filename: `${note.number}.pdf`, contentType: "application/pdf", content }]
        }).pipe(
          Effect.mapError(
            (error) =>
              new Mailer.MailError({
                reason: `credit note PDF for ${creditNoteId}: ${error._tag}`,
                retryable: error._tag !== "NotFound"
              })
          ),
          Effect.withSpan("InvoiceAttachments.creditNote")
        )
      if (!withInvoicePdf.has(notification.template) || invoiceId === undefined || invoiceId === "")
        return Effect.succeed([])
      return Effect.gen(function* () {
        const invoice = yield* invoices.findById(invoiceId as Ids.InvoiceId)
        const customer = yield* customers.findById(invoice.customerId)
        const payUrl = yield* collection.payUrl(invoice.id)
        const content = yield* InvoicePdf.render(invoice, InvoiceView.buyerOf(customer), { seller, payUrl })
        return [{ filename: InvoicePdf.fileName(invoice), contentType: "application/pdf", content }]
      }).pipe(
        // A vanished invoice will not come back; anything else (the database, the renderer) may pass.
        Effect.mapError(
          (error) =>
            new Mailer.MailError({
              reason: `invoice PDF for ${invoiceId}: ${error._tag}`,
              retryable: error._tag !== "NotFound"
            })
        ),
        Effect.withSpan("InvoiceAttachments.make")
      )
    }
  })
)
