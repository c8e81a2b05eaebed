/**
 * Sessions: the claims of the 24-hour HS256 JWT a key is exchanged for, and their pure
 * validation against a clock reading (expiry, not-before, issuer, audience). Signing and the
 * signature check live behind the `SessionTokens` port.
 */
import { Duration, Result, Schema } from "effect"
import { PlanCode } from "../billing/PriceBook.ts"
import { CustomerId } from "../Ids.ts"
import { ApiKeyId, KeyMode, Scopes } from "./ApiKey.ts"
import {
  type AuthenticationFailed,
  failed,
  TokenExpired,
  TokenNotYetValid,
  WrongAudience,
  WrongIssuer
} from "./AuthError.ts"

/** How long a session lives unless configured otherwise. */
export const defaultTtl: Duration.Duration = Duration.hours(24)

/** The unique id of a session (`jti`): 128 random bits, base64url. */
export const SessionId = Schema.String.check(
  Schema.isPattern(/^[A-Za-z0-9_-]{16,64}$/, { message: "expected a session id" })
).pipe(Schema.brand("SessionId"))
export type SessionId = typeof SessionId.Type

const Seconds = Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))

/** The claims of a session token. Times are JWT NumericDates (whole seconds since the epoch). */
export class SessionClaims extends Schema.Class<SessionClaims>("@securebase/core/SessionClaims")({
  iss: Schema.String,
  aud: Schema.String,
  /** The customer (tenant). */
  sub: CustomerId,
  plan: PlanCode,
  scopes: Scopes,
  /** The API key the session was exchanged for: revoking the key ends the session. */
  keyId: ApiKeyId,
  mode: KeyMode,
  jti: SessionId,
  iat: Seconds,
  nbf: Seconds,
  exp: Seconds
}) {}

/** What a verifier expects of every session it accepts. */
export interface Expected {
  readonly issuer: string
  readonly audience: string
  /** Clock skew tolerated on `exp` and `nbf`, in seconds (default 0). */
  readonly leewaySeconds?: number
}

/**
 * Checks a session's time window and provenance at `nowMillis`. `exp` is exclusive: a token is
 * dead from its expiry second on.
 */
export const validate = (
  claims: SessionClaims,
  nowMillis: number,
  expected: Expected
): Result.Result<
  SessionClaims,
  AuthenticationFailed<TokenExpired | TokenNotYetValid | WrongIssuer | WrongAudience>
> => {
  const leeway = expected.leewaySeconds ?? 0
  const now = Math.floor(nowMillis / 1000)
  if (claims.iss !== expected.issuer) return Result.fail(failed(new WrongIssuer()))
  if (claims.aud !== expected.audience) return Result.fail(failed(new WrongAudience()))
  if (now >= claims.exp + leeway) return Result.fail(failed(new TokenExpired()))
  if (now + leeway < claims.nbf) return Result.fail(failed(new TokenNotYetValid()))
  return Result.succeed(claims)
}
