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
import { CreditNote, Ids, Payment, Text } from "@securebase/core"
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
  payment: Payment.Payment,
  replayed: Schema.Boolean,
  invoice: InvoiceDetail
}).annotate({ identifier: "RecordedPayment" })

/** An issued credit note and the invoice after it. */
export const IssuedCreditNote = Schema.Struct({
  creditNote: CreditNote.CreditNote,
  invoice: InvoiceDetail
}).annotate({ identifier: "IssuedCreditNote" })

/** Why an invoice is voided. */
export const VoidRequest = Schema.Struct({
  reason: Text.singleLine({ minimum: 1, maximum: 500, trimmed: true })
}).annotate({ identifier: "VoidRequest" })

const params = { id: Ids.InvoiceId }

/** The invoice endpoints of `/admin`. */
export class AdminInvoicesApi extends HttpApiGroup.make("adminInvoices")
  .add(
    HttpApiEndpoint.get("get", "/admin/invoices/:id", {
      params,
      success: InvoiceDetail,
      error: [Forbidden, NotFound]
    }).pipe(OperatorScopes.requires("invoices:read")),
    HttpApiEndpoint.post("recordPayment", "/admin/invoices/:id/payments", {
      params,
      payload: Payment.PaymentInput,
      success: RecordedPayment.pipe(HttpApiSchema.status(201)),
      error: [BadRequest, Forbidden, NotFound, Conflict, Unprocessable]
    }).pipe(OperatorScopes.requires("invoices:write")),
    HttpApiEndpoint.post("void", "/admin/invoices/:id/void", {
      params,
      payload: VoidRequest,
      success: InvoiceDetail,
      error: [BadRequest, Forbidden, NotFound, Conflict]
    }).pipe(OperatorScopes.requires("invoices:write")),
    HttpApiEndpoint.post("issueCreditNote", "/admin/invoices/:id/credit-notes", {
      params,
      payload: CreditNote.CreditNoteInput,
      success: IssuedCreditNote.pipe(HttpApiSchema.status(201)),
      error: [BadRequest, Forbidden, NotFound, Conflict, Unprocessable]
    }).pipe(OperatorScopes.requires("invoices:write")),
    HttpApiEndpoint.get("downloadCreditNote", "/admin/invoices/:id/credit-notes/:creditNoteId/download", {
      params: { id: Ids.InvoiceId, creditNoteId: CreditNote.CreditNoteId },
      success: HttpApiSchema.WithHeaders(
        Schema.Uint8Array.pipe(HttpApiSchema.asUint8Array({ contentType: "application/pdf" })),
        { "content-disposition": Schema.String }
      ),
      error: [Forbidden, NotFound]
    }).pipe(OperatorScopes.requires("invoices:read")),
    HttpApiEndpoint.post("resend", "/admin/invoices/:id/resend", {
      params,
      success: ResendReceipt.pipe(HttpApiSchema.status(202)),
      error: [Forbidden, NotFound, Conflict, TooManyRequestsWithRetryAfter]
    }).pipe(OperatorScopes.requires("invoices:write"))
  )
  .middleware(OperatorAuthentication)
  .annotateMerge(OpenApi.annotations({ title: "Admin: invoices" })) {}
