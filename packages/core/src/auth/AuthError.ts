/**
 * Authentication and authorization failures. A refused credential is one error,
 * `AuthenticationFailed`, with a `reason` union (Effect's own pattern for errors whose cases share
 * a shape); throttling, a missing scope, the key limit, an unknown key id and a backend outage
 * are errors of their own, because callers treat them differently. Each carries a stable `code`
 * (`AUTH.KEY_REVOKED`); `packages/http` maps them to status codes (401, 403, 404, 422, 429, 503).
 * None ever carries a secret or a token: only public key ids, session ids and the reason.
 */
import { Schema } from "effect"
import { PlanCode } from "../billing/PriceBook.ts"
import { CustomerId } from "../Ids.ts"

/**
 * Why a credential was refused: one `AuthenticationFailed` error whose `reason` says which check
 * failed. Each reason carries its stable code and the message a caller may read, defined once
 * here; none ever echoes the credential.
 */

/** A presented API key does not have the `sb_<mode>_<keyId>_<secret>` shape. */
export class MalformedKey extends Schema.TaggedClass<MalformedKey>()("MalformedKey", {
  detail: Schema.String
}) {
  readonly code = "AUTH.MALFORMED_KEY"
  readonly message = "the credential is not a SecureBase API key or session token"
}

/** A presented API key starts with something other than `sb_live_` / `sb_test_`. */
export class WrongKeyPrefix extends Schema.TaggedClass<WrongKeyPrefix>()("WrongKeyPrefix", {}) {
  readonly code = "AUTH.WRONG_KEY_PREFIX"
  readonly message = "the credential is not a SecureBase API key or session token"
}

/**
 * No key with that id, or the secret does not match. Deliberately one reason for both, so a caller
 * cannot learn which key ids exist.
 */
export class InvalidKey extends Schema.TaggedClass<InvalidKey>()("InvalidKey", {}) {
  readonly code = "AUTH.INVALID_KEY"
  readonly message = "invalid API key"
}

/** The key was revoked (reported only to a caller who proved the secret). */
export class KeyRevoked extends Schema.TaggedClass<KeyRevoked>()("KeyRevoked", { keyId: Schema.String }) {
  readonly code = "AUTH.KEY_REVOKED"
  readonly message = "this API key has been revoked"
}

/** The key's optional expiry has passed. */
export class KeyExpired extends Schema.TaggedClass<KeyExpired>()("KeyExpired", { keyId: Schema.String }) {
  readonly code = "AUTH.KEY_EXPIRED"
  readonly message = "this API key has expired"
}

/** The key's customer is suspended, closed or deleted. */
export class CustomerInactive extends Schema.TaggedClass<CustomerInactive>()("CustomerInactive", {
  customerId: CustomerId
}) {
  readonly code = "AUTH.CUSTOMER_INACTIVE"
  readonly message = "the account is not active"
}

/** The session token's `exp` has passed. */
export class TokenExpired extends Schema.TaggedClass<TokenExpired>()("TokenExpired", {}) {
  readonly code = "AUTH.TOKEN_EXPIRED"
  readonly message = "the session has expired; authenticate again"
}

/** The session token's `nbf` lies in the future. */
export class TokenNotYetValid extends Schema.TaggedClass<TokenNotYetValid>()("TokenNotYetValid", {}) {
  readonly code = "AUTH.TOKEN_NOT_YET_VALID"
  readonly message = "the session is not valid yet"
}

/** The session token's signature does not verify under the key its `kid` names. */
export class BadSignature extends Schema.TaggedClass<BadSignature>()("BadSignature", {}) {
  readonly code = "AUTH.BAD_SIGNATURE"
  readonly message = "invalid session token"
}

/** The session token's header names an algorithm other than the pinned one (`none`, `RS256`...). */
export class BadAlgorithm extends Schema.TaggedClass<BadAlgorithm>()("BadAlgorithm", {
  algorithm: Schema.String
}) {
  readonly code = "AUTH.BAD_ALGORITHM"
  readonly message = "invalid session token"
}

/** The session token's `kid` names no signing key this service knows (retired or forged). */
export class UnknownSigningKey extends Schema.TaggedClass<UnknownSigningKey>()("UnknownSigningKey", {}) {
  readonly code = "AUTH.UNKNOWN_SIGNING_KEY"
  readonly message = "invalid session token"
}

/** The session token was issued for another audience. */
export class WrongAudience extends Schema.TaggedClass<WrongAudience>()("WrongAudience", {}) {
  readonly code = "AUTH.WRONG_AUDIENCE"
  readonly message = "invalid session token"
}

/** The session token was issued by another issuer. */
export class WrongIssuer extends Schema.TaggedClass<WrongIssuer>()("WrongIssuer", {}) {
  readonly code = "AUTH.WRONG_ISSUER"
  readonly message = "invalid session token"
}

/** The session token is not a well-formed JWT with the session claims. */
export class MalformedToken extends Schema.TaggedClass<MalformedToken>()("MalformedToken", {
  detail: Schema.String
}) {
  readonly code = "AUTH.MALFORMED_TOKEN"
  readonly message = "invalid session token"
}

