/** How an invoice of the authenticated customer is paid: the provider's hosted payment link. */
import { Ids } from "@securebase/core"
import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "effect/http-api"
import { Forbidden, NotFound } from "../api/ApiErrors.ts"
import { Authentication } from "../auth/Authentication.ts"
import * as Scopes from "../auth/Scopes.ts"

/** An invoice at the payment provider. */
export const InvoicePayment = Schema.Struct({
  invoiceId: Ids.InvoiceId,
  /** `stripe`. */
  provider: Schema.String,
  /** The provider's invoice id. */
  providerInvoiceId: Schema.String,
  /** `open`, `paid`, `payment_failed` or `refunded`, as the provider last reported it. */
  state: Schema.String,
  /** Where the customer pays; null when the provider hosts no page. */
  hostedUrl: Schema.NullOr(Schema.String)
}).annotate({ identifier: "InvoicePayment" })

/** Payment endpoints (scope `invoices:read`). */
export class PaymentsApi extends HttpApiGroup.make("payments")
  .add(
    HttpApiEndpoint.get("invoicePayment", "/invoices/:id/payment", {
      params: { id: Ids.InvoiceId },
      success: InvoicePayment,
      error: [Forbidden, NotFound]
    }).pipe(Scopes.requires("invoices:read"))
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
