/**
 * The per-address request rate limit, as global middleware: at most `limit` requests per `window`
 * per client address (an IPv6 client per /64), counted with `RateLimit`'s sliding window on the
 * `LimitStore`: in memory per process by default, or shared by every instance through Redis or
 * DynamoDB (`RATE_LIMIT_STORE`). The client is `ClientAddress.ofRequest` (`TRUST_PROXY`).
 *
 * The default policy is the ThemisGuard seed's WAF rule: 1,000 requests per client IP per 5
 * minutes. When the store is unavailable requests are served unlimited and the outage is logged:
 * a limiter must not turn a counter outage into an API outage.
 */
import { AddressBucket, LimitStore, RateLimit } from "@securebase/core"
import { Duration, Effect } from "effect"
import { HttpRouter, HttpServerRequest, HttpServerResponse } from "effect/http"
import * as ClientAddress from "./ClientAddress.ts"
import { errorResponse } from "./ErrorResponses.ts"

/** How many requests a client may make per window. */
export interface Quota {
  readonly limit: number
  readonly window: Duration.Duration
}

/** The seed's WAF rule. */
export const defaultQuota: Quota = { limit: 1000, window: Duration.minutes(5) }

/** The middleware's settings. */
export interface Options {
  readonly policy: Quota
  /** Which proxies may name the client (`TRUST_PROXY`). */
  readonly trustProxy: ClientAddress.TrustProxy
  /** Paths never limited (health checks from load balancers). */
  readonly exempt: ReadonlyArray<string>
}

/** The store key of a client address's limit. */
export const keyOf = (address: string): string => `rate:${AddressBucket.of(address)}`

// Characters the WHATWG URL parser leaves as they are in a path (no dot segments, no percent
// sign, no backslash, nothing it encodes or strips).
const plainPath = /^\/(?!\/)[A-Za-z0-9/_~!$&'()*+,;=:@-]*$/

/**
 * `new URL(url, base).pathname` of a request target, without parsing a URL when the path needs
 * no normalizing (the common case): every request asks, and the parse is kept for the rare
 * target that needs it. A target the parser refuses (`//`) is its raw path, which no exemption
 * names (the parser threw here before: a defect for a client's request target).
 */
export const pathOf = (url: string): string => {
  const end = url.search(/[?#]/)
  const path = end < 0 ? url : url.slice(0, end)
  if (plainPath.test(path)) return path
  return URL.canParse(url, "http://local") ? new URL(url, "http://local").pathname : path
}

/** Global middleware: 429 with Retry-After when a client is over its limit; RateLimit-* headers otherwise. */
export const middleware = (options: Options) =>
  HttpRouter.middleware(
    Effect.gen(function* () {
      const store = yield* LimitStore.LimitStore
      const policy: RateLimit.Quota = {
        limit: options.policy.limit,
        windowMillis: Duration.toMillis(options.policy.window)
      }
      const exempt = new Set(options.exempt)
      const limited = (
        request: HttpServerRequest.HttpServerRequest,
        httpEffect: Effect.Effect<HttpServerResponse.HttpServerResponse, unknown>
      ) =>
        Effect.gen(function* () {
          const client = yield* ClientAddress.ofRequest(request, options.trustProxy)
          const decision = yield* RateLimit.consume(keyOf(client), policy).pipe(
            Effect.provideService(LimitStore.LimitStore, store),
            Effect.catchTag("LimitStoreUnavailable", (error) =>
              Effect.as(
                Effect.logError("rate limit: the limit store is unavailable; not limiting", error),
                undefined
              )
            )
          )
          if (decision === undefined) return yield* httpEffect
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
      // An exempt path (a load balancer's health check) goes straight to the app: one lookup, no
      // generator, nothing counted.
      return (httpEffect) =>
        Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) =>
          exempt.has(pathOf(request.url)) ? httpEffect : limited(request, httpEffect)
        )
    }),
    { global: true }
  )
