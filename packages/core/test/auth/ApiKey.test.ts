import { assert, describe, it } from "@effect/vitest"
import { Arbitrary, DateTime, Effect, Redacted, Result, Schema } from "effect"
import { ApiKey, type Ids, PriceBook } from "../../src/index.ts"

const keyId = "abcdefghijklmnop" as ApiKey.ApiKeyId
const secret = "a2b3c4d5e6f7".padEnd(52, "z")
const base32 = (length: number) =>
  Arbitrary.schema(Schema.String.check(Schema.isPattern(new RegExp(`^[a-z2-7]{${length}}$`))))

describe("ApiKey: format and parse", () => {
  it("formats sb_<mode>_<keyId>_<secret> and parses it back", () => {
    const key = ApiKey.format("live", keyId, secret)
    assert.strictEqual(Redacted.value(key), `sb_live_${keyId}_${secret}`)
    assert.notInclude(String(key), secret, "the key is redacted when printed")
    const parsed = Result.getOrThrow(ApiKey.parse(Redacted.value(key)))
    assert.strictEqual(parsed.mode, "live")
    assert.strictEqual(parsed.keyId, keyId)
    assert.strictEqual(Redacted.value(parsed.secret), secret)
    assert.strictEqual(Result.getOrThrow(ApiKey.parse(`sb_test_${keyId}_${secret}`)).mode, "test")
  })

  it.prop(
    "parse inverts format for every mode, id and secret",
    { mode: ApiKey.KeyMode, id: base32(ApiKey.keyIdLength), s: base32(ApiKey.secretLength) },
    ({ mode, id, s }) => {
      const parsed = Result.getOrThrow(
        ApiKey.parse(Redacted.value(ApiKey.format(mode, id as ApiKey.ApiKeyId, s)))
      )
      return parsed.mode === mode && parsed.keyId === id && Redacted.value(parsed.secret) === s
    }
  )

  it("another prefix is WrongKeyPrefix; the right prefix with a wrong body is MalformedKey", () => {
    const failure = (s: string) =>
      Result.match(ApiKey.parse(s), { onSuccess: () => "ok", onFailure: (e) => e.code })
    for (const wrong of [
      "",
      "Bearer x",
      "sk_live_abc",
      "sb_prod_abc",
      "SB_LIVE_abc",
      `sb_${keyId}_${secret}`
    ])
      assert.strictEqual(failure(wrong), "AUTH.WRONG_KEY_PREFIX", wrong)
    for (const malformed of [
      "sb_live_",
      `sb_live_${keyId}`,
      `sb_live_${keyId}_`,
      `sb_live_${keyId}_${secret}_`,
      `sb_live_${keyId}x_${secret}`,
      `sb_live_${keyId}_${secret.slice(1)}`,
      `sb_live_${keyId}_${secret}a`,
      `sb_live_${keyId.toUpperCase()}_${secret}`,
      `sb_live_${keyId}_${secret.replace("z", "1")}`,
      `sb_live_${keyId}_${secret} `
    ])
      assert.strictEqual(failure(malformed), "AUTH.MALFORMED_KEY", malformed)
  })

  it("errors never echo the presented key", () => {
    const presented = `sb_live_${keyId}_${secret}!`
    assert.notInclude(JSON.stringify(Result.merge(ApiKey.parse(presented))), secret)
  })
})

describe("ApiKey: records and the plan limit", () => {
  const customerId = "0b7c2a4e-3f1d-4c55-9a1e-0000000000c1" as Ids.CustomerId
  const at = (ms: number) => DateTime.makeUnsafe(ms)
  const record = (fields: Partial<ApiKey.ApiKeyRecord> = {}) =>
    new ApiKey.ApiKeyRecord({
      id: keyId,
      customerId,
      name: "ci",
      mode: "live",
      prefix: ApiKey.prefixOf("live", keyId),
      scopes: ["invoices:read"],
      createdAt: at(0),
      secretHash: "ab".repeat(32) as ApiKey.SecretHash,
      ...fields
    })

  it("the listing drops the hash", () => {
    const listed = ApiKey.toApiKey(record())
    assert.notProperty(listed, "secretHash")
    assert.notInclude(JSON.stringify(Schema.encodeSync(ApiKey.ApiKey)(listed)), "abab")
  })

  it("scopes: at least one, no duplicates, known names only", () => {
    const decode = Schema.decodeUnknownExit(ApiKey.Scopes)
    assert.isTrue(decode(["invoices:read", "usage:write"])._tag === "Success")
    for (const bad of [[], ["invoices:read", "invoices:read"], ["root"]])
      assert.strictEqual(decode(bad)._tag, "Failure")
  })

  it("a key is active until revoked or until its expiry (exclusive)", () => {
    assert.isTrue(ApiKey.isActive(record(), at(10)))
    assert.isFalse(ApiKey.isActive(record({ revokedAt: at(5) }), at(10)))
    assert.isTrue(ApiKey.isActive(record({ expiresAt: at(10) }), at(9)))
    assert.isFalse(ApiKey.isActive(record({ expiresAt: at(10) }), at(10)))
    assert.strictEqual(
      ApiKey.countActive([record(), record({ revokedAt: at(1) }), record({ expiresAt: at(5) })], at(10)),
      1
    )
  })

  it.effect("each plan's limit comes from its entitlements in the price book", () =>
    Effect.gen(function* () {
      for (const [plan, { entitlements }] of Object.entries(PriceBook.referenceCard.plans)) {
        const limit = entitlements.maxApiKeys
        assert.strictEqual(ApiKey.limitFor(entitlements), limit)
        yield* ApiKey.ensureWithinLimit({ customerId, plan, entitlements, active: limit - 1 })
        const error = yield* Effect.flip(
          ApiKey.ensureWithinLimit({ customerId, plan, entitlements, active: limit })
        )
        assert.strictEqual(error.code, "API_KEY.LIMIT_REACHED")
        assert.strictEqual(error.limit, limit)
      }
    })
  )
})
