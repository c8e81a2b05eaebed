/**
 * Per-client rate limiting with a sliding-window counter (the estimate Cloudflare and the AWS WAF
 * rate rule approximate): the previous window's count, weighted by how much of it still overlaps
 * the sliding window, plus the current window's count. Memory is O(clients), bounded by `maxKeys`.
 * Time comes from `Clock`, so TestClock drives it.
 *
 * The default policy is the ThemisGuard seed's WAF rule: 1,000 requests per client IP per 5 minutes.
 */
import { Clock, Context, Duration, Effect, Layer, Option } from "effect"
import { HttpRouter, HttpServerRequest, HttpServerResponse } from "effect/http"
import { errorResponse } from "./ErrorResponses.ts"

/** How many requests a client may make per window. */
export interface Policy {
  readonly limit: number
  readonly window: Duration.Duration
  /** Clients tracked at once; the least recently seen are forgotten first. */
  readonly maxKeys: number
}

/** The seed's WAF rule. */
export const defaultPolicy: Policy = { limit: 1000, window: Duration.minutes(5), maxKeys: 100_000 }

/** The outcome of one request. */
export type Decision =
  | {
      readonly allowed: true
      readonly limit: number
      readonly remaining: number
      readonly resetSeconds: number
    }
  | { readonly allowed: false; readonly limit: number; readonly retryAfterSeconds: number }

interface Counter {
  windowStart: number
  current: number
  previous: number
}

/** Decides whether a client's request may proceed. */
export class RateLimiter extends Context.Service<
  RateLimiter,
  { readonly consume: (client: string) => Effect.Effect<Decision> }
>()("@securebase/http/RateLimiter") {
  /** The in-process limiter (one Node server or one warm Lambda container). */
  static readonly layer = (policy: Policy = defaultPolicy) =>
    Layer.effect(
      RateLimiter,
      Effect.sync(() => {
        const windowMs = Duration.toMillis(policy.window)
        const counters = new Map<string, Counter>()
        const consume = (client: string) =>
          Effect.map(Clock.currentTimeMillis, (now): Decision => {
            const windowStart = now - (now % windowMs)
            let c = counters.get(client)
            if (c === undefined) {
              c = { windowStart, current: 0, previous: 0 }
            } else {
              counters.delete(client) // re-insert below: Map order is recency order
              if (c.windowStart !== windowStart) {
                c.previous = c.windowStart === windowStart - windowMs ? c.current : 0
                c.current = 0
                c.windowStart = windowStart
              }
            }
            counters.set(client, c)
            if (counters.size > policy.maxKeys) counters.delete(counters.keys().next().value!)
            const elapsed = now - windowStart
            const overlap = (windowMs - elapsed) / windowMs
            const estimate = c.previous * overlap + c.current
            if (estimate + 1 > policy.limit) {
              return {
                allowed: false,
                limit: policy.limit,
                retryAfterSeconds: retryAfter(c, policy.limit, windowMs, elapsed)
              }
            }
            c.current += 1
            return {
              allowed: true,
              limit: policy.limit,
              remaining: Math.max(0, Math.floor(policy.limit - estimate - 1)),
              resetSeconds: Math.ceil((windowMs - elapsed) / 1000)
            }
          })
        return RateLimiter.of({ consume })
      })
    )
}

// Seconds until the estimate leaves room for one more request: within this window if the
// previous window's weight decays enough, otherwise at the next window (when `current` becomes
// the weighted `previous`).
const retryAfter = (c: Counter, limit: number, windowMs: number, elapsed: number): number => {
  const room = limit - c.current - 1
  if (room >= 0 && c.previous > 0) {
    const decayAt = windowMs * (1 - room / c.previous)
    if (decayAt <= windowMs) return Math.max(1, Math.ceil((decayAt - elapsed) / 1000))
  }
  const nextWindow = windowMs - elapsed
  const afterNext = c.current > 0 ? windowMs * (1 - (limit - 1) / c.current) : 0
  return Math.max(1, Math.ceil((nextWindow + Math.max(0, afterNext)) / 1000))
}

/** Where the client's address comes from. */
export interface ClientKeyOptions {
  /**
   * Trust the first `X-Forwarded-For` address (behind a load balancer or API Gateway, which set
   * it); otherwise the socket's address. Never trust it on a server exposed directly: any client
   * could then pick its own key.
   */
  readonly trustProxy: boolean
  /** Paths never limited (health checks from load balancers). */
  readonly exempt: ReadonlyArray<string>
}

/** The client key of a request: its IP address. */
export const clientKey = (
  request: HttpServerRequest.HttpServerRequest,
  options: Pick<ClientKeyOptions, "trustProxy">
) => {
  if (options.trustProxy) {
    const forwarded = request.headers["x-forwarded-for"]
    const first = forwarded?.split(",")[0]?.trim()
    if (first !== undefined && first !== "") return first
  }
  return Option.getOrElse(request.remoteAddress, () => "unknown")
}

/** Global middleware: 429 with Retry-After when a client is over its limit; RateLimit-* headers otherwise. */
export const middleware = (options: ClientKeyOptions) =>
  HttpRouter.middleware(
    Effect.gen(function* () {
      const limiter = yield* RateLimiter
      return (httpEffect) =>
        Effect.gen(function* () {
          const request = yield* HttpServerRequest.HttpServerRequest
          const path = new URL(request.url, "http://local").pathname
          if (options.exempt.includes(path)) return yield* httpEffect
          const decision = yield* limiter.consume(clientKey(request, options))
          if (!decision.allowed) {
            return errorResponse(
              429,
              {
                _tag: "TooManyRequests",
                code: "RATE_LIMITED",
                message: `too many requests; retry after ${decision.retryAfterSeconds} s`,
                retryAfterSeconds: decision.retryAfterSeconds
              },
              { "retry-after": String(decision.retryAfterSeconds), "ratelimit-limit": String(decision.limit) }
            )
          }
          const response = yield* httpEffect
          return HttpServerResponse.setHeaders(response, {
            "ratelimit-limit": String(decision.limit),
            "ratelimit-remaining": String(decision.remaining),
            "ratelimit-reset": String(decision.resetSeconds)
          })
        })
    }),
    { global: true }
  )
