/** Invoices of the authenticated customer: list, one, and its PDF. */
import { Ids, Invoice, InvoiceRepo, Period } from "@securebase/core"
import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "effect/http-api"
import { BadRequest, Forbidden, NotFound } from "../api/ApiErrors.ts"
import { Authentication } from "../auth/Authentication.ts"
import * as Scopes from "../auth/Scopes.ts"

/** One row of the invoice list. */
export const InvoiceSummary = InvoiceRepo.InvoiceSummary.annotate({ identifier: "InvoiceSummary" })

/** A page of invoices, newest period first. */
export const InvoicePage = Schema.Struct({
  data: Schema.Array(InvoiceSummary),
  nextCursor: Schema.NullOr(Schema.String)
}).annotate({ identifier: "InvoicePage" })

const id = { id: Ids.InvoiceId }

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
    }).pipe(Scopes.requires("invoices:read"))
  )
  .middleware(Authentication)
  .annotateMerge(OpenApi.annotations({ title: "Invoices" })) {}