/** The session (or every session of its key) was revoked. */
export class SessionRevoked extends Schema.TaggedClass<SessionRevoked>()("SessionRevoked", {
  sessionId: Schema.String
}) {
  readonly code = "AUTH.SESSION_REVOKED"
  readonly message = "the session has been revoked"
}

/** Why a presented API key was refused. */
export type KeyReason =
  | MalformedKey
  | WrongKeyPrefix
  | InvalidKey
  | KeyRevoked
  | KeyExpired
  | CustomerInactive

/** Why a session token's signature, header or claims were refused. */
export type TokenReason =
  | MalformedToken
  | BadAlgorithm
  | UnknownSigningKey
  | BadSignature
  | TokenExpired
  | TokenNotYetValid
  | WrongIssuer
  | WrongAudience

/**
 * Why a credential that authenticated earlier no longer may act: found when the request's tenant
 * transaction opens (see `Tenancy.runAs`), whatever a cache said.
 */
export type RefusalReason = KeyRevoked | KeyExpired | SessionRevoked | CustomerInactive

/** Every reason a credential is refused. */
export const Reason = Schema.Union([
  MalformedKey,
  WrongKeyPrefix,
  InvalidKey,
  KeyRevoked,
  KeyExpired,
  CustomerInactive,
  TokenExpired,
  TokenNotYetValid,
  BadSignature,
  BadAlgorithm,
  UnknownSigningKey,
  WrongAudience,
  WrongIssuer,
  MalformedToken,
  SessionRevoked
])
export type Reason = typeof Reason.Type

/** A credential was refused; `reason` says why, with its code and message. */
export class AuthenticationFailed<
  R extends Reason = Reason
> extends Schema.TaggedError<AuthenticationFailed>()("AuthenticationFailed", { reason: Reason }) {
  declare readonly reason: R
  /** The reason's stable code (`AUTH.KEY_REVOKED`). */
  get code(): R["code"] {
    return this.reason.code
  }
  override get message(): string {
    return this.reason.message
  }
}

/** The refusal of a credential for `reason`. */
export const failed = <R extends Reason>(reason: R): AuthenticationFailed<R> =>
  new AuthenticationFailed({ reason }) as AuthenticationFailed<R>

/** Too many failed attempts from this client: refused without checking the credential. */
export class TooManyAttempts extends Schema.TaggedError<TooManyAttempts>()("TooManyAttempts", {
  retryAfterMillis: Schema.Int
}) {
  /** Stable error code. */
  readonly code = "AUTH.TOO_MANY_ATTEMPTS"
}

/** The identity lacks a scope the operation requires. */
export class ScopeMissing extends Schema.TaggedError<ScopeMissing>()("ScopeMissing", {
  scope: Schema.String
}) {
  /** Stable error code. */
  readonly code = "AUTH.SCOPE_MISSING"
}

/** The customer already holds as many active keys as the plan allows. */
export class ApiKeyLimitReached extends Schema.TaggedError<ApiKeyLimitReached>()("ApiKeyLimitReached", {
  customerId: CustomerId,
  plan: PlanCode,
  limit: Schema.Int
}) {
  /** Stable error code. */
  readonly code = "API_KEY.LIMIT_REACHED"
}

/** No key with that id belongs to the customer. */
export class ApiKeyNotFound extends Schema.TaggedError<ApiKeyNotFound>()("ApiKeyNotFound", {
  keyId: Schema.String
}) {
  /** Stable error code. */
  readonly code = "API_KEY.NOT_FOUND"
}

/** A backing store (database, DynamoDB) failed; the attempt is refused, never waved through. */
export class AuthBackendUnavailable extends Schema.TaggedError<AuthBackendUnavailable>()(
  "AuthBackendUnavailable",
  {
    backend: Schema.String,
    operation: Schema.String,
    cause: Schema.Defect()
  }
) {
  /** Stable error code. */
  readonly code = "AUTH.BACKEND_UNAVAILABLE"
}

/** A credential refused when its request's transaction opens: revoked, expired, customer inactive. */
export type CredentialRefused = AuthenticationFailed<RefusalReason>

const refusalTags: ReadonlySet<string> = new Set([
  "KeyRevoked",
  "KeyExpired",
  "SessionRevoked",
  "CustomerInactive"
])

/** Whether an error is a {@link CredentialRefused} (which adapters pass through, never remap). */
export const isCredentialRefused = (error: unknown): error is CredentialRefused =>
  error instanceof AuthenticationFailed && refusalTags.has(error.reason._tag)

/** Why a presented API key was refused. */
export type KeyError = AuthenticationFailed<KeyReason> | TooManyAttempts | AuthBackendUnavailable

/** Why a presented session token was refused (signature, header and claims). */
export type TokenError = AuthenticationFailed<TokenReason>

/** Why a session was refused: the token itself, its revocation, or throttling. */
export type SessionError =
  | AuthenticationFailed<TokenReason | SessionRevoked>
  | TooManyAttempts
  | AuthBackendUnavailable

/** Every authentication failure, each with a stable `code`. */
export type AuthError = AuthenticationFailed | TooManyAttempts | AuthBackendUnavailable
