/**
 * Session tokens: every kind of bad token is refused with its typed error, and signing secrets
 * rotate by `kid` with two active at once.
 */

import { assert, describe, it } from "@effect/vitest"
import { encodeBase64urlNoPadding } from "@oslojs/encoding"
import { type ApiKey, Session, type SessionTokens } from "@securebase/core"
import { Duration, Effect, Redacted, Schema } from "effect"
import { TestClock } from "effect/testing"
import { HmacSessionTokens } from "../../src/index.ts"
import { craft, customerId, secretOf, tokenOptions } from "./fixtures.ts"

const subject: SessionTokens.SessionSubject = {
  customerId: customerId(1),
  plan: "healthcare",
  scopes: ["invoices:read", "compliance:read"],
  keyId: "abcdefghijklmnop" as ApiKey.ApiKeyId,
  mode: "live"
}
const tokens = HmacSessionTokens.make(tokenOptions)
const header = { alg: "HS256", typ: "JWT", kid: "k1" }
const payloadAt = (nowSeconds: number, overrides?: object) => ({
  ...Schema.encodeSync(Session.SessionClaims)(
    new Session.SessionClaims({
      iss: tokenOptions.issuer,
      aud: tokenOptions.audience,
      sub: subject.customerId,
      plan: subject.plan,
      scopes: subject.scopes,
      keyId: subject.keyId,
      mode: subject.mode,
      jti: "AAAAAAAAAAAAAAAAAAAAAA" as Session.SessionId,
      iat: nowSeconds,
      nbf: nowSeconds,
      exp: nowSeconds + 3600
    })
  ),
  ...overrides
})

/** The typed error `token` is refused with. */
const refusal = (token: string, service = tokens) => Effect.flip(service.verify(token))

