/**
 * The bearer middleware: an `sb_live_…`/`sb_test_…` credential is an API key, anything else a
 * session token. Either becomes the request's `CurrentIdentity`, and its `Tenancy.CurrentPrincipal`
 * (the actor the audit trail records); failures answer 401 (429 when the client is throttled, 503
 * when the auth backend is down), never 500.
 */
import { Authenticator, type Identity, Tenancy } from "@securebase/core"
import { Effect, Layer, Redacted } from "effect"
import { HttpServerRequest } from "effect/http"
import { forbidden, fromAuthError } from "../api/ErrorMapping.ts"
import { clientKey } from "../server/RateLimiter.ts"
import { Authentication, CurrentIdentity } from "./Authentication.ts"

/** Who acts for an identity: the session when it came through one, else the API key. */
export const principalOf = (identity: Identity.Identity): Tenancy.Principal =>
  identity.sessionId === undefined
    ? { actor: `api_key:${identity.keyId}`, keyId: identity.keyId }
    : { actor: `session:${identity.sessionId}`, keyId: identity.keyId, sessionId: identity.sessionId }

/** Whether a bearer credential looks like an API key (rather than a session token). */
export const isApiKey = (credential: string): boolean => credential.startsWith("sb_")

/** The middleware's implementation. `trustProxy` must match the rate limiter's. */
export const layer = (options: { readonly trustProxy: boolean }) =>
  Layer.effect(
    Authentication,
    Effect.gen(function* () {
      const auth = yield* Authenticator.Authenticator
      return Authentication.of({
        bearer: (httpEffect, { credential }) =>
          Effect.gen(function* () {
            const request = yield* HttpServerRequest.HttpServerRequest
            const client = clientKey(request, options)
            const token = Redacted.value(credential)
            const identity = yield* (
              isApiKey(token) ? auth.authenticate(token, client) : auth.verifySession(token, client)
            ).pipe(Effect.mapError(fromAuthError))
            return yield* httpEffect.pipe(
              Effect.provideService(CurrentIdentity, identity),
              Effect.provideService(Tenancy.CurrentPrincipal, principalOf(identity))
            )
          })
      })
    })
  )

/** The current identity, failing with 403 unless it holds `scope`. */
export const requireScope = Effect.fnUntraced(function* (scope: Identity.Identity["scopes"][number]) {
  const identity = yield* CurrentIdentity
  if (!identity.scopes.includes(scope)) return yield* forbidden(scope)
  return identity
})
