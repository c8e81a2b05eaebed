/** API key handlers: list, create (the secret once), revoke (store, cache and sessions at once). */
import { Authenticator } from "@securebase/core"
import { DateTime, Effect, Redacted } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { Api } from "../Api.ts"
import { BadRequest, ServiceUnavailable, Unprocessable } from "../api/ApiErrors.ts"
import { fromAuthError, fromUnknownPlan, notFound } from "../api/ErrorMapping.ts"
import { CurrentIdentity } from "../auth/Authentication.ts"

const unavailable = () =>
  new ServiceUnavailable({
    code: "AUTH.BACKEND_UNAVAILABLE",
    message: "the key store is temporarily unavailable"
  })

/** The handlers of the `apiKeys` group. */
export const layer = HttpApiBuilder.group(
  Api,
  "apiKeys",
  Effect.fnUntraced(function* (handlers) {
    const auth = yield* Authenticator.Authenticator
    return handlers
      .handle("list", () =>
        Effect.gen(function* () {
          const identity = yield* CurrentIdentity
          return yield* auth.listKeys(identity.customerId).pipe(
            Effect.catchTags({
              AuthBackendUnavailable: () => Effect.fail(unavailable()),
              AuthenticationFailed: (e) => Effect.fail(fromAuthError(e))
            })
          )
        })
      )
      .handle("create", ({ payload }) =>
        Effect.gen(function* () {
          const identity = yield* CurrentIdentity
          // A key cannot grant more than the key that creates it holds.
          const excess = payload.scopes.filter((s) => !identity.scopes.includes(s))
          if (excess.length > 0) {
            return yield* new Unprocessable({
              code: "API_KEY.SCOPE_ESCALATION",
              message: `a key cannot grant scopes its creator lacks: ${excess.join(", ")}`,
              field: "scopes"
            })
          }
          const now = yield* DateTime.now
          const created = yield* auth
            .createKey({
              customerId: identity.customerId,
              name: payload.name,
              scopes: payload.scopes,
              mode: payload.mode ?? identity.mode,
              ...(payload.expiresInDays === undefined
                ? {}
                : { expiresAt: DateTime.add(now, { days: payload.expiresInDays }) })
            })
            .pipe(
              Effect.catchTags({
                // The payload schema already refuses such names; this is the core's own check.
                InvalidKeyName: (e) =>
                  Effect.fail(new BadRequest({ code: "REQUEST.INVALID", message: e.message, field: "name" })),
                ApiKeyLimitReached: (e) =>
                  Effect.fail(
                    new Unprocessable({
                      code: e.code,
                      message: `the ${e.plan} plan allows ${e.limit} active API keys; revoke one first`
                    })
                  ),
                // The caller's own account was suspended, or its credential revoked, after it
                // authenticated: no longer authenticated.
                AuthenticationFailed: (e) => Effect.fail(fromAuthError(e)),
                AuthBackendUnavailable: () => Effect.fail(unavailable()),
                UnknownPlan: (e) => Effect.fail(fromUnknownPlan(e))
              })
            )
          return {
            apiKey: created.key,
            secret: Redacted.value(created.plaintext),
            notice: "Store this key now: it is shown once and cannot be recovered."
          }
        })
      )
      .handle("revoke", ({ params }) =>
        Effect.gen(function* () {
          const identity = yield* CurrentIdentity
          return yield* auth.revokeKey(identity.customerId, params.id).pipe(
            Effect.catchTags({
              ApiKeyNotFound: () => Effect.fail(notFound("api key")),
              AuthBackendUnavailable: () => Effect.fail(unavailable()),
              AuthenticationFailed: (e) => Effect.fail(fromAuthError(e))
            })
          )
        })
      )
  })
)
