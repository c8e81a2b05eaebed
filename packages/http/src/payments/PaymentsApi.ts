/** How an invoice of the authenticated customer is paid: the provider's hosted payment link. */
import { FieldDoc, Ids } from "@securebase/core"
import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "effect/http-api"
import { Forbidden, NotFound } from "../api/ApiErrors.ts"
import { Authentication } from "../auth/Authentication.ts"
import * as Scopes from "../auth/Scopes.ts"

/** An invoice at the payment provider. */
export const InvoicePayment = Schema.Struct({
  invoiceId: Ids.InvoiceId.pipe(FieldDoc.describe("Our invoice's id, a UUID.")),
  /** `stripe`. */
  provider: Schema.String.pipe(FieldDoc.describe("The payment provider: `stripe`.", ["stripe"])),
  /** The provider's invoice id. */
  providerInvoiceId: Schema.String.pipe(
    FieldDoc.describe("The provider's id of the invoice.", ["in_1QaBcDeFgHiJkLmN"])
  ),
  /** `open`, `paid`, `payment_failed` or `refunded`, as the provider last reported it. */
  state: Schema.String.pipe(
    FieldDoc.describe("`open`, `paid`, `payment_failed` or `refunded`, as the provider last reported it.")
  ),
  /** Where the customer pays; null when the provider hosts no page. */
  hostedUrl: Schema.NullOr(Schema.String).pipe(
    FieldDoc.describe("Where the customer pays (the provider's hosted page); null when it hosts none.")
  )
}).annotate({ identifier: "InvoicePayment" })

/** Payment endpoints (scope `invoices:read`). */
export class PaymentsApi extends HttpApiGroup.make("payments")
  .add(
    HttpApiEndpoint.get("invoicePayment", "/invoices/:id/payment", {
      params: { id: Ids.InvoiceId.pipe(FieldDoc.describe("The invoice's id, a UUID.")) },
      success: InvoicePayment,
      error: [Forbidden, NotFound]
    })
      .annotateMerge(
        OpenApi.annotations({
          summary: "Get an invoice's payment link",
          description:
            "The invoice at the payment provider, with its hosted payment page, read in the caller's own transaction. Scope `invoices:read`. Errors: 403 `AUTH.SCOPE_MISSING`, 404 `INVOICE.NOT_FOUND` (also for another tenant's invoice), 404 `PAYMENT.NOT_FOUND` until the invoice has been pushed (always, with manual payments)."
        })
      )
      .pipe(Scopes.requires("invoices:read"))
  )
  .middleware(Authentication)
  .annotateMerge(
    OpenApi.annotations({
      title: "Payments",
      description:
        "With PAYMENTS=stripe, each issued invoice is pushed to Stripe; this is its hosted payment page. " +
        "404 PAYMENT.NOT_FOUND until it is pushed (and always with manual payments)."
    })
  ) {}
