/**
 * `POST /auth/authenticate`: the API key in the Authorization header → a 24-hour session token.
 * `POST /auth/logout`: the session of the request (authenticated by the middleware) is revoked,
 * durably (PostgreSQL) and for every instance.
 */
import { Authenticator } from "@securebase/core"
import { Effect } from "effect"
import { HttpServerRequest } from "effect/http"
import { HttpApiBuilder } from "effect/http-api"
import { Api } from "../Api.ts"
import { BadRequest, ServiceUnavailable, Unauthorized } from "../api/ApiErrors.ts"
import { fromAuthError } from "../api/ErrorMapping.ts"
import * as ClientAddress from "../server/ClientAddress.ts"
import { CurrentIdentity } from "./Authentication.ts"
import { isApiKey } from "./AuthenticationLive.ts"

const missing = new Unauthorized({
  code: "AUTH.MISSING_CREDENTIAL",
  message: "send the API key as Authorization: Bearer sb_live_…"
})

/** The handlers of the `auth` group. */
export const layer = (options: { readonly trustProxy: ClientAddress.TrustProxy }) =>
  HttpApiBuilder.group(
    Api,
    "auth",
    Effect.fnUntraced(function* (handlers) {
      const auth = yield* Authenticator.Authenticator
      return handlers
        .handle("logout", () =>
          Effect.gen(function* () {
            const identity = yield* CurrentIdentity
            if (identity.sessionId === undefined) {
              return yield* new BadRequest({
                code: "AUTH.SESSION_REQUIRED",
                message: "logout ends a session: send the session token, not an API key"
              })
            }
            yield* auth
              .revokeSession({
                sessionId: identity.sessionId,
                customerId: identity.customerId,
                keyId: identity.keyId
              })
              .pipe(
                Effect.mapError((e) =>
                  e._tag === "AuthBackendUnavailable"
                    ? new ServiceUnavailable({
                        code: e.code,
                        message: "the session store is temporarily unavailable"
                      })
                    : fromAuthError(e)
                )
              )
          })
        )
        .handle("authenticate", ({ headers }) =>
          Effect.gen(function* () {
            const match = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? "")
            if (match === null) return yield* missing
            const credential = match[1]!
            if (!isApiKey(credential)) {
              return yield* new Unauthorized({
                code: "AUTH.API_KEY_REQUIRED",
                message: "a session is exchanged for an API key, not for another session token"
              })
            }
            const request = yield* HttpServerRequest.HttpServerRequest
            const client = yield* ClientAddress.ofRequest(request, options.trustProxy)
            const { token, claims } = yield* auth
              .exchange(credential, client)
              .pipe(Effect.mapError(fromAuthError))
            return {
              token,
              tokenType: "Bearer" as const,
              expiresAt: new Date(claims.exp * 1000).toISOString(),
              customerId: claims.sub,
              plan: claims.plan,
              scopes: claims.scopes
            }
          })
        )
    })
  )
