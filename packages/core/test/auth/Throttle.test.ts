import { assert, describe, it } from "@effect/vitest"
import { type ApiKey, Throttle } from "../../src/index.ts"

const policy: Throttle.Settings = {
  freeFailures: 2,
  maxFailures: 5,
  windowMillis: 60_000,
  baseDelayMillis: 1_000,
  maxDelayMillis: 3_000
}

describe("Throttle: the pure policy", () => {
  it("allows the free failures, then doubles the wait up to its cap, then refuses to the window's end", () => {
    let state: Throttle.ClientState | undefined
    const fail = (now: number) => {
      state = Throttle.recordFailure(state, now, policy)
    }
    assert.deepStrictEqual(Throttle.decide(state, 0, policy), { _tag: "Allow" })
    fail(0)
    assert.deepStrictEqual(Throttle.decide(state, 0, policy), { _tag: "Allow" })
    fail(0)
    assert.deepStrictEqual(Throttle.decide(state, 0, policy), { _tag: "Refuse", retryAfterMillis: 1_000 })
    assert.deepStrictEqual(Throttle.decide(state, 1_000, policy), { _tag: "Allow" })
    fail(1_000)
    assert.deepStrictEqual(Throttle.decide(state, 1_500, policy), { _tag: "Refuse", retryAfterMillis: 1_500 })
    fail(3_000)
    assert.deepStrictEqual(Throttle.decide(state, 3_000, policy), { _tag: "Refuse", retryAfterMillis: 3_000 })
    fail(6_000)
    assert.deepStrictEqual(Throttle.decide(state, 10_000, policy), {
      _tag: "Refuse",
      retryAfterMillis: 50_000
    })
    assert.deepStrictEqual(Throttle.decide(state, 60_000, policy), { _tag: "Allow" })
    fail(60_000)
    assert.strictEqual(state?.failures, 1, "a new window starts from scratch")
  })

  it("the wait never exceeds its cap", () => {
    for (let n = 0; n < 64; n++) assert.isAtMost(Throttle.delayAfter(n, Throttle.defaultSettings), 60_000)
  })
})

describe("Throttle: buckets", () => {
  const keyId = "abcdefghijklmnop" as ApiKey.ApiKeyId
  const other = "bcdefghijklmnopq" as ApiKey.ApiKeyId

  it("a key's failures are counted per (address, key id), apart from the address's own bucket", () => {
    const key = Throttle.keyOf({ _tag: "Key", client: "203.0.113.7", keyId })
    assert.notStrictEqual(key, Throttle.keyOf({ _tag: "Key", client: "203.0.113.7", keyId: other }))
    assert.notStrictEqual(key, Throttle.keyOf({ _tag: "Key", client: "203.0.113.8", keyId }))
    assert.notStrictEqual(key, Throttle.keyOf({ _tag: "UnknownKey", client: "203.0.113.7", keyId }))
    assert.notStrictEqual(key, Throttle.keyOf({ _tag: "Address", client: "203.0.113.7" }))
  })

  it("IPv6 clients share their /64's bucket; an IPv4-mapped address is its IPv4 address", () => {
    const a = Throttle.keyOf({ _tag: "Address", client: "2001:db8:1:2::1" })
    assert.strictEqual(a, Throttle.keyOf({ _tag: "Address", client: "2001:db8:1:2:ffff:ffff:ffff:ffff" }))
    assert.notStrictEqual(a, Throttle.keyOf({ _tag: "Address", client: "2001:db8:1:3::1" }))
    assert.strictEqual(
      Throttle.keyOf({ _tag: "Key", client: "::ffff:192.0.2.1", keyId }),
      Throttle.keyOf({ _tag: "Key", client: "192.0.2.1", keyId })
    )
  })
})
