/**
 * The port to the counters behind every limit: the per-address request rate limit, the plan's
 * per-minute API limit and the authentication failure throttle all count on it. One primitive
 * serves the three: a counter per key that lives for a fixed time from its first hit, remembering
 * when it started and when it was last hit, with an optional ceiling it never passes.
 *
 * Adapters: in memory (the embedded default; per process, so N instances allow N times a limit),
 * and Redis and DynamoDB, shared by every instance. Times are epoch milliseconds read by the
 * caller from `Clock`, so `TestClock` drives every adapter alike and instances agree on a window
 * as far as their clocks agree.
 */
import { Context, type Effect, type Option, Schema } from "effect"

/** One key's live counter. */
export interface Window {
  /** Hits counted since `startedAt`. */
  readonly count: number
  /** The first hit (epoch milliseconds). */
  readonly startedAt: number
  /** The latest counted hit. */
  readonly lastAt: number
  /** When the counter lapses: `startedAt` + the TTL its first hit gave it. */
  readonly expiresAt: number
}

/** How to count one hit. */
export interface HitOptions {
  /** The caller's time (epoch milliseconds). */
  readonly now: number
  /** A counter that starts with this hit lives this long. A live counter keeps its own expiry. */
  readonly ttlMillis: number
  /**
   * The most hits the counter may hold (at least 1): a hit that would pass it is not counted.
   * Omitted: no ceiling.
   */
  readonly max?: number | undefined
}

/** The counter after a hit, and whether the hit was counted (false only at `max`). */
export interface Hit extends Window {
  readonly counted: boolean
}

/** The store could not be reached or answered nonsense; callers decide whether to fail open. */
export class LimitStoreUnavailable extends Schema.TaggedError<LimitStoreUnavailable>()(
  "LimitStoreUnavailable",
  {
    store: Schema.String,
    operation: Schema.String,
    cause: Schema.Defect()
  }
) {
  /** Stable error code. */
  readonly code = "LIMITS.STORE_UNAVAILABLE"
}

/** Atomic, expiring counters by key. */
export class LimitStore extends Context.Service<
  LimitStore,
  {
    /**
     * Counts one hit on `key`, atomically: a key with no live counter (none, or lapsed at `now`)
     * starts a new one at 1 that lapses `ttlMillis` later; a live one is incremented unless that
     * would pass `max`.
     */
    readonly hit: (key: string, options: HitOptions) => Effect.Effect<Hit, LimitStoreUnavailable>
    /** The live counter of `key` at `now`, if any (a lapsed counter still stored is none). */
    readonly peek: (key: string, now: number) => Effect.Effect<Option.Option<Window>, LimitStoreUnavailable>
  }
>()("@securebase/core/limits/LimitStore") {}
