/** Invoices of the authenticated customer: list, one, its PDF, and its e-mail sent again. */
import { Ids, Invoice, Period } from "@securebase/core"
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
export const InvoiceSummary = Invoice.Invoice.mapFields((f) => ({
  id: f.id,
  number: f.number,
  period: f.period,
  status: f.status,
  currency: f.currency,
  total: f.total,
  issuedAt: f.issuedAt,
  dueAt: f.dueAt
})).annotate({ identifier: "InvoiceSummary" })

/** A page of invoices, newest period first. */
export const InvoicePage = Schema.Struct({
  data: Schema.Array(InvoiceSummary),
  nextCursor: Schema.NullOr(Schema.String)
}).annotate({ identifier: "InvoicePage" })

const id = { id: Ids.InvoiceId }

/** A resend queued: the notification, where it goes, and how many more this hour allows. */
export const ResendReceipt = Schema.Struct({
  notificationId: Schema.String,
  recipient: Schema.String,
  remainingThisHour: Schema.Int
}).annotate({ identifier: "ResendReceipt" })

/** Invoice endpoints (scope `invoices:read`). */
export class InvoicesApi extends HttpApiGroup.make("invoices")
  .add(
    HttpApiEndpoint.get("list", "/invoices", {
      query: {
        status: Schema.optional(Invoice.InvoiceStatus),
        period: Schema.optional(Period.Period),
        limit: Schema.optional(
          Schema.NumberFromString.check(Schema.isInt(), Schema.isBetween({ minimum: 1, maximum: 100 }))
        ),
        cursor: Schema.optional(Schema.String.check(Schema.isMaxLength(200)))
      },
      success: InvoicePage,
      error: [BadRequest, Forbidden]
    }).pipe(Scopes.requires("invoices:read")),
    HttpApiEndpoint.get("upcoming", "/invoices/upcoming", {
      success: Invoice.Invoice,
      error: [Forbidden, NotFound, Unprocessable]
    })
      .pipe(Scopes.requires("invoices:read"))
      .annotate(
        OpenApi.Description,
        "The current month as the billing run would invoice it now: a draft, no number, nothing stored."
      ),
    HttpApiEndpoint.get("get", "/invoices/:id", {
      params: id,
      success: Invoice.Invoice,
      error: [Forbidden, NotFound]
    }).pipe(Scopes.requires("invoices:read")),
    HttpApiEndpoint.get("download", "/invoices/:id/download", {
      params: id,
      success: HttpApiSchema.WithHeaders(
        Schema.Uint8Array.pipe(HttpApiSchema.asUint8Array({ contentType: "application/pdf" })),
        { "content-disposition": Schema.String }
      ),
      error: [Forbidden, NotFound]
    }).pipe(Scopes.requires("invoices:read")),
    HttpApiEndpoint.post("resend", "/invoices/:id/resend", {
      params: id,
      success: ResendReceipt.pipe(HttpApiSchema.status(202)),
      error: [Forbidden, NotFound, Conflict, TooManyRequestsWithRetryAfter, ServiceUnavailable]
    })
      .pipe(Scopes.requires("invoices:write"))
      .annotate(
        OpenApi.Description,
        "Queues the invoice's e-mail again (its overdue notice when overdue). At most 3 per invoice in each UTC hour; beyond, 429 with Retry-After. Audited as invoice.resent."
      )
  )
  .middleware(Authentication)
  .annotateMerge(OpenApi.annotations({ title: "Invoices" })) {}
