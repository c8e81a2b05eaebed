/**
 * Authentication and authorization failures. Each carries a stable `code` (`AUTH.KEY_REVOKED`);
 * `packages/http` maps codes to status codes (401, 403, 429). None of them ever carries a secret
 * or a token: only public key ids, session ids and the reason.
 */
import { Schema } from "effect"
import { Tier } from "../billing/Tier.ts"
import { CustomerId } from "../Ids.ts"

/** A presented API key does not have the `sb_<mode>_<keyId>_<secret>` shape. */
export class MalformedKey extends Schema.TaggedError<MalformedKey>()("MalformedKey", {
  reason: Schema.String
}) {
  /** Stable error code. */
  readonly code = "AUTH.MALFORMED_KEY"
}

/** A presented API key starts with something other than `sb_live_` / `sb_test_`. */
export class WrongKeyPrefix extends Schema.TaggedError<WrongKeyPrefix>()("WrongKeyPrefix", {}) {
  /** Stable error code. */
  readonly code = "AUTH.WRONG_KEY_PREFIX"
}

/**
 * No key with that id, or the secret does not match. Deliberately one error for both, so a caller
 * cannot learn which key ids exist.
 */
export class InvalidKey extends Schema.TaggedError<InvalidKey>()("InvalidKey", {}) {
  /** Stable error code. */
  readonly code = "AUTH.INVALID_KEY"
}

/** The key was revoked (reported only to a caller who proved the secret). */
export class KeyRevoked extends Schema.TaggedError<KeyRevoked>()("KeyRevoked", {
  keyId: Schema.String
}) {
  /** Stable error code. */
  readonly code = "AUTH.KEY_REVOKED"
}

/** The key's optional expiry has passed. */
export class KeyExpired extends Schema.TaggedError<KeyExpired>()("KeyExpired", {
  keyId: Schema.String
}) {
  /** Stable error code. */
  readonly code = "AUTH.KEY_EXPIRED"
}

/** The key's customer is suspended, closed or deleted. */
export class CustomerInactive extends Schema.TaggedError<CustomerInactive>()("CustomerInactive", {
  customerId: CustomerId
}) {
  /** Stable error code. */
  readonly code = "AUTH.CUSTOMER_INACTIVE"
}

/** The session token's `exp` has passed. */
export class TokenExpired extends Schema.TaggedError<TokenExpired>()("TokenExpired", {}) {
  /** Stable error code. */
  readonly code = "AUTH.TOKEN_EXPIRED"
}

/** The session token's `nbf` lies in the future. */
export class TokenNotYetValid extends Schema.TaggedError<TokenNotYetValid>()("TokenNotYetValid", {}) {
  /** Stable error code. */
  readonly code = "AUTH.TOKEN_NOT_YET_VALID"
}

/** The session token's signature does not verify under the key its `kid` names. */
export class BadSignature extends Schema.TaggedError<BadSignature>()("BadSignature", {}) {
  /** Stable error code. */
  readonly code = "AUTH.BAD_SIGNATURE"
}

/** The session token's header names an algorithm other than the pinned one (`none`, `RS256`...). */
export class BadAlgorithm extends Schema.TaggedError<BadAlgorithm>()("BadAlgorithm", {
  algorithm: Schema.String
}) {
  /** Stable error code. */
  readonly code = "AUTH.BAD_ALGORITHM"
}

/** The session token's `kid` names no signing key this service knows (retired or forged). */
export class UnknownSigningKey extends Schema.TaggedError<UnknownSigningKey>()("UnknownSigningKey", {}) {
  /** Stable error code. */
  readonly code = "AUTH.UNKNOWN_SIGNING_KEY"
}

/** The session token was issued for another audience. */
export class WrongAudience extends Schema.TaggedError<WrongAudience>()("WrongAudience", {}) {
  /** Stable error code. */
  readonly code = "AUTH.WRONG_AUDIENCE"
}

/** The session token was issued by another issuer. */
export class WrongIssuer extends Schema.TaggedError<WrongIssuer>()("WrongIssuer", {}) {
  /** Stable error code. */
  readonly code = "AUTH.WRONG_ISSUER"
}

/** The session token is not a well-formed JWT with the session claims. */
export class MalformedToken extends Schema.TaggedError<MalformedToken>()("MalformedToken", {
  reason: Schema.String
}) {
  /** Stable error code. */
  readonly code = "AUTH.MALFORMED_TOKEN"
}

/** The session (or every session of its key) was revoked. */
export class SessionRevoked extends Schema.TaggedError<SessionRevoked>()("SessionRevoked", {
  sessionId: Schema.String
}) {
  /** Stable error code. */
  readonly code = "AUTH.SESSION_REVOKED"
}

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

/** The customer already holds as many active keys as the tier allows. */
export class ApiKeyLimitReached extends Schema.TaggedError<ApiKeyLimitReached>()("ApiKeyLimitReached", {
  customerId: CustomerId,
  tier: Tier,
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

/**
 * Why a credential that authenticated earlier no longer may act: found when the request's tenant
 * transaction opens (see `Tenancy.runAs`), whatever a cache said.
 */
export type CredentialRefused = KeyRevoked | KeyExpired | SessionRevoked | CustomerInactive

const credentialRefusedTags: ReadonlySet<string> = new Set([
  "KeyRevoked",
  "KeyExpired",
  "SessionRevoked",
  "CustomerInactive"
])

/** Whether an error is a {@link CredentialRefused} (which adapters pass through, never remap). */
export const isCredentialRefused = (error: unknown): error is CredentialRefused =>
  typeof error === "object" &&
  error !== null &&
  credentialRefusedTags.has((error as { readonly _tag?: unknown })._tag as string)

/** Why a presented API key was refused. */
export type KeyError =
  | MalformedKey
  | WrongKeyPrefix
  | InvalidKey
  | KeyRevoked
  | KeyExpired
  | CustomerInactive
  | TooManyAttempts
  | AuthBackendUnavailable

/** Why a presented session token was refused (signature, header and claims). */
export type TokenError =
  | MalformedToken
  | BadAlgorithm
  | UnknownSigningKey
  | BadSignature
  | TokenExpired
  | TokenNotYetValid
  | WrongIssuer
  | WrongAudience

/** Why a session was refused: the token itself, its revocation, or throttling. */
export type SessionError = TokenError | SessionRevoked | TooManyAttempts | AuthBackendUnavailable

/** Every authentication failure, each with a stable `code`. */
export type AuthError = KeyError | SessionError
