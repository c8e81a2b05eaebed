import { assert, describe, it } from "@effect/vitest"
import { Result } from "effect"
import { type ApiKey, type Ids, Session } from "../../src/index.ts"

const claims = new Session.SessionClaims({
  iss: "https://auth.securebase.test",
  aud: "securebase-api",
  sub: "0b7c2a4e-3f1d-4c55-9a1e-0000000000c1" as Ids.CustomerId,
  plan: "standard",
  scopes: ["invoices:read"],
  keyId: "abcdefghijklmnop" as ApiKey.ApiKeyId,
  mode: "live",
  jti: "AAAAAAAAAAAAAAAAAAAAAA" as Session.SessionId,
  iat: 1000,
  nbf: 1000,
  exp: 1000 + 86_400
})
const expected = { issuer: claims.iss, audience: claims.aud }
const outcome = (nowSeconds: number, e: Session.Expected = expected) =>
  Result.match(Session.validate(claims, nowSeconds * 1000, e), {
    onSuccess: () => "ok",
    onFailure: (x) => x.code
  })

describe("Session.validate", () => {
  it("accepts from nbf up to, not including, exp", () => {
    assert.strictEqual(outcome(999), "AUTH.TOKEN_NOT_YET_VALID")
    assert.strictEqual(outcome(1000), "ok")
    assert.strictEqual(outcome(claims.exp - 1), "ok")
    assert.strictEqual(outcome(claims.exp), "AUTH.TOKEN_EXPIRED")
  })

  it("tolerates skew only within the leeway", () => {
    const lenient = { ...expected, leewaySeconds: 60 }
    assert.strictEqual(outcome(940, lenient), "ok")
    assert.strictEqual(outcome(939, lenient), "AUTH.TOKEN_NOT_YET_VALID")
    assert.strictEqual(outcome(claims.exp + 59, lenient), "ok")
    assert.strictEqual(outcome(claims.exp + 60, lenient), "AUTH.TOKEN_EXPIRED")
  })

  it("refuses another issuer or audience", () => {
    assert.strictEqual(outcome(1000, { ...expected, audience: "other" }), "AUTH.WRONG_AUDIENCE")
    assert.strictEqual(outcome(1000, { ...expected, issuer: "other" }), "AUTH.WRONG_ISSUER")
  })
})
