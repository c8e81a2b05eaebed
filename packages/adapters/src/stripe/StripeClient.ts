/**
 * The official `stripe` SDK client, configured from a secret key and an optional endpoint
 * override (`STRIPE_API_BASE`: its protocol, host and port go to the SDK's own options, which is
 * how tests point it at a local stand-in).
 *
 * Retries are ours, not the SDK's (`maxNetworkRetries: 0`): the SDK retries 5xx and 409 but not a
 * 429 without Stripe's `Stripe-Should-Retry` header, and its sleeps are invisible to the Effect
 * runtime. {@link call} retries 429, 409, 5xx and connection failures with exponential backoff
 * (`Schedule.exponential`), every request carrying the same idempotency key.
 */
import { PaymentProvider } from "@securebase/core"
import { Duration, Effect, Redacted, Schedule } from "effect"
import Stripe from "stripe"

/** How the client reaches Stripe. */
export interface ClientOptions {
  readonly secretKey: Redacted.Redacted<string>
  /** The endpoint (default `https://api.stripe.com`). */
  readonly apiBase?: URL | undefined
  /** Per-request timeout (default 30 s). */
  readonly timeout?: Duration.Input | undefined
}

/** The retry policy of one call. */
export interface CallRetry {
  /** Retries after the first attempt (default 3). */
  readonly times: number
  /** The first wait; each further wait doubles (default 500 ms). */
  readonly base: Duration.Input
}

/** 3 retries after 0.5 s, 1 s, 2 s. */
export const defaultRetry: CallRetry = { times: 3, base: "500 millis" }

/** A client on the SDK. */
export const make = (options: ClientOptions): Stripe => {
  const base = options.apiBase
  return new Stripe(Redacted.value(options.secretKey), {
    maxNetworkRetries: 0,
    telemetry: false,
    timeout: Duration.toMillis(Duration.fromInputUnsafe(options.timeout ?? "30 seconds")),
    ...(base === undefined
      ? {}
      : {
          host: base.hostname,
          protocol: base.protocol === "http:" ? ("http" as const) : ("https" as const),
          port: base.port === "" ? (base.protocol === "http:" ? 80 : 443) : Number(base.port)
        })
  })
}

interface StripeErrorLike {
  readonly type?: unknown
  readonly statusCode?: unknown
  readonly message?: unknown
  readonly code?: unknown
}

/** The provider error of an SDK failure: 429, 409, 5xx and connection failures are retryable. */
export const toProviderError = (operation: string, cause: unknown): PaymentProvider.PaymentProviderError => {
  const e = (typeof cause === "object" && cause !== null ? cause : {}) as StripeErrorLike
  const status = typeof e.statusCode === "number" ? e.statusCode : null
  const type = typeof e.type === "string" ? e.type : "Error"
  const retryable =
    status === null
      ? type === "StripeConnectionError" || type === "StripeAPIError" || type === "Error"
      : status === 429 || status === 409 || status >= 500
  const message = typeof e.message === "string" ? e.message.split("\n")[0]!.slice(0, 300) : String(cause)
  return new PaymentProvider.PaymentProviderError({
    provider: "stripe",
    operation,
    reason: `${type}${status === null ? "" : ` ${status}`}: ${message}`,
    status,
    retryable
  })
}

/** One SDK call as an Effect, retried by `retry` while the failure is retryable. */
export const call = <A>(
  operation: string,
  request: () => Promise<A>,
  retry: CallRetry = defaultRetry
): Effect.Effect<A, PaymentProvider.PaymentProviderError> =>
  Effect.tryPromise({
    // The SDK takes no abort signal: an interrupted call finishes in the background, and its
    // idempotency key makes the retry that follows return the same object.
    try: () => request(),
    catch: (cause) => toProviderError(operation, cause)
  }).pipe(
    Effect.retry({
      schedule: Schedule.exponential(Duration.fromInputUnsafe(retry.base), 2),
      times: retry.times,
      while: (error) => error.retryable
    }),
    Effect.withSpan(`Stripe.${operation}`)
  )
