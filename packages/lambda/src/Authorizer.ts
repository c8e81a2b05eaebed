/**
 * The API Gateway HTTP API Lambda authorizer (the reference card's `auth_v2`): a REQUEST
 * authorizer with payload format 2.0 and simple responses. The bearer credential of the
 * `Authorization` header is an API key (`sb_live_…` / `sb_test_…`) or a session token, checked by
 * the same `Authenticator` (cache, store, deny list, throttle) as the API's own middleware; the
 * client is the gateway's `requestContext.http.sourceIp`. Without an Authorization header, the
 * customer portal's session cookie (`sb_session`) is checked instead, as the API's middleware
 * does (the API function then also checks the CSRF token of state-changing requests).
 *
 * An operator key (`sb_op_…`, the `/admin` API's credential) is checked by `Operators`, as the
 * API's operator middleware does; its context names the operator instead of a customer.
 *
 * - a credential that does not authenticate (or a throttled client) → `{ isAuthorized: false }`,
 *   which the gateway answers with 403;
 * - the auth backend is down, or the event is not a 2.0 REQUEST event → the invocation fails, which
 *   the gateway answers with 500 (and does not cache), rather than denying a valid caller.
 */
import { ApiKey, type AuthError, Authenticator, type Identity, Operator, Operators } from "@securebase/core"
import * as ClientAddress from "@securebase/http/client-address"
import { Effect, Schema } from "effect"

/** The parts of a 2.0 REQUEST authorizer event the authorizer reads. */
export const AuthorizerEvent = Schema.Struct({
  version: Schema.Literal("2.0"),
  type: Schema.Literal("REQUEST"),
  routeArn: Schema.optional(Schema.String),
  identitySource: Schema.optional(Schema.NullOr(Schema.Array(Schema.String))),
  headers: Schema.optional(Schema.Record(Schema.String, Schema.String)),
  cookies: Schema.optional(Schema.Array(Schema.String)),
  requestContext: Schema.Struct({
    requestId: Schema.optional(Schema.String),
    http: Schema.Struct({ sourceIp: Schema.String })
  })
})
export type AuthorizerEvent = typeof AuthorizerEvent.Type

/** What the API sees as `requestContext.authorizer.lambda` for a tenant's key or session (scopes space-separated, as in OAuth). */
export interface CustomerContext {
  readonly customerId: string
  readonly plan: string
  readonly scopes: string
  readonly keyId: string
}

/** What the API sees for an operator key: `principal` is `operator`, scopes space-separated. */
export interface OperatorContext {
  readonly principal: "operator"
  readonly operatorId: string
  readonly scopes: string
}

/** The context of an allowed request. */
export type AuthorizerContext = CustomerContext | OperatorContext

/** A simple response. */
export interface SimpleResponse {
  readonly isAuthorized: boolean
  readonly context?: AuthorizerContext
}

/** The event is not a payload 2.0 REQUEST authorizer event. */
export class UnsupportedAuthorizerEvent extends Schema.TaggedError<UnsupportedAuthorizerEvent>()(
  "UnsupportedAuthorizerEvent",
  { message: Schema.String }
) {}

const denied: SimpleResponse = { isAuthorized: false }

/** The bearer credential: the `Authorization` header (or the first identity source), without "Bearer ". */
export const credentialOf = (event: AuthorizerEvent): string | undefined => {
  const header =
    Object.entries(event.headers ?? {}).find(([name]) => name.toLowerCase() === "authorization")?.[1] ??
    event.identitySource?.[0]
  const match = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header)
  return match?.[1]
}

/** The portal's session cookie (the name `@securebase/http`'s `SessionCookie.sessionCookie` gives it). */
export const sessionCookie = "sb_session"

/** The session token of the portal's cookie, when the event has no Authorization header. */
export const sessionCookieOf = (event: AuthorizerEvent): string | undefined => {
  const hasAuthorization = Object.keys(event.headers ?? {}).some(
    (name) => name.toLowerCase() === "authorization"
  )
  if (hasAuthorization) return undefined
  const entry = (event.cookies ?? []).find((c) => c.startsWith(`${sessionCookie}=`))
  const token = entry?.slice(sessionCookie.length + 1)
  return token === undefined || token === "" ? undefined : token
}

/** The simple response for an authenticated identity. */
export const allow = (identity: Identity.Identity): SimpleResponse => ({
  isAuthorized: true,
  context: {
    customerId: identity.customerId,
    plan: identity.plan,
    scopes: identity.scopes.join(" "),
    keyId: identity.keyId
  }
})

/** The simple response for an authenticated operator. */
export const allowOperator = (identity: Operator.OperatorIdentity): SimpleResponse => ({
  isAuthorized: true,
  context: { principal: "operator", operatorId: identity.operatorId, scopes: identity.scopes.join(" ") }
})

/** Authorizes one event. */
export const authorize = Effect.fn("Authorizer.authorize")(function* (event: unknown) {
  const decoded = yield* Schema.decodeUnknownEffect(AuthorizerEvent)(event).pipe(
    Effect.mapError(
      () =>
        new UnsupportedAuthorizerEvent({
          message:
            "expected an HTTP API REQUEST authorizer event with payload format version 2.0 " +
            "(set AuthorizerPayloadFormatVersion to 2.0)"
        })
    )
  )
  const bearer = credentialOf(decoded)
  const cookie = bearer === undefined ? sessionCookieOf(decoded) : undefined
  const credential = bearer ?? cookie
  if (credential === undefined) return denied
  const sourceIp = decoded.requestContext.http.sourceIp
  // The same canonical form the API's middleware counts, so both share one throttle bucket.
  const client = ClientAddress.canonical(sourceIp) ?? sourceIp
  if (cookie === undefined && Operator.isOperatorShaped(credential)) {
    const operators = yield* Operators.Operators
    return yield* operators.authenticate(credential, client).pipe(
      Effect.map(allowOperator),
      Effect.catch((error) =>
        error._tag === "AuthBackendUnavailable"
          ? Effect.fail(error)
          : Effect.as(
              Effect.logInfo("authorizer denied an operator key", { code: error.code, client }),
              denied
            )
      )
    )
  }
  const auth = yield* Authenticator.Authenticator
  // The cookie only ever holds a session token.
  const identity: Effect.Effect<Identity.Identity, AuthError.KeyError | AuthError.SessionError> =
    cookie === undefined && ApiKey.isKeyShaped(credential)
      ? auth.authenticate(credential, client)
      : auth.verifySession(credential, client)
  return yield* identity.pipe(
    Effect.map(allow),
    Effect.catch((error) =>
      error._tag === "AuthBackendUnavailable"
        ? Effect.fail(error)
        : Effect.as(Effect.logInfo("authorizer denied", { code: error.code, client }), denied)
    )
  )
})
