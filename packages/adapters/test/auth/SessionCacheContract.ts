/**
 * The contract every `SessionCache` adapter passes: the in-memory one and DynamoDB run these same
 * tests. Time is `TestClock`'s, so expiry is exact.
 */
import { assert, it } from "@effect/vitest"
import { type ApiKey, type Ids, SessionCache } from "@securebase/core"
import { Duration, Effect, type Layer, Option } from "effect"
import { TestClock } from "effect/testing"

const alphabet = "abcdefghijklmnopqrstuvwxyz234567"
/** A random key id (adapters such as DynamoDB share one table between tests). */
export const freshKeyId = (): ApiKey.ApiKeyId =>
  Array.from(globalThis.crypto.getRandomValues(new Uint8Array(16)), (b) => alphabet[b % 32]).join(
    ""
  ) as ApiKey.ApiKeyId

/** A cache entry for `keyId`. */
export const entryFor = (keyId: ApiKey.ApiKeyId, overrides?: Partial<SessionCache.CachedKey>) =>
  new SessionCache.CachedKey({
    keyId,
    customerId: "0b7c2a4e-3f1d-4c55-9a1e-0000000000c1" as Ids.CustomerId,
    plan: "fintech",
    mode: "live",
    scopes: ["invoices:read", "usage:write"],
    secretHash: "ab".repeat(32) as ApiKey.SecretHash,
    ...overrides
  })

const ttl = SessionCache.defaultTtl

/** Registers the contract for the cache built by `layer` (a fresh one per test). */
export const sessionCacheContract = <E>(layer: Layer.Layer<SessionCache.SessionCache, E>) => {
  const test = (
    name: string,
    body: (cache: SessionCache.SessionCache["Service"]) => Effect.Effect<void, unknown>
  ) =>
    it.effect(name, () =>
      Effect.gen(function* () {
        const cache = yield* SessionCache.SessionCache
        yield* body(cache)
      }).pipe(Effect.provide(layer))
    )

  test("an unknown key is a miss", (cache) =>
    Effect.gen(function* () {
      assert.isTrue(Option.isNone(yield* cache.get(freshKeyId())))
    }))

  test("a put entry is read back whole", (cache) =>
    Effect.gen(function* () {
      const entry = entryFor(freshKeyId(), { keyExpiresAt: 1_900_000_000_000, mode: "test" })
      yield* cache.put(entry, ttl)
      assert.deepStrictEqual(yield* cache.get(entry.keyId), Option.some(entry))
    }))

  test("an entry lives exactly its TTL (4 h by default), expiry checked on read", (cache) =>
    Effect.gen(function* () {
      const entry = entryFor(freshKeyId())
      yield* cache.put(entry, ttl)
      yield* TestClock.adjust(Duration.subtract(ttl, Duration.millis(1)))
      assert.isTrue(Option.isSome(yield* cache.get(entry.keyId)))
      yield* TestClock.adjust(Duration.millis(1))
      assert.isTrue(Option.isNone(yield* cache.get(entry.keyId)))
    }))

  test("a shorter TTL (a key about to expire) is honoured", (cache) =>
    Effect.gen(function* () {
      const entry = entryFor(freshKeyId())
      yield* cache.put(entry, Duration.seconds(30))
      yield* TestClock.adjust(Duration.seconds(30))
      assert.isTrue(Option.isNone(yield* cache.get(entry.keyId)))
    }))

  test("a zero TTL caches nothing", (cache) =>
    Effect.gen(function* () {
      const entry = entryFor(freshKeyId())
      yield* cache.put(entry, Duration.zero)
      assert.isTrue(Option.isNone(yield* cache.get(entry.keyId)))
    }))

  test("a put replaces a live entry and restarts its TTL", (cache) =>
    Effect.gen(function* () {
      const keyId = freshKeyId()
      yield* cache.put(entryFor(keyId), ttl)
      yield* TestClock.adjust(Duration.hours(3))
      const refreshed = entryFor(keyId, { plan: "gov-federal", scopes: ["metrics:read"] })
      yield* cache.put(refreshed, ttl)
      yield* TestClock.adjust(Duration.hours(3))
      assert.deepStrictEqual(yield* cache.get(keyId), Option.some(refreshed))
    }))

  test("delete evicts at once", (cache) =>
    Effect.gen(function* () {
      const entry = entryFor(freshKeyId())
      yield* cache.put(entry, ttl)
      yield* cache.delete(entry.keyId)
      assert.isTrue(Option.isNone(yield* cache.get(entry.keyId)))
    }))

  test("a put racing a delete cannot resurrect the key while the tombstone lives", (cache) =>
    Effect.gen(function* () {
      const entry = entryFor(freshKeyId())
      yield* cache.delete(entry.keyId)
      yield* cache.put(entry, ttl)
      assert.isTrue(Option.isNone(yield* cache.get(entry.keyId)))
      yield* TestClock.adjust(Duration.subtract(ttl, Duration.millis(1)))
      yield* cache.put(entry, ttl)
      assert.isTrue(Option.isNone(yield* cache.get(entry.keyId)))
      // Once the tombstone has expired the key id may be cached again.
      yield* TestClock.adjust(Duration.millis(1))
      yield* cache.put(entry, ttl)
      assert.isTrue(Option.isSome(yield* cache.get(entry.keyId)))
    }))

  test("keys are independent: deleting one leaves another", (cache) =>
    Effect.gen(function* () {
      const a = entryFor(freshKeyId())
      const b = entryFor(freshKeyId(), { plan: "healthcare" })
      yield* cache.put(a, ttl)
      yield* cache.put(b, ttl)
      yield* cache.delete(a.keyId)
      assert.isTrue(Option.isNone(yield* cache.get(a.keyId)))
      assert.deepStrictEqual(yield* cache.get(b.keyId), Option.some(b))
    }))
}
