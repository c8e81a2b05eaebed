/**
 * The upcoming invoice as both sides ask for it (`GET /invoices/upcoming`, and an operator's
 * `GET /admin/customers/{id}/invoices/upcoming`): `UpcomingInvoice.preview` with its failures
 * answered. A month that cannot be priced from what is stored (a stored event that breaks today's
 * rules, amounts beyond what an invoice holds, a book missing for the currency) is 422 with the
 * core's code, as the usage estimate answers it; a customer that vanished is 404.
 */
import { UpcomingInvoice } from "@securebase/core"
import { Effect } from "effect"
import { fromUnknownPlan, notFound, unprocessable } from "./ErrorMapping.ts"

/** The customer's upcoming invoice (run it as the customer). */
export const preview = (customerId: Parameters<typeof UpcomingInvoice.preview>[0]) =>
  UpcomingInvoice.preview(customerId).pipe(
    Effect.catchTags({
      NotFound: () => Effect.fail(notFound("customer")),
      StoredUsageEventInvalid: (e) => Effect.fail(unprocessable(e)),
      UsageEventConflict: (e) => Effect.fail(unprocessable(e)),
      UnknownMetric: (e) => Effect.fail(unprocessable(e)),
      InvalidTerms: (e) => Effect.fail(unprocessable(e)),
      UnknownTaxJurisdiction: (e) => Effect.fail(unprocessable(e)),
      // Bugs, not data: the events read are the customer's own, and the plan prices its metrics.
      ForeignUsageEvent: Effect.die,
      MissingMetric: Effect.die,
      TransactionsUnavailable: Effect.die,
      AmountOutOfRange: (e) => Effect.fail(unprocessable(e)),
      NoPriceBookForCurrency: (e) => Effect.fail(unprocessable(e)),
      // A plan no book has: the account is entitled to nothing until an operator moves it (403).
      UnknownPlan: (e) => Effect.fail(fromUnknownPlan(e)),
      InvoiceDoesNotReconcile: Effect.die
    })
  )
