/**
 * The bearer middleware: an `sb_live_…`/`sb_test_…` credential is an API key, anything else a
 * session token. Either becomes the request's `CurrentIdentity`, and the credential becomes its
 * `Tenancy.CurrentPrincipal`, which the tenant transaction re-checks against the database (a
 * credential revoked on another instance, or after a cache filled, is refused there with 401).
 * Failures answer 401 (429 when the client is throttled, 503 when the auth backend is down),
 * never 500.
 *
 * Once authenticated, the request counts against the customer's tier limit
 * (`apiRateLimitPerMinute`, all its keys together): past it, 429 `TIER.RATE_LIMITED` with
 * Retry-After. An unavailable limit store lets the request through (logged), as the per-address
 * limit does.
 *
 * A request with no Authorization header at all may authenticate with the browser's session
 * cookie instead (see `SessionCookie`): its state-changing requests must carry the CSRF token and
 * come from this origin (403 otherwise), checked before the session itself.
 */
import {
  ApiKey,
  Authenticator,
  type Identity,
  LimitStore,
  Pricing,
  Tenancy,
  TierLimit
} from "@securebase/core"
import { Effect, Layer, Option, Redacted } from "effect"
import { HttpServerRequest } from "effect/http"
import { forbidden, fromAuthError, fromTierLimit, fromUnknownPlan } from "../api/ErrorMapping.ts"
import * as ClientAddress from "../server/ClientAddress.ts"
import { Authentication, CurrentIdentity } from "./Authentication.ts"
import * as Scopes from "./Scopes.ts"
import * as SessionCookie from "./SessionCookie.ts"

/** Whether a bearer credential looks like an API key (rather than a session token). */
export const isApiKey = ApiKey.isKeyShaped

/** The principal of an authenticated identity: its key and, for a session, the session. */
export const principalOf = (identity: Identity.Identity): Tenancy.Principal =>
  identity.sessionId === undefined
    ? { actor: `api_key:${identity.keyId}`, keyId: identity.keyId }
    : { actor: `session:${identity.sessionId}`, keyId: identity.keyId, sessionId: identity.sessionId }

/** The middleware's implementation. `trustProxy` must match the rate limiter's. */
export const layer = (options: { readonly trustProxy: ClientAddress.TrustProxy }) =>
  Layer.effect(
    Authentication,
    Effect.gen(function* () {
      const auth = yield* Authenticator.Authenticator
      const store = yield* LimitStore.LimitStore
      const policy = yield* Pricing.Pricing
      return Authentication.of({
        bearer: (httpEffect, { credential, endpoint }) =>
          Effect.gen(function* () {
            const request = yield* HttpServerRequest.HttpServerRequest
            const client = yield* ClientAddress.ofRequest(request, options.trustProxy)
            const cookie =
              request.headers.authorization === undefined ? SessionCookie.sessionTokenOf(request) : undefined
            if (cookie !== undefined) yield* SessionCookie.requireCsrf(request, cookie, options)
            const token = cookie ?? Redacted.value(credential)
            // The cookie only ever holds a session token: an API key there is refused like any bad token.
            const identity = yield* (
              cookie === undefined && isApiKey(token)
                ? auth.authenticate(token, client)
                : auth.verifySession(token, client)
            ).pipe(Effect.mapError(fromAuthError))
            // The endpoint's declared scope (see `Scopes`), before any work is done for the request.
            const scope = Scopes.of(endpoint)
            if (Option.isSome(scope) && !identity.scopes.includes(scope.value))
              return yield* forbidden(scope.value)
            yield* TierLimit.consume(identity.customerId, identity.plan).pipe(
              Effect.provideService(LimitStore.LimitStore, store),
              Effect.provideService(Pricing.Pricing, policy),
              Effect.catchTags({
                TierRateLimitExceeded: (error) => Effect.fail(fromTierLimit(error)),
                UnknownPlan: (error) => Effect.fail(fromUnknownPlan(error)),
                LimitStoreUnavailable: (error) =>
                  Effect.logError("tier limit: the limit store is unavailable; not limiting", error)
              })
            )
            return yield* httpEffect.pipe(
              Effect.provideService(CurrentIdentity, identity),
              Effect.provideService(Tenancy.CurrentPrincipal, principalOf(identity))
            )
          })
      })
    })
  )
