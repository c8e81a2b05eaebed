/**
 * The contract every `ApiKeyStore` adapter passes. The in-memory store runs it now; the Postgres
 * store is meant to run the very same suite (its layer must seed the customers in
 * `contractCustomers`, since `api_keys.customer_id` references `customers`).
 */
import { assert, it } from "@effect/vitest"
import { ApiKey, ApiKeyStore, type Ids, type PriceBook } from "@securebase/core"
import { DateTime, Effect, type Layer, Option } from "effect"
import { customerId } from "./fixtures.ts"
import { freshKeyId } from "./SessionCacheContract.ts"

/** The customers the contract's records belong to. */
export const contractCustomers: ReadonlyArray<Ids.CustomerId> = [customerId(101), customerId(102)]
const [alice, bob] = contractCustomers as [Ids.CustomerId, Ids.CustomerId]

const at = (ms: number) => DateTime.makeUnsafe(ms)

/** A stored key of `owner` with a fresh id. */
export const recordFor = (owner: Ids.CustomerId, fields: Partial<ApiKey.ApiKeyRecord> = {}) => {
  const id = freshKeyId()
  return new ApiKey.ApiKeyRecord({
    id,
    customerId: owner,
    name: "ci",
    mode: "live",
    prefix: ApiKey.prefixOf("live", id),
    scopes: ["invoices:read", "usage:write"],
    createdAt: at(1_000),
    secretHash: "cd".repeat(32) as ApiKey.SecretHash,
    ...fields
  })
}

const limit = (max: number, now = at(10_000)) => ({ plan: "standard" as PriceBook.PlanCode, max, now })

/** Registers the contract for the store built by `layer` (a fresh one per test). */
export const apiKeyStoreContract = <E>(layer: Layer.Layer<ApiKeyStore.ApiKeyStore, E>) => {
  const test = (
    name: string,
    body: (store: ApiKeyStore.ApiKeyStore["Service"]) => Effect.Effect<void, unknown>
  ) =>
    it.effect(name, () =>
      Effect.gen(function* () {
        yield* body(yield* ApiKeyStore.ApiKeyStore)
      }).pipe(Effect.provide(layer))
    )

  test("an inserted key is found by id, whole; an unknown id is not", (store) =>
    Effect.gen(function* () {
      const record = recordFor(alice, { expiresAt: at(99_000_000), mode: "test", name: "deploy bot" })
      yield* store.insert(record, limit(5))
      assert.deepStrictEqual(yield* store.findById(record.id), Option.some(record))
      assert.isTrue(Option.isNone(yield* store.findById(freshKeyId())))
    }))

  test("list: the customer's keys only, newest first, without hashes", (store) =>
    Effect.gen(function* () {
      const older = recordFor(alice, { createdAt: at(1_000) })
      const newer = recordFor(alice, { createdAt: at(2_000) })
      yield* store.insert(older, limit(5))
      yield* store.insert(newer, limit(5))
      yield* store.insert(recordFor(bob), limit(5))
      const listed = yield* store.list(alice)
      assert.deepStrictEqual(
        listed.map((k) => k.id),
        [newer.id, older.id]
      )
      assert.deepStrictEqual(listed[0], ApiKey.toApiKey(newer))
      for (const key of listed) assert.notProperty(key, "secretHash")
    }))

  test("insert refuses a key past the limit of active keys; revoked and expired ones do not count", (store) =>
    Effect.gen(function* () {
      yield* store.insert(recordFor(alice), limit(2))
      yield* store.insert(recordFor(alice, { revokedAt: at(5_000) }), limit(2))
      yield* store.insert(recordFor(alice, { expiresAt: at(9_000) }), limit(2))
      yield* store.insert(recordFor(bob), limit(2))
      yield* store.insert(recordFor(alice), limit(2))
      const refused = recordFor(alice)
      const error = yield* Effect.flip(store.insert(refused, limit(2)))
      assert.strictEqual(error._tag, "ApiKeyLimitReached")
      assert.isTrue(Option.isNone(yield* store.findById(refused.id)), "nothing was written")
      assert.strictEqual(yield* store.countActive(alice, at(10_000)), 2)
    }))

  test("concurrent inserts never exceed the limit", (store) =>
    Effect.gen(function* () {
      const results = yield* Effect.all(
        Array.from({ length: 12 }, () => Effect.result(store.insert(recordFor(alice), limit(3)))),
        { concurrency: "unbounded" }
      )
      assert.strictEqual(results.filter((r) => r._tag === "Success").length, 3)
      assert.strictEqual(yield* store.countActive(alice, at(10_000)), 3)
    }))

  test("revoke: by the owner only, idempotent, keeping the first time", (store) =>
    Effect.gen(function* () {
      const record = recordFor(alice)
      yield* store.insert(record, limit(5))
      assert.isTrue(Option.isNone(yield* store.revoke(bob, record.id, at(3_000))), "not bob's key")
      assert.isUndefined(Option.getOrThrow(yield* store.findById(record.id)).revokedAt)
      const first = yield* store.revoke(alice, record.id, at(4_000))
      assert.strictEqual(DateTime.toEpochMillis(Option.getOrThrow(first).revokedAt!), 4_000)
      const second = yield* store.revoke(alice, record.id, at(5_000))
      assert.strictEqual(DateTime.toEpochMillis(Option.getOrThrow(second).revokedAt!), 4_000)
      assert.notProperty(Option.getOrThrow(second), "secretHash")
      assert.strictEqual(
        DateTime.toEpochMillis(Option.getOrThrow(yield* store.findById(record.id)).revokedAt!),
        4_000
      )
      assert.isTrue(Option.isNone(yield* store.revoke(alice, freshKeyId(), at(5_000))))
    }))

  test("touch records the last use; touching an unknown key is harmless", (store) =>
    Effect.gen(function* () {
      const record = recordFor(alice)
      yield* store.insert(record, limit(5))
      yield* store.touch(record.id, at(7_000))
      assert.strictEqual(
        DateTime.toEpochMillis(Option.getOrThrow(yield* store.findById(record.id)).lastUsedAt!),
        7_000
      )
      yield* store.touch(freshKeyId(), at(7_000))
    }))

  test("countActive counts at the given moment", (store) =>
    Effect.gen(function* () {
      yield* store.insert(recordFor(alice, { expiresAt: at(20_000) }), limit(5))
      yield* store.insert(recordFor(alice), limit(5))
      assert.strictEqual(yield* store.countActive(alice, at(19_999)), 2)
      assert.strictEqual(yield* store.countActive(alice, at(20_000)), 1)
      assert.strictEqual(yield* store.countActive(bob, at(0)), 0)
    }))
}
