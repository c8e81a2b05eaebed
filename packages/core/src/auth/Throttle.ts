/**
 * The failure throttle: repeated authentication failures from one client are refused for a while,
 * the wait doubling with each failure past a free allowance, and refused outright past a ceiling
 * until the window ends. The policy is a pure function of (state, now); `FailureThrottle` keeps the
 * per-client state (bounded, oldest evicted) and reads the time from `Clock`, so `TestClock`
 * drives it.
 *
 * Refused attempts are not counted (they never reach the credential check, so they teach an
 * attacker nothing) and success does not reset the count (else one valid key would let a client
 * interleave unlimited guesses).
 */
import { Clock, Context, Duration, Effect, Layer } from "effect"
import { TooManyAttempts } from "./AuthError.ts"

/** Throttling parameters. */
export interface Policy {
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
export const defaultPolicy: Policy = {
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
export const isStale = (state: ClientState, now: number, policy: Policy): boolean =>
  now - state.windowStart >= policy.windowMillis

/** The wait imposed after `failures` failures (0 within the free allowance). */
export const delayAfter = (failures: number, policy: Policy): number =>
  failures < policy.freeFailures
    ? 0
    : Math.min(policy.baseDelayMillis * 2 ** (failures - policy.freeFailures), policy.maxDelayMillis)

/** May a client in `state` attempt at `now`? */
export const decide = (state: ClientState | undefined, now: number, policy: Policy): Decision => {
  if (state === undefined || isStale(state, now, policy)) return allow
  if (state.failures >= policy.maxFailures)
    return { _tag: "Refuse", retryAfterMillis: state.windowStart + policy.windowMillis - now }
  const readyAt = state.lastFailureAt + delayAfter(state.failures, policy)
  return now < readyAt ? { _tag: "Refuse", retryAfterMillis: readyAt - now } : allow
}

/** The state after one more failure at `now`. */
export const recordFailure = (state: ClientState | undefined, now: number, policy: Policy): ClientState =>
  state === undefined || isStale(state, now, policy)
    ? { failures: 1, windowStart: now, lastFailureAt: now }
    : { failures: state.failures + 1, windowStart: state.windowStart, lastFailureAt: now }

/** The per-client throttle used by the `Authenticator`. */
export class FailureThrottle extends Context.Service<
  FailureThrottle,
  {
    /** Fails with `TooManyAttempts` when `client` must wait. */
    readonly check: (client: string) => Effect.Effect<void, TooManyAttempts>
    /** Counts one failed attempt of `client`. */
    readonly recordFailure: (client: string) => Effect.Effect<void>
  }
>()("@securebase/core/auth/FailureThrottle") {
  /** An in-process throttle tracking at most `maxClients` clients (default 100,000). */
  static readonly make = (options?: { readonly policy?: Policy; readonly maxClients?: number }) =>
    Effect.sync(() => {
      const policy = options?.policy ?? defaultPolicy
      const maxClients = options?.maxClients ?? 100_000
      // A Map iterates in insertion order; re-inserting on update keeps the oldest first.
      const clients = new Map<string, ClientState>()
      return FailureThrottle.of({
        check: (client) =>
          Effect.flatMap(Clock.currentTimeMillis, (now) => {
            const decision = decide(clients.get(client), now, policy)
            return decision._tag === "Allow"
              ? Effect.void
              : Effect.fail(new TooManyAttempts({ retryAfterMillis: Math.ceil(decision.retryAfterMillis) }))
          }),
        recordFailure: (client) =>
          Effect.map(Clock.currentTimeMillis, (now) => {
            const next = recordFailure(clients.get(client), now, policy)
            clients.delete(client)
            clients.set(client, next)
            if (clients.size > maxClients) {
              const oldest = clients.keys().next()
              if (!oldest.done) clients.delete(oldest.value)
            }
          })
      })
    })

  /** The default throttle (`defaultPolicy`). */
  static readonly layer = Layer.effect(FailureThrottle, FailureThrottle.make())

  /** A throttle with its own policy. */
  static readonly layerWith = (options: { readonly policy?: Policy; readonly maxClients?: number }) =>
    Layer.effect(FailureThrottle, FailureThrottle.make(options))
}
