/**
 * Session tokens as HS256 JWTs (@oslojs/jwt encodes and parses, @oslojs/crypto signs).
 *
 * Verification pins the algorithm (anything but `HS256`, `none` included, is refused before the
 * signature is looked at), picks the secret by the header's `kid`, compares the MAC in constant
 * time, decodes the claims with their Schema and checks them with `Session.validate` against
 * `Clock` (so `TestClock` drives expiry).
 *
 * Rotation: `keys` lists the active signing secrets, newest first. The first signs; all verify.
 * To rotate, put the new secret first and keep the old one second for one session TTL (24 h),
 * then drop it: two are active at once, and no live session is cut off.
 */

import { hmac } from "@oslojs/crypto/hmac"
import { SHA256 } from "@oslojs/crypto/sha2"
import { constantTimeEqual } from "@oslojs/crypto/subtle"
import { encodeBase64urlNoPadding } from "@oslojs/encoding"
import { createJWTSignatureMessage, encodeJWT, parseJWT } from "@oslojs/jwt"
import { AuthError, Session, SessionTokens } from "@securebase/core"
import { Clock, Duration, Effect, Layer, Redacted, Result, Schema } from "effect"

/** One signing secret, named by its `kid`. */
export interface SigningKey {
  readonly kid: string
  /** At least 32 random bytes. */
  readonly secret: Redacted.Redacted<Uint8Array>
}

/** Configuration of the token service. */
export interface Options {
  readonly issuer: string
  readonly audience: string
  /** Active signing secrets, newest (the signing one) first; at most two during a rotation. */
  readonly keys: ReadonlyArray<SigningKey>
  /** Session lifetime (default 24 h). */
  readonly ttl?: Duration.Duration
  /** Clock skew tolerated on `exp` / `nbf`, in seconds (default 0). */
  readonly leewaySeconds?: number
}

/** The only algorithm accepted. */
export const algorithm = "HS256"

/** Tokens longer than this are refused unparsed. */
const maxTokenLength = 4096

const decodeClaims = Schema.decodeUnknownResult(Session.SessionClaims)
const encodeClaims = Schema.encodeSync(Session.SessionClaims)

const randomSessionId = (): Session.SessionId =>
  encodeBase64urlNoPadding(globalThis.crypto.getRandomValues(new Uint8Array(16))) as Session.SessionId

const parse = (token: string) =>
  Result.try({
    try: () => parseJWT(token),
    catch: () => AuthError.failed(new AuthError.MalformedToken({ detail: "not a JWS compact serialization" }))
  })

/**
 * Builds the service. Dies at construction on a bad configuration (no key, a short secret, two
 * keys with one `kid`): that is a deployment error, not a request's.
 */
export const make = (options: Options): SessionTokens.SessionTokens["Service"] => {
  if (options.keys.length === 0) throw new Error("HmacSessionTokens: at least one signing key is required")
  const secrets = new Map<string, Uint8Array>()
  for (const key of options.keys) {
    const secret = Redacted.value(key.secret)
    if (secret.length < 32)
      throw new Error(`HmacSessionTokens: signing key ${key.kid} is shorter than 32 bytes`)
    if (secrets.has(key.kid)) throw new Error(`HmacSessionTokens: duplicate kid ${key.kid}`)
    secrets.set(key.kid, secret)
  }
  const signing = options.keys[0]!
  const signingSecret = Redacted.value(signing.secret)
  const ttlSeconds = Math.floor(Duration.toSeconds(options.ttl ?? Session.defaultTtl))
  const headerJSON = JSON.stringify({ alg: algorithm, typ: "JWT", kid: signing.kid })
  const expected: Session.Expected = {
    issuer: options.issuer,
    audience: options.audience,
    ...(options.leewaySeconds === undefined ? {} : { leewaySeconds: options.leewaySeconds })
  }

  const verifySync = (
    token: string,
    nowMillis: number
  ): Result.Result<Session.SessionClaims, AuthError.TokenError> => {
    if (token.length > maxTokenLength)
      return Result.fail(AuthError.failed(new AuthError.MalformedToken({ detail: "too long" })))
    const parsed = parse(token)
    if (Result.isFailure(parsed)) return Result.fail(parsed.failure)
    const [header, payload, signature, message] = parsed.success as [
      Record<string, unknown>,
      unknown,
      Uint8Array,
      Uint8Array
    ]
    // The algorithm is pinned: a token never chooses how it is checked.
    if (header.alg !== algorithm)
      return Result.fail(AuthError.failed(new AuthError.BadAlgorithm({ algorithm: String(header.alg) })))
    if (header.typ !== undefined && header.typ !== "JWT")
      return Result.fail(AuthError.failed(new AuthError.MalformedToken({ detail: "typ is not JWT" })))
    if (header.crit !== undefined)
      return Result.fail(
        AuthError.failed(
          new AuthError.MalformedToken({ detail: "critical header extensions are not supported" })
        )
      )
    const secret = typeof header.kid === "string" ? secrets.get(header.kid) : undefined
    if (secret === undefined) return Result.fail(AuthError.failed(new AuthError.UnknownSigningKey()))
    if (!constantTimeEqual(hmac(SHA256, secret, message), signature))
      return Result.fail(AuthError.failed(new AuthError.BadSignature()))
    const claims = decodeClaims(payload)
    if (Result.isFailure(claims))
      return Result.fail(
        AuthError.failed(new AuthError.MalformedToken({ detail: "claims do not match the session schema" }))
      )
    return Session.validate(claims.success, nowMillis, expected)
  }

  return SessionTokens.SessionTokens.of({
    issue: (subject) =>
      Effect.map(Clock.currentTimeMillis, (nowMillis) => {
        const now = Math.floor(nowMillis / 1000)
        const claims = new Session.SessionClaims({
          iss: options.issuer,
          aud: options.audience,
          sub: subject.customerId,
          plan: subject.plan,
          scopes: subject.scopes,
          keyId: subject.keyId,
          mode: subject.mode,
          jti: randomSessionId(),
          iat: now,
          nbf: now,
          exp: now + ttlSeconds
        })
        const payloadJSON = JSON.stringify(encodeClaims(claims))
        const signature = hmac(SHA256, signingSecret, createJWTSignatureMessage(headerJSON, payloadJSON))
        return { token: encodeJWT(headerJSON, payloadJSON, signature), claims }
      }),
    verify: (token) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => Effect.fromResult(verifySync(token, now)))
  })
}

/** The layer. */
export const layer = (options: Options): Layer.Layer<SessionTokens.SessionTokens> =>
  Layer.sync(SessionTokens.SessionTokens, () => make(options))
