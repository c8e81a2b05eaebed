/**
 * `POST /auth/session` and `DELETE /auth/session`: the browser's session in cookies (see
 * `SessionApi` and `SessionCookie`). Signing in is refused from another origin (login CSRF);
 * signing out is a state change like any other and needs the CSRF token.
 */
import { Authenticator } from "@securebase/core"
import { Clock, Effect, Option } from "effect"
import { HttpEffect, HttpServerRequest, HttpServerResponse } from "effect/http"
import { HttpApiBuilder } from "effect/http-api"
import { Api } from "../Api.ts"
import { ServiceUnavailable, Unauthorized } from "../api/ApiErrors.ts"
import { fromAuthError } from "../api/ErrorMapping.ts"
import * as ClientAddress from "../server/ClientAddress.ts"
import { isApiKey } from "./AuthenticationLive.ts"
import * as SessionCookie from "./SessionCookie.ts"

/** The handlers of the `session` group. */
export const layer = (options: { readonly trustProxy: ClientAddress.TrustProxy }) =>
  HttpApiBuilder.group(
    Api,
    "session",
    Effect.fnUntraced(function* (handlers) {
      const auth = yield* Authenticator.Authenticator
      return handlers
        .handle("signIn", ({ payload }) =>
          Effect.gen(function* () {
            const request = yield* HttpServerRequest.HttpServerRequest
            yield* SessionCookie.requireSameOrigin(request, options)
            if (!isApiKey(payload.apiKey)) {
              return yield* new Unauthorized({
                code: "AUTH.API_KEY_REQUIRED",
                message: "sign in with an API key (sb_live_… or sb_test_…)",
                field: "apiKey"
              })
            }
            const { token, claims } = yield* auth
              .exchange(payload.apiKey, yield* ClientAddress.ofRequest(request, options.trustProxy))
              .pipe(Effect.mapError(fromAuthError))
            const nowSeconds = Math.floor((yield* Clock.currentTimeMillis) / 1000)
            const maxAge = claims.exp - nowSeconds
            const csrfToken = SessionCookie.csrfTokenFor(token)
            yield* HttpEffect.appendPreResponseHandler((_request, response) =>
              Effect.succeed(
                HttpServerResponse.setCookiesUnsafe(response, [
                  [SessionCookie.sessionCookie, token, SessionCookie.cookieOptions(maxAge, true)],
                  [SessionCookie.csrfCookie, csrfToken, SessionCookie.cookieOptions(maxAge, false)]
                ])
              )
            )
            return {
              customerId: claims.sub,
              plan: claims.plan,
              scopes: claims.scopes,
              expiresAt: new Date(claims.exp * 1000).toISOString(),
              csrfToken
            }
          })
        )
        .handle("signOut", () =>
          Effect.gen(function* () {
            const request = yield* HttpServerRequest.HttpServerRequest
            const token = SessionCookie.sessionTokenOf(request)
            if (token !== undefined) {
              yield* SessionCookie.requireCsrf(request, token, options)
              // A session that no longer verifies (expired, forged, revoked) has nothing left to end.
              const verified = yield* Effect.option(
                auth.verifySession(token, yield* ClientAddress.ofRequest(request, options.trustProxy))
              )
              if (Option.isSome(verified) && verified.value.sessionId !== undefined) {
                yield* auth
                  .revokeSession({
                    sessionId: verified.value.sessionId,
                    customerId: verified.value.customerId,
                    keyId: verified.value.keyId
                  })
                  .pipe(
                    Effect.catchTag("AuthBackendUnavailable", (e) =>
                      Effect.fail(
                        new ServiceUnavailable({
                          code: e.code,
                          message: "the session store is temporarily unavailable"
                        })
                      )
                    ),
                    // Refused in the meantime (its key revoked, the customer suspended): already over.
                    Effect.catch((e) => (e instanceof ServiceUnavailable ? Effect.fail(e) : Effect.void))
                  )
              }
            }
            yield* HttpEffect.appendPreResponseHandler((_request, response) =>
              Effect.succeed(
                HttpServerResponse.setCookiesUnsafe(response, [
                  [SessionCookie.sessionCookie, "", SessionCookie.cookieOptions(0, true)],
                  [SessionCookie.csrfCookie, "", SessionCookie.cookieOptions(0, false)]
                ])
              )
            )
          })
        )
    })
  )
