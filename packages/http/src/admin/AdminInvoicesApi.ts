/**
 * `/admin/invoices`: what an operator does to an issued invoice. Record a payment (idempotent by
 * the client's `idempotencyKey`), void it, issue a credit note (and download its PDF), resend its
 * e-mail, and read it with its payments, credit notes and amount due. Each runs as the invoice's
 * customer (row-level security applies) and is audited in its chain with the operator as actor.
 * Scopes: `invoices:read`, `invoices:write`.
 *
 * Failures: an unknown invoice is 404 (another customer's too: the operator names the invoice,
 * never the customer); a move the invoice's state forbids is 409 (a payment on a paid or voided
 * invoice, voiding a paid one or one with money received, a key reused for another payment); an
 * amount the invoice cannot take is 422 (an overpayment, a credit beyond what was invoiced,
 * `paidAt` in the future); malformed input is 400. Resend is the tenant's own (`InvoiceResend`):
 * the same e-mail and the same hourly limit (429 beyond it).
 */
import { CreditNote, FieldDoc, Ids, Payment, Text } from "@securebase/core"
import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "effect/http-api"
import {
  BadRequest,
  Conflict,
  Forbidden,
  NotFound,
  TooManyRequestsWithRetryAfter,
  Unprocessable
} from "../api/ApiErrors.ts"
import { InvoiceDetail, ResendReceipt } from "../invoices/InvoicesApi.ts"
import { OperatorAuthentication } from "./OperatorAuthentication.ts"
import * as OperatorScopes from "./OperatorScopes.ts"

/** A recorded payment and the invoice after it; `replayed` when the key had recorded it before. */
export const RecordedPayment = Schema.Struct({
  payment: Payment.Payment.pipe(
    FieldDoc.describe("The payment recorded (or recorded before under this key).")
  ),
  replayed: Schema.Boolean.pipe(FieldDoc.describe("True when the key had recorded this payment already.")),
  invoice: InvoiceDetail.pipe(FieldDoc.describe("The invoice after the payment."))
}).annotate({ identifier: "RecordedPayment" })

/** An issued credit note and the invoice after it. */
export const IssuedCreditNote = Schema.Struct({
  creditNote: CreditNote.CreditNote.pipe(FieldDoc.describe("The credit note issued.")),
  invoice: InvoiceDetail.pipe(FieldDoc.describe("The invoice after the credit note."))
}).annotate({ identifier: "IssuedCreditNote" })

/** Why an invoice is voided. */
export const VoidRequest = Schema.Struct({
  reason: Text.singleLine({ minimum: 1, maximum: 500, trimmed: true }).pipe(
    FieldDoc.describe("Why the invoice is voided (one line, 1-500 characters).")
  )
})
  .annotate({ identifier: "VoidRequest" })
  .pipe(Schema.annotateEncoded({ examples: [{ reason: "Issued in error: duplicate of INV-2026-000041" }] }))

const invoiceId = Ids.InvoiceId.pipe(FieldDoc.describe("The invoice's id, a UUID."))
const params = { id: invoiceId }

const doc = (summary: string, description: string) => OpenApi.annotations({ summary, description })

