/**
 * The plan's API rate limit: its entitlements' `apiRateLimitPerMinute` requests per minute per
 * customer, all of its keys and sessions together (per key, a customer would multiply its
 * allowance by its number of keys). Enforced after authentication, on the `LimitStore`, with the
 * sliding-window estimate of `RateLimit`.
 */
import { Effect, Schema } from "effect"
import type { Entitlements } from "../billing/Entitlements.ts"
import { PlanCode } from "../billing/PriceBook.ts"
import * as Pricing from "../billing/Pricing.ts"
import { CustomerId } from "../Ids.ts"
import * as RateLimit from "./RateLimit.ts"

/** The plan limit's window. */
export const windowMillis = 60_000

/** The policy of a plan. */
export const policyFor = (entitlements: Entitlements): RateLimit.Quota => ({
  limit: entitlements.apiRateLimitPerMinute,
  windowMillis
})

/** The customer has made its plan's requests for this minute. */
export class TierRateLimitExceeded extends Schema.TaggedError<TierRateLimitExceeded>()(
  "TierRateLimitExceeded",
  {
    customerId: CustomerId,
    plan: PlanCode,
    limit: Schema.Int,
    retryAfterSeconds: Schema.Int
  }
) {
  /** Stable error code. */
  readonly code = "TIER.RATE_LIMITED"
}

/** The store key of a customer's plan limit. */
export const keyOf = (customerId: CustomerId): string => `tier:${customerId}`

/**
 * Counts one request of the customer, or fails with `TierRateLimitExceeded`; its plan's limit comes
 * from the current `Pricing` (`UnknownPlan` when no book has the plan).
 */
export const consume = Effect.fnUntraced(function* (customerId: CustomerId, plan: PlanCode) {
  const entitlements = yield* Pricing.entitlementsOf(plan)
  const decision = yield* RateLimit.consume(keyOf(customerId), policyFor(entitlements))
  if (!decision.allowed) {
    return yield* new TierRateLimitExceeded({
      customerId,
      plan,
      limit: decision.limit,
      retryAfterSeconds: decision.retryAfterSeconds
    })
  }
  return decision
})
