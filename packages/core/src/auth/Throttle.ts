/**
 * The failure throttle: repeated authentication failures in one bucket are refused for a while,
 * the wait doubling with each failure past a free allowance, and refused outright past a ceiling
 * until the window ends. The policy is a pure function of (state, now); `FailureThrottle` keeps
 * the state in the `LimitStore` (in memory, or shared by every instance through Redis or
 * DynamoDB) and reads the time from `Clock`, so `TestClock` drives it.
 *
 * Failures are counted per bucket, never per address alone for a well-formed credential (see
 * `Bucket`): one client's failures never refuse another client's key behind the same address.
 * The `Authenticator` checks a credential before it consults the throttle, so a valid credential
 * is never refused by it; the throttle answers repeated failures with 429 instead of 401, and
 * spares the key store a lookup of a key id this address has already found unknown.
 *
 * Refused attempts are not counted (they never reach the credential check, so they teach an
 * attacker nothing) and success does not reset the count (else one valid key would let a client
 * interleave unlimited guesses).
 */
import { Clock, Context, Duration, Effect, Layer } from "effect"
import * as AddressBucket from "../limits/AddressBucket.ts"
import { LimitStore } from "../limits/LimitStore.ts"
import type { ApiKeyId } from "./ApiKey.ts"
import { TooManyAttempts } from "./AuthError.ts"

/** Throttling parameters. */
export interface Settings {
  /** Failures allowed in a window before any wait is imposed. */
  readonly freeFailures: number
  /** Failures in a window after which the client is refused until the window ends. */
  readonly maxFailures: number
  /** The window failures are counted over, from the first failure, in milliseconds. */
  readonly windowMillis: number
  /** Wait after the first failure past the allowance; doubles per further failure. */
  readonly baseDelayMillis: number
  /** Cap on the doubling wait. */
  readonly maxDelayMillis: number
}

/** 5 free failures, then 1 s, 2 s, 4 s... (capped at 60 s); 20 failures lock the client out for the rest of 15 min. */
export const defaultSettings: Settings = {
  freeFailures: 5,
  maxFailures: 20,
  windowMillis: Duration.toMillis(Duration.minutes(15)),
  baseDelayMillis: 1_000,
  maxDelayMillis: 60_000
}

/** One client's failures in its current window. */
export interface ClientState {
  readonly failures: number
  readonly windowStart: number
  readonly lastFailureAt: number
}

/** Allowed now, or refused for `retryAfterMillis`. */
export type Decision =
  | { readonly _tag: "Allow" }
  | { readonly _tag: "Refuse"; readonly retryAfterMillis: number }

const allow: Decision = { _tag: "Allow" }

/** Whether the window of `state` has ended at `now` (its failures no longer count). */
export const isStale = (state: ClientState, now: number, policy: Settings): boolean =>
  now - state.windowStart >= policy.windowMillis

/** The wait imposed after `failures` failures (0 within the free allowance). */
export const delayAfter = (failures: number, policy: Settings): number =>
  failures < policy.freeFailures
    ? 0
    : Math.min(policy.baseDelayMillis * 2 ** (failures - policy.freeFailures), policy.maxDelayMillis)

/** May a client in `state` attempt at `now`? */
export const decide = (state: ClientState | undefined, now: number, policy: Settings): Decision => {
  if (state === undefined || isStale(state, now, policy)) return allow
  if (state.failures >= policy.maxFailures)
    return { _tag: "Refuse", retryAfterMillis: state.windowStart + policy.windowMillis - now }
  const readyAt = state.lastFailureAt + delayAfter(state.failures, policy)
  return now < readyAt ? { _tag: "Refuse", retryAfterMillis: readyAt - now } : allow
}

/** The state after one more failure at `now`. */
export const recordFailure = (state: ClientState | undefined, now: number, policy: Settings): ClientState =>
  state === undefined || isStale(state, now, policy)
    ? { failures: 1, windowStart: now, lastFailureAt: now }
    : { failures: state.failures + 1, windowStart: state.windowStart, lastFailureAt: now }