/** The invoice endpoints of `/admin`. */
export class AdminInvoicesApi extends HttpApiGroup.make("adminInvoices")
  .add(
    HttpApiEndpoint.get("get", "/admin/invoices/:id", {
      params,
      success: InvoiceDetail,
      error: [Forbidden, NotFound]
    })
      .annotateMerge(
        doc(
          "Read an invoice with its payments and credit notes",
          "The invoice, its payments, its credit notes and the amount still due, read as its customer. Operator scope `invoices:read`. Errors: 403 `AUTH.SCOPE_MISSING`, 404 `INVOICE.NOT_FOUND`."
        )
      )
      .pipe(OperatorScopes.requires("invoices:read")),
    HttpApiEndpoint.post("recordPayment", "/admin/invoices/:id/payments", {
      params,
      payload: Payment.PaymentInput,
      success: RecordedPayment.pipe(HttpApiSchema.status(201)),
      error: [BadRequest, Forbidden, NotFound, Conflict, Unprocessable]
    })
      .annotateMerge(
        doc(
          "Record a payment",
          "Records money received against an issued or overdue invoice; the invoice is paid when nothing is left due. Idempotent by `idempotencyKey`: the same key and body answers the same payment (`replayed: true`). Overpayments are refused (no customer credit balance is kept). Audited as `invoice.payment_recorded` (and `invoice.paid`). Operator scope `invoices:write`. Errors: 400 `REQUEST.INVALID`, 403 `AUTH.SCOPE_MISSING`, 404 `INVOICE.NOT_FOUND`, 409 `INVOICE.NOT_OPEN` or `PAYMENT.IDEMPOTENCY_KEY_REUSED`, 422 `PAYMENT.OVERPAYMENT` or `PAYMENT.PAID_AT_IN_FUTURE`."
        )
      )
      .pipe(OperatorScopes.requires("invoices:write")),
    HttpApiEndpoint.post("void", "/admin/invoices/:id/void", {
      params,
      payload: VoidRequest,
      success: InvoiceDetail,
      error: [BadRequest, Forbidden, NotFound, Conflict]
    })
      .annotateMerge(
        doc(
          "Void an invoice",
          "Moves an issued or overdue invoice without money received to cancelled, with the reason; its number stays used, so the sequence has no gap. Audited as `invoice.voided`. Operator scope `invoices:write`. Errors: 400 `REQUEST.INVALID`, 403 `AUTH.SCOPE_MISSING`, 404 `INVOICE.NOT_FOUND`, 409 `INVOICE.ILLEGAL_TRANSITION` or `INVOICE.HAS_PAYMENTS`."
        )
      )
      .pipe(OperatorScopes.requires("invoices:write")),
    HttpApiEndpoint.post("issueCreditNote", "/admin/invoices/:id/credit-notes", {
      params,
      payload: CreditNote.CreditNoteInput,
      success: IssuedCreditNote.pipe(HttpApiSchema.status(201)),
      error: [BadRequest, Forbidden, NotFound, Conflict, Unprocessable]
    })
      .annotateMerge(
        doc(
          "Issue a credit note",
          "Credits an issued, overdue or paid invoice by lines or one amount, numbered CN-YYYY-NNNNNN without gaps. The part up to the amount due reduces it; the rest is a refund. Never more than was invoiced net of earlier credit notes, nor a named line net amount. Audited as `credit_note.issued`. Operator scope `invoices:write`. Errors: 400 `REQUEST.INVALID`, 403 `AUTH.SCOPE_MISSING`, 404 `INVOICE.NOT_FOUND`, 409 `INVOICE.NOT_OPEN`, 422 `CREDIT_NOTE.EXCEEDS_INVOICED` or `CREDIT_NOTE.UNKNOWN_INVOICE_LINE`."
        )
      )
      .pipe(OperatorScopes.requires("invoices:write")),
    HttpApiEndpoint.get("downloadCreditNote", "/admin/invoices/:id/credit-notes/:creditNoteId/download", {
      params: {
        id: invoiceId,
        creditNoteId: CreditNote.CreditNoteId.pipe(FieldDoc.describe("The credit note's id, a UUID."))
      },
      success: HttpApiSchema.WithHeaders(
        Schema.Uint8Array.pipe(HttpApiSchema.asUint8Array({ contentType: "application/pdf" })),
        { "content-disposition": Schema.String }
      ),
      error: [Forbidden, NotFound]
    })
      .annotateMerge(
        doc(
          "Download a credit note as PDF",
          "The credit note of this invoice as a PDF. Operator scope `invoices:read`. Errors: 403 `AUTH.SCOPE_MISSING`, 404 for an unknown invoice or credit note."
        )
      )
      .pipe(OperatorScopes.requires("invoices:read")),
    HttpApiEndpoint.post("resend", "/admin/invoices/:id/resend", {
      params,
      success: ResendReceipt.pipe(HttpApiSchema.status(202)),
      error: [Forbidden, NotFound, Conflict, TooManyRequestsWithRetryAfter]
    })
      .annotateMerge(
        doc(
          "Send an invoice e-mail again",
          "Queues the invoice e-mail again through the outbox, as the customer resend does (at most 3 per invoice and UTC hour). Audited as `invoice.resent`. Operator scope `invoices:write`. Errors: 403 `AUTH.SCOPE_MISSING`, 404 `INVOICE.NOT_FOUND`, 409 `INVOICE.NOT_SENDABLE`, 429 `INVOICE.RESEND_LIMITED`."
        )
      )
      .pipe(OperatorScopes.requires("invoices:write"))
  )
  .middleware(OperatorAuthentication)
  .annotateMerge(OpenApi.annotations({ title: "Admin: invoices" })) {}
