/**
 * The tier's API rate limit: `Tier.features[tier].apiRateLimitPerMinute` requests per minute per
 * customer, all of its keys and sessions together (per key, a customer would multiply its
 * allowance by its number of keys). Enforced after authentication, on the `LimitStore`, with the
 * sliding-window estimate of `RateLimit`.
 */
import { Effect, Schema } from "effect"
import * as Tier from "../billing/Tier.ts"
import { CustomerId } from "../Ids.ts"
import * as RateLimit from "./RateLimit.ts"

/** The tier limit's window. */
export const windowMillis = 60_000

/** The policy of a tier. */
export const policyFor = (tier: Tier.Tier): RateLimit.Policy => ({
  limit: Tier.features[tier].apiRateLimitPerMinute,
  windowMillis
})

/** The customer has made its tier's requests for this minute. */
export class TierRateLimitExceeded extends Schema.TaggedError<TierRateLimitExceeded>()(
  "TierRateLimitExceeded",
  {
    customerId: CustomerId,
    tier: Tier.Tier,
    limit: Schema.Int,
    retryAfterSeconds: Schema.Int
  }
) {
  /** Stable error code. */
  readonly code = "TIER.RATE_LIMITED"
}

/** The store key of a customer's tier limit. */
export const keyOf = (customerId: CustomerId): string => `tier:${customerId}`

/** Counts one request of the customer, or fails with `TierRateLimitExceeded`. */
export const consume = Effect.fnUntraced(function* (customerId: CustomerId, tier: Tier.Tier) {
  const decision = yield* RateLimit.consume(keyOf(customerId), policyFor(tier))
  if (!decision.allowed) {
    return yield* new TierRateLimitExceeded({
      customerId,
      tier,
      limit: decision.limit,
      retryAfterSeconds: decision.retryAfterSeconds
    })
  }
  return decision
})
