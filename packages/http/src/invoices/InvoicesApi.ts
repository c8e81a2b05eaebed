/** Invoices of the authenticated customer: list, one (with its payments and credit notes), its PDF, and its e-mail sent again. */
import { CreditNote, FieldDoc, Ids, Invoice, InvoiceRepo, Money, Payment, Period } from "@securebase/core"
import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "effect/http-api"
import {
  BadRequest,
  Conflict,
  Forbidden,
  NotFound,
  ServiceUnavailable,
  TooManyRequestsWithRetryAfter,
  Unprocessable
} from "../api/ApiErrors.ts"
import { Authentication } from "../auth/Authentication.ts"
import * as Scopes from "../auth/Scopes.ts"

/** One row of the invoice list. */
export const InvoiceSummary = InvoiceRepo.InvoiceSummary.annotate({ identifier: "InvoiceSummary" })

/** A page of invoices, newest period first. */
export const InvoicePage = Schema.Struct({
  data: Schema.Array(InvoiceSummary).pipe(
    FieldDoc.describe("The invoices of this page, newest period first.")
  ),
  nextCursor: Schema.NullOr(Schema.String).pipe(
    FieldDoc.describe("Pass as `cursor` to get the next page; null on the last page.")
  )
}).annotate({ identifier: "InvoicePage" })

/**
 * One invoice with what happened to it after issue: its payments, its credit notes, and the
 * amount still due (`total − paid − credited`; zero for a voided invoice).
 */
export const InvoiceDetail = Schema.Struct({
  ...Invoice.Invoice.fields,
  amountDue: Money.MinorUnits.pipe(
    FieldDoc.describe(
      "What is still owed, in minor units: total − payments − credited; 0 when paid or voided."
    )
  ),
  payments: Schema.Array(Payment.Payment).pipe(FieldDoc.describe("The payments received, oldest first.")),
  creditNotes: Schema.Array(CreditNote.CreditNote).pipe(
    FieldDoc.describe("The credit notes issued, by number.")
  )
}).annotate({ identifier: "InvoiceDetail" })

const id = { id: Ids.InvoiceId.pipe(FieldDoc.describe("The invoice's id, a UUID.")) }

/** A resend queued: the notification, where it goes, and how many more this hour allows. */
export const ResendReceipt = Schema.Struct({
  notificationId: Schema.String.pipe(FieldDoc.describe("The queued e-mail's id in the outbox, a UUID.")),
  recipient: Schema.String.pipe(FieldDoc.describe("The address it goes to: the customer's billing e-mail.")),
  remainingThisHour: Schema.Int.pipe(
    FieldDoc.describe("How many more resends of this invoice the current UTC hour allows.")
  )
}).annotate({ identifier: "ResendReceipt" })

