import { assert, describe, it } from "@effect/vitest"
import { SessionCache } from "@securebase/core"
import { Effect, Option } from "effect"
import { MemorySessionCache } from "../../src/index.ts"
import { entryFor, freshKeyId, sessionCacheContract } from "../auth/SessionCacheContract.ts"

describe("MemorySessionCache: the SessionCache contract", () => {
  sessionCacheContract(MemorySessionCache.layer)
})

describe("MemorySessionCache: bounds", () => {
  it.effect("holds at most maxEntries, evicting the least recently used", () =>
    Effect.gen(function* () {
      const cache = yield* MemorySessionCache.make({ maxEntries: 3 })
      const [a, b, c, d] = [freshKeyId(), freshKeyId(), freshKeyId(), freshKeyId()]
      for (const k of [a, b, c]) yield* cache.put(entryFor(k), SessionCache.defaultTtl)
      // Reading `a` makes `b` the least recently used.
      assert.isTrue(Option.isSome(yield* cache.get(a)))
      yield* cache.put(entryFor(d), SessionCache.defaultTtl)
      assert.isTrue(Option.isNone(yield* cache.get(b)))
      for (const k of [a, c, d]) assert.isTrue(Option.isSome(yield* cache.get(k)))
    })
  )

  it.effect("stays bounded under a flood of distinct keys", () =>
    Effect.gen(function* () {
      const cache = yield* MemorySessionCache.make({ maxEntries: 100 })
      const keys = Array.from({ length: 1000 }, freshKeyId)
      for (const k of keys) yield* cache.put(entryFor(k), SessionCache.defaultTtl)
      let live = 0
      for (const k of keys) if (Option.isSome(yield* cache.get(k))) live++
      assert.strictEqual(live, 100)
    })
  )
})
