/**
 * The operator middleware: an `sb_op_…` bearer is checked against the operator store on every
 * request (no cache: a revoked operator stops at once), then the endpoint's operator scope. The
 * request runs with `CurrentOperator` and the principal `operator:<id>`, which carries no tenant
 * credential: an operator acts on a customer through `Tenancy.runAs` like anyone else, so
 * row-level security applies, and that customer's audit chain records the operator as the actor.
 */
import { ApiKey, Operator, Operators, Tenancy } from "@securebase/core"
import { Effect, Layer, Option, Redacted } from "effect"
import { HttpServerRequest } from "effect/http"
import { Forbidden, Unauthorized } from "../api/ApiErrors.ts"
import { forbidden, fromAuthError } from "../api/ErrorMapping.ts"
import * as SessionCookie from "../auth/SessionCookie.ts"
import * as ClientAddress from "../server/ClientAddress.ts"
import { CurrentOperator, OperatorAuthentication } from "./OperatorAuthentication.ts"
import * as OperatorScopes from "./OperatorScopes.ts"

/** Whether a credential is a tenant's: an API key, or a session token (a JWT: three dotted parts). */
const isTenantCredential = (credential: string): boolean =>
  (ApiKey.isKeyShaped(credential) && !Operator.isOperatorShaped(credential)) ||
  /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(credential)

/** The principal of an operator: `operator:<id>`, no tenant credential to re-check. */
export const principalOf = (identity: Operator.OperatorIdentity): Tenancy.Principal => ({
  actor: Operator.actorOf(identity.operatorId)
})

/**
 * The middleware's implementation. `trustProxy` must match the rate limiter's: failed attempts are
 * counted per client address, in the tenant keys' throttle.
 */
export const layer = (options: { readonly trustProxy: ClientAddress.TrustProxy }) =>
  Layer.effect(
    OperatorAuthentication,
    Effect.gen(function* () {
      const operators = yield* Operators.Operators
      return OperatorAuthentication.of({
        operator: (httpEffect, { credential, endpoint }) =>
          Effect.gen(function* () {
            const request = yield* HttpServerRequest.HttpServerRequest
            const token = Redacted.value(credential)
            if (
              isTenantCredential(token) ||
              (token === "" && SessionCookie.sessionTokenOf(request) !== undefined)
            )
              return yield* new Forbidden({
                code: "AUTH.OPERATOR_REQUIRED",
                message: "the /admin endpoints take an operator key (sb_op_…), not a tenant's credential"
              })
            if (token === "")
              return yield* new Unauthorized({
                code: "AUTH.OPERATOR_KEY_REQUIRED",
                message: "send an operator key as Authorization: Bearer sb_op_…"
              })
            const client = yield* ClientAddress.ofRequest(request, options.trustProxy)
            const identity = yield* operators.authenticate(token, client).pipe(Effect.mapError(fromAuthError))
            const scope = OperatorScopes.of(endpoint)
            if (Option.isSome(scope) && !identity.scopes.includes(scope.value))
              return yield* forbidden(scope.value)
            return yield* httpEffect.pipe(
              Effect.provideService(CurrentOperator, identity),
              Effect.provideService(Tenancy.CurrentPrincipal, principalOf(identity))
            )
          })
      })
    })
  )
