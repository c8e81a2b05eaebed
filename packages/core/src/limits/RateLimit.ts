/**
 * A request rate limit over the `LimitStore`: at most `limit` requests per `window`, estimated with
 * a sliding window (what Cloudflare and the AWS WAF rate rule approximate): the previous fixed
 * window's count, weighted by how much of it still overlaps the sliding window, plus the current
 * window's count. A request is counted only when it is allowed, with the current window's ceiling
 * set so that the estimate never passes `limit`; the check and the count are one atomic store
 * operation, so instances sharing a store enforce one limit between them.
 *
 * Fixed windows are aligned to the epoch (window index = ⌊now / window⌋), so every instance
 * names the same two counters.
 */
import { Clock, Effect } from "effect"
import { LimitStore } from "./LimitStore.ts"

/** How many requests a key may make per window. */
export interface Quota {
  readonly limit: number
  readonly windowMillis: number
}

/** The outcome of one request. */
export type Decision =
  | {
      readonly allowed: true
      readonly limit: number
      readonly remaining: number
      /** Seconds until the current fixed window ends. */
      readonly resetSeconds: number
    }
  | { readonly allowed: false; readonly limit: number; readonly retryAfterSeconds: number }

/**
 * The most requests the current window may hold at `elapsed` ms into it, given `previous` requests
 * in the window before: ⌊limit − previous × overlap⌋, overlap being the share of the previous
 * window the sliding window still covers.
 */
export const ceiling = (previous: number, elapsed: number, policy: Quota): number =>
  Math.floor(policy.limit - (previous * (policy.windowMillis - elapsed)) / policy.windowMillis)

/**
 * Whole seconds (at least 1) until a refused key may make one more request, assuming it makes
 * none meanwhile: within this window once the previous window's weight has decayed enough,
 * otherwise in the next one (where `current` becomes the weighted previous count).
 */
export const retryAfterSeconds = (
  previous: number,
  current: number,
  elapsed: number,
  policy: Quota
): number => {
  const { limit, windowMillis } = policy
  const room = limit - current - 1
  if (room >= 0 && previous > 0) {
    const decayAt = windowMillis * (1 - room / previous)
    if (decayAt <= windowMillis) return Math.max(1, Math.ceil((decayAt - elapsed) / 1000))
  }
  const nextWindow = windowMillis - elapsed
  const afterNext = current > 0 ? windowMillis * (1 - (limit - 1) / current) : 0
  return Math.max(1, Math.ceil((nextWindow + Math.max(0, afterNext)) / 1000))
}

/** Counts one request of `key` if the policy allows it. */
export const consume = Effect.fnUntraced(function* (key: string, policy: Quota) {
  const store = yield* LimitStore
  const now = yield* Clock.currentTimeMillis
  const { windowMillis } = policy
  const index = Math.floor(now / windowMillis)
  const elapsed = now - index * windowMillis
  // Each fixed window's counter lives two windows from its first hit: through its own window
  // and the next, where it is the weighted "previous" count.
  const ttlMillis = 2 * windowMillis
  const currentKey = `${key}:${index}`
  const previous = yield* store.peek(`${key}:${index - 1}`, now)
  const previousCount = previous._tag === "Some" ? previous.value.count : 0
  const max = ceiling(previousCount, elapsed, policy)
  const refused = (current: number): Decision => ({
    allowed: false,
    limit: policy.limit,
    retryAfterSeconds: retryAfterSeconds(previousCount, current, elapsed, policy)
  })
  if (max < 1) {
    const current = yield* store.peek(currentKey, now)
    return refused(current._tag === "Some" ? current.value.count : 0)
  }
  const hit = yield* store.hit(currentKey, { now, ttlMillis, max })
  if (!hit.counted) return refused(hit.count)
  const allowed: Decision = {
    allowed: true,
    limit: policy.limit,
    remaining: Math.max(0, max - hit.count),
    resetSeconds: Math.ceil((windowMillis - elapsed) / 1000)
  }
  return allowed
})
