import { assert, describe, it } from "@effect/vitest"
import { LimitStore } from "@securebase/core"
import { Effect, Option } from "effect"
import { MemoryLimitStore } from "../../src/index.ts"
import { limitStoreContract } from "../limits/LimitStoreContract.ts"

describe("MemoryLimitStore: the LimitStore contract", () => {
  limitStoreContract(MemoryLimitStore.layer)
})

describe("MemoryLimitStore: bounds", () => {
  it.effect("holds at most maxKeys counters, forgetting the least recently hit", () =>
    Effect.gen(function* () {
      const store = yield* LimitStore.LimitStore
      const hit = (key: string) => store.hit(key, { now: 0, ttlMillis: 60_000 })
      yield* hit("x")
      yield* hit("x")
      yield* hit("y")
      yield* hit("x") // x is now the most recent
      yield* hit("z") // evicts y
      assert.isTrue(Option.isNone(yield* store.peek("y", 0)))
      assert.strictEqual(Option.getOrUndefined(yield* store.peek("x", 0))?.count, 3)
    }).pipe(Effect.provide(MemoryLimitStore.layerWith({ maxKeys: 2 })))
  )
})