/** Invoice endpoints (scope `invoices:read`). */
export class InvoicesApi extends HttpApiGroup.make("invoices")
  .add(
    HttpApiEndpoint.get("list", "/invoices", {
      query: {
        status: Schema.optional(Invoice.InvoiceStatus).pipe(
          FieldDoc.describe("Only invoices in this status.", ["issued"])
        ),
        period: Schema.optional(Period.Period).pipe(
          FieldDoc.describe("Only invoices of this month (UTC), `YYYY-MM`.", ["2026-10"])
        ),
        limit: Schema.optional(
          Schema.NumberFromString.check(Schema.isInt(), Schema.isBetween({ minimum: 1, maximum: 100 }))
        ).pipe(FieldDoc.describe("How many invoices per page, 1 to 100 (default 20).", ["20"])),
        cursor: Schema.optional(Schema.String.check(Schema.isMaxLength(200))).pipe(
          FieldDoc.describe("The `nextCursor` of the previous page; omit for the first page.")
        )
      },
      success: InvoicePage,
      error: [BadRequest, Forbidden]
    })
      .annotateMerge(
        OpenApi.annotations({
          summary: "List invoices",
          description:
            "The caller's invoices, newest period first, optionally filtered by `status` and `period`. Scope `invoices:read`. Paging: up to `limit` (1–100, default 20) per page; pass the page's `nextCursor` as `cursor` for the next page (null on the last). Errors: 400 `REQUEST.INVALID` for a bad filter, limit or cursor (the message names the allowed values), 403 `AUTH.SCOPE_MISSING`."
        })
      )
      .pipe(Scopes.requires("invoices:read")),
    HttpApiEndpoint.get("upcoming", "/invoices/upcoming", {
      success: Invoice.Invoice,
      error: [Forbidden, NotFound, Unprocessable]
    })
      .annotateMerge(
        OpenApi.annotations({
          summary: "Preview this month's invoice",
          description:
            "The current month as the billing run would invoice it now (Stripe's upcoming invoice): a draft with no number, priced by the run's own function from the usage so far; nothing is stored. Scope `invoices:read`. Errors: 403 `AUTH.SCOPE_MISSING`, 403 `PRICING.UNKNOWN_PLAN` (the account's plan is not in the price book), 422 when the month cannot be priced (a currency without a price book)."
        })
      )
      .pipe(Scopes.requires("invoices:read")),
    HttpApiEndpoint.get("get", "/invoices/:id", {
      params: id,
      success: InvoiceDetail,
      error: [Forbidden, NotFound]
    })
      .annotateMerge(
        OpenApi.annotations({
          summary: "Get an invoice",
          description:
            "One invoice with its lines (each with its pricing breakdown), discounts, tax lines and lifecycle dates. Scope `invoices:read`. Errors: 400 `REQUEST.INVALID` for an id that is not a UUID, 403 `AUTH.SCOPE_MISSING`, 404 `INVOICE.NOT_FOUND` (also for another tenant's invoice)."
        })
      )
      .pipe(Scopes.requires("invoices:read")),
    HttpApiEndpoint.get("download", "/invoices/:id/download", {
      params: id,
      success: HttpApiSchema.WithHeaders(
        Schema.Uint8Array.pipe(HttpApiSchema.asUint8Array({ contentType: "application/pdf" })),
        { "content-disposition": Schema.String }
      ),
      error: [Forbidden, NotFound]
    })
      .annotateMerge(
        OpenApi.annotations({
          summary: "Download an invoice as PDF",
          description:
            "The invoice as a PDF document (`application/pdf`, with `Content-Disposition: attachment` naming the file after the invoice number). Scope `invoices:read`. Errors: 403 `AUTH.SCOPE_MISSING`, 404 `INVOICE.NOT_FOUND` (also for another tenant's invoice)."
        })
      )
      .pipe(Scopes.requires("invoices:read")),
    HttpApiEndpoint.get("downloadCreditNote", "/invoices/:id/credit-notes/:creditNoteId/download", {
      params: {
        ...id,
        creditNoteId: CreditNote.CreditNoteId.pipe(FieldDoc.describe("The credit note's id, a UUID."))
      },
      success: HttpApiSchema.WithHeaders(
        Schema.Uint8Array.pipe(HttpApiSchema.asUint8Array({ contentType: "application/pdf" })),
        { "content-disposition": Schema.String }
      ),
      error: [Forbidden, NotFound]
    })
      .annotateMerge(
        OpenApi.annotations({
          summary: "Download a credit note as PDF",
          description:
            "A credit note of this invoice (one of its `creditNotes`) as a PDF document (`application/pdf`, with `Content-Disposition: attachment` naming the file after the credit note's number). Scope `invoices:read`. Errors: 403 `AUTH.SCOPE_MISSING`, 404 `INVOICE.NOT_FOUND` (also for another tenant's invoice), 404 `CREDIT_NOTE.NOT_FOUND` for an unknown credit note or one of another invoice."
        })
      )
      .pipe(Scopes.requires("invoices:read")),
    HttpApiEndpoint.post("resend", "/invoices/:id/resend", {
      params: id,
      success: ResendReceipt.pipe(HttpApiSchema.status(202)),
      error: [Forbidden, NotFound, Conflict, TooManyRequestsWithRetryAfter, ServiceUnavailable]
    })
      .annotateMerge(
        OpenApi.annotations({
          summary: "Send an invoice's e-mail again",
          description:
            "Queues the invoice's e-mail again through the outbox (its overdue notice when overdue) and answers 202 with the queued notification. At most 3 per invoice in each UTC hour, counted by the database; beyond, 429 with Retry-After. Audited as `invoice.resent`. Scope `invoices:write`. Errors: 403 `AUTH.SCOPE_MISSING`, 404 `INVOICE.NOT_FOUND` (also for another tenant's invoice), 409 `INVOICE.NOT_SENDABLE` for an invoice with nothing to send (a draft or a cancelled one), 429 `INVOICE.RESEND_LIMITED`."
        })
      )
      .pipe(Scopes.requires("invoices:write"))
  )
  .middleware(Authentication)
  .annotateMerge(OpenApi.annotations({ title: "Invoices" })) {}