describe("HmacSessionTokens", () => {
  it.effect("an issued token verifies back to its claims, 24 h from now, with a unique jti", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(1_800_000_000_000)
      const a = yield* tokens.issue(subject)
      const b = yield* tokens.issue(subject)
      assert.deepStrictEqual(yield* tokens.verify(a.token), a.claims)
      assert.strictEqual(a.claims.sub, subject.customerId)
      assert.strictEqual(a.claims.iat, 1_800_000_000)
      assert.strictEqual(a.claims.exp - a.claims.iat, 24 * 3600)
      assert.notStrictEqual(a.claims.jti, b.claims.jti)
    })
  )

  it.effect("wrong signature: another secret under the same kid → BadSignature", () =>
    Effect.gen(function* () {
      const forged = craft(header, payloadAt(0), Redacted.value(secretOf(2)))
      assert.strictEqual((yield* refusal(forged)).reason._tag, "BadSignature")
    })
  )

  it.effect("tampered payload (another customer) → BadSignature", () =>
    Effect.gen(function* () {
      const { token } = yield* tokens.issue(subject)
      const [h, , s] = token.split(".")
      const p = encodeBase64urlNoPadding(
        new TextEncoder().encode(JSON.stringify(payloadAt(0, { sub: customerId(2) })))
      )
      assert.strictEqual((yield* refusal(`${h}.${p}.${s}`)).reason._tag, "BadSignature")
    })
  )

  it.effect("alg none (unsigned) → BadAlgorithm, whatever the claims", () =>
    Effect.gen(function* () {
      const enc = (o: object) => encodeBase64urlNoPadding(new TextEncoder().encode(JSON.stringify(o)))
      const unsigned = `${enc({ alg: "none", typ: "JWT", kid: "k1" })}.${enc(payloadAt(0))}.`
      const error = yield* refusal(unsigned)
      assert.strictEqual(error.reason._tag, "BadAlgorithm")
      assert.strictEqual(error.code, "AUTH.BAD_ALGORITHM")
    })
  )

  it.effect("any other algorithm (HS512, RS256, missing) → BadAlgorithm", () =>
    Effect.gen(function* () {
      for (const alg of ["HS512", "RS256", "hs256", undefined]) {
        const token = craft({ ...header, alg }, payloadAt(0))
        assert.strictEqual((yield* refusal(token)).reason._tag, "BadAlgorithm", String(alg))
      }
    })
  )

  it.effect("expired: refused from its exp second on → TokenExpired", () =>
    Effect.gen(function* () {
      const { token } = yield* tokens.issue(subject)
      yield* TestClock.adjust(Duration.subtract(Session.defaultTtl, Duration.seconds(1)))
      yield* tokens.verify(token)
      yield* TestClock.adjust(Duration.seconds(1))
      const error = yield* refusal(token)
      assert.strictEqual(error.reason._tag, "TokenExpired")
      assert.strictEqual(error.code, "AUTH.TOKEN_EXPIRED")
    })
  )

  it.effect("not yet valid: nbf in the future → TokenNotYetValid, valid once it comes", () =>
    Effect.gen(function* () {
      const token = craft(header, payloadAt(0, { nbf: 60 }))
      assert.strictEqual((yield* refusal(token)).reason._tag, "TokenNotYetValid")
      yield* TestClock.adjust(Duration.seconds(60))
      yield* tokens.verify(token)
    })
  )

  it.effect("leeway tolerates small clock skew, and no more", () =>
    Effect.gen(function* () {
      const lenient = HmacSessionTokens.make({ ...tokenOptions, leewaySeconds: 30 })
      yield* lenient.verify(craft(header, payloadAt(0, { nbf: 30 })))
      assert.strictEqual(
        (yield* refusal(craft(header, payloadAt(0, { nbf: 31 })), lenient)).reason._tag,
        "TokenNotYetValid"
      )
    })
  )

  it.effect("another audience → WrongAudience; another issuer → WrongIssuer", () =>
    Effect.gen(function* () {
      const other = HmacSessionTokens.make({ ...tokenOptions, audience: "billing-admin" })
      const { token } = yield* other.issue(subject)
      const error = yield* refusal(token)
      assert.strictEqual(error.reason._tag, "WrongAudience")
      assert.strictEqual(error.code, "AUTH.WRONG_AUDIENCE")
      const foreign = HmacSessionTokens.make({ ...tokenOptions, issuer: "https://evil.example" })
      assert.strictEqual((yield* refusal((yield* foreign.issue(subject)).token)).reason._tag, "WrongIssuer")
    })
  )

  it.effect("malformed: not a JWT, bad base64, bad JSON, wrong claims, oversized → MalformedToken", () =>
    Effect.gen(function* () {
      const cases = [
        "",
        "not-a-token",
        "a.b",
        "a.b.c.d",
        "!!!.###.$$$",
        `${encodeBase64urlNoPadding(new TextEncoder().encode("{"))}.e30.`,
        craft(header, { sub: customerId(1) }),
        craft(header, payloadAt(0, { scopes: ["root"] })),
        craft(header, payloadAt(0, { exp: "tomorrow" })),
        craft({ ...header, typ: "JWE" }, payloadAt(0)),
        craft({ ...header, crit: ["exp"] }, payloadAt(0)),
        "x".repeat(5000)
      ]
      for (const token of cases) {
        const error = yield* refusal(token)
        assert.strictEqual(error.reason._tag, "MalformedToken", token.slice(0, 40))
        assert.strictEqual(error.code, "AUTH.MALFORMED_TOKEN")
      }
    })
  )

  it.effect("an unknown or missing kid → UnknownSigningKey", () =>
    Effect.gen(function* () {
      assert.strictEqual(
        (yield* refusal(craft({ ...header, kid: "k9" }, payloadAt(0)))).reason._tag,
        "UnknownSigningKey"
      )
      assert.strictEqual(
        (yield* refusal(craft({ alg: "HS256" }, payloadAt(0)))).reason._tag,
        "UnknownSigningKey"
      )
    })
  )

  it.effect("rotation: new key signs, old key still verifies; once retired, old tokens are refused", () =>
    Effect.gen(function* () {
      const before = HmacSessionTokens.make({ ...tokenOptions, keys: [{ kid: "k1", secret: secretOf(1) }] })
      const during = HmacSessionTokens.make({
        ...tokenOptions,
        keys: [
          { kid: "k2", secret: secretOf(2) },
          { kid: "k1", secret: secretOf(1) }
        ]
      })
      const after = HmacSessionTokens.make({ ...tokenOptions, keys: [{ kid: "k2", secret: secretOf(2) }] })
      const old = yield* before.issue(subject)
      const fresh = yield* during.issue(subject)
      assert.strictEqual(JSON.parse(atob(fresh.token.split(".")[0]!)).kid, "k2")
      yield* during.verify(old.token)
      yield* during.verify(fresh.token)
      yield* after.verify(fresh.token)
      assert.strictEqual((yield* refusal(old.token, after)).reason._tag, "UnknownSigningKey")
      assert.strictEqual((yield* refusal(fresh.token, before)).reason._tag, "UnknownSigningKey")
    })
  )

  it("refuses a configuration without keys, with a short secret or a duplicate kid", () => {
    assert.throws(() => HmacSessionTokens.make({ ...tokenOptions, keys: [] }))
    assert.throws(() =>
      HmacSessionTokens.make({
        ...tokenOptions,
        keys: [{ kid: "k", secret: Redacted.make(new Uint8Array(16)) }]
      })
    )
    assert.throws(() =>
      HmacSessionTokens.make({
        ...tokenOptions,
        keys: [
          { kid: "k", secret: secretOf(1) },
          { kid: "k", secret: secretOf(2) }
        ]
      })
    )
  })
})
