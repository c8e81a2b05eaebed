/**
 * The upcoming invoice (Stripe's name): what the current month would be billed if it ended now,
 * priced by the same function as the billing run (`CustomerPricing.priceDraft`: the customer's
 * usage so far, its plan history, terms and tax) into a draft with no number. Nothing is written.
 * Run it as the customer (`Tenancy.runAs`).
 */
import { DateTime, Effect } from "effect"
import { CustomerRepo } from "../customer/CustomerRepo.ts"
import type { CustomerId } from "../Ids.ts"
import * as CustomerPricing from "./CustomerPricing.ts"
import * as Period from "./Period.ts"

/** The draft of the customer's current month, as of now. */
export const preview = Effect.fn("UpcomingInvoice.preview")(function* (customerId: CustomerId) {
  const customer = yield* CustomerRepo.use((r) => r.findById(customerId))
  const at = yield* DateTime.now
  return yield* CustomerPricing.priceDraft(customer, Period.ofDateTime(at), { at })
})