/**
 * What a failure is counted against:
 * - `Key`: a well-formed API key whose id exists (or a session token of that key), from one
 *   address: a wrong secret counts against that (address, key) only;
 * - `UnknownKey`: a well-formed API key whose id does not exist, from one address: checked before
 *   the key store is asked again for that id;
 * - `Address`: anything that names no key (a malformed key, an unknown key id, a session token
 *   that does not verify), per address.
 *
 * Addresses are counted per `AddressBucket` (an IPv6 /64), so rotating addresses within one host's
 * network gains nothing.
 */
export type Bucket =
  | { readonly _tag: "Key"; readonly client: string; readonly keyId: ApiKeyId }
  | { readonly _tag: "UnknownKey"; readonly client: string; readonly keyId: ApiKeyId }
  | { readonly _tag: "Address"; readonly client: string }

/** The `LimitStore` key of a bucket. */
export const keyOf = (bucket: Bucket): string => {
  const address = AddressBucket.of(bucket.client)
  switch (bucket._tag) {
    case "Key":
      return `auth:key:${address}:${bucket.keyId}`
    case "UnknownKey":
      return `auth:unknown:${address}:${bucket.keyId}`
    case "Address":
      return `auth:address:${address}`
  }
}

/** The throttle used by the `Authenticator`. */
export class FailureThrottle extends Context.Service<
  FailureThrottle,
  {
    /** Fails with `TooManyAttempts` when the bucket must wait. */
    readonly check: (bucket: Bucket) => Effect.Effect<void, TooManyAttempts>
    /** Counts one failed attempt in the bucket. */
    readonly recordFailure: (bucket: Bucket) => Effect.Effect<void>
  }
>()("@securebase/core/auth/FailureThrottle") {
  /**
   * A throttle over the `LimitStore` in context. When the store is unavailable the throttle lets
   * attempts through (and logs it): every credential is still checked in full, and a 256-bit
   * secret cannot be guessed during an outage, while refusing every failure-prone request would
   * turn a counter outage into an authentication outage.
   */
  static readonly make = Effect.fnUntraced(function* (options?: { readonly policy?: Settings }) {
    const policy = options?.policy ?? defaultSettings
    const store = yield* LimitStore
    return FailureThrottle.of({
      check: (bucket) =>
        Effect.gen(function* () {
          const now = yield* Clock.currentTimeMillis
          const window = yield* store.peek(keyOf(bucket), now)
          const state =
            window._tag === "None"
              ? undefined
              : {
                  failures: window.value.count,
                  windowStart: window.value.startedAt,
                  lastFailureAt: window.value.lastAt
                }
          const decision = decide(state, now, policy)
          if (decision._tag === "Refuse") {
            return yield* new TooManyAttempts({ retryAfterMillis: Math.ceil(decision.retryAfterMillis) })
          }
        }).pipe(
          Effect.catchTag("LimitStoreUnavailable", (error) =>
            Effect.logError("auth throttle: the limit store is unavailable; not throttling", error)
          )
        ),
      recordFailure: (bucket) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) =>
          store.hit(keyOf(bucket), { now, ttlMillis: policy.windowMillis })
        ).pipe(
          Effect.asVoid,
          Effect.catchTag("LimitStoreUnavailable", (error) =>
            Effect.logError("auth throttle: the limit store is unavailable; failure not counted", error)
          )
        )
    })
  })

  /** The default throttle (`defaultSettings`) over the `LimitStore` in context. */
  static readonly layer = Layer.effect(FailureThrottle, FailureThrottle.make())

  /** A throttle with its own policy. */
  static readonly layerWith = (options: { readonly policy?: Settings }) =>
    Layer.effect(FailureThrottle, FailureThrottle.make(options))
}
