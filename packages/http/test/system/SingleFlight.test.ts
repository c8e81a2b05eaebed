import { assert, describe, it } from "@effect/vitest"
import { Deferred, Duration, Effect, Fiber, Ref } from "effect"
import { TestClock } from "effect/testing"
import * as SingleFlight from "../../src/system/SingleFlight.ts"

/** A run that counts its executions and waits for `gate` before answering its number. */
const gated = Effect.gen(function* () {
  const runs = yield* Ref.make(0)
  const gate = yield* Deferred.make<void>()
  const run = Effect.andThen(
    Ref.updateAndGet(runs, (n) => n + 1),
    (n) => Effect.as(Deferred.await(gate), n)
  )
  return { runs, gate, shared: SingleFlight.make(run) }
})

describe("SingleFlight", () => {
  it.effect("callers that ask while a run is in flight share it; the next caller starts a new one", () =>
    Effect.gen(function* () {
      const { runs, gate, shared } = yield* gated
      const callers = yield* Effect.forEach(Array.from({ length: 20 }), () => Effect.forkChild(shared))
      yield* Effect.yieldNow
      assert.strictEqual(yield* Ref.get(runs), 1)
      yield* Deferred.succeed(gate, undefined)
      const answers = yield* Effect.forEach(callers, Fiber.join)
      assert.deepStrictEqual(
        answers,
        Array.from({ length: 20 }, () => 1)
      )
      // Nothing is kept: the gate is open now, and a new call runs again.
      assert.strictEqual(yield* shared, 2)
      assert.strictEqual(yield* Ref.get(runs), 2)
    })
  )

  it.effect("the caller that started the run going away does not strand the others", () =>
    Effect.gen(function* () {
      const { gate, shared } = yield* gated
      const first = yield* Effect.forkChild(shared)
      yield* Effect.yieldNow
      const second = yield* Effect.forkChild(shared)
      yield* Effect.yieldNow
      yield* Effect.forkChild(Fiber.interrupt(first))
      yield* Effect.yieldNow
      yield* Deferred.succeed(gate, undefined)
      assert.strictEqual(yield* Fiber.join(second), 1)
    })
  )

  it.effect("a failure or a defect is every waiter's outcome, and the next call runs again", () =>
    Effect.gen(function* () {
      const attempts = yield* Ref.make(0)
      const gate = yield* Deferred.make<void>()
      const shared = SingleFlight.make(
        Effect.andThen(
          Ref.updateAndGet(attempts, (n) => n + 1),
          (n) =>
            Effect.andThen(Deferred.await(gate), n === 1 ? Effect.fail("down" as const) : Effect.die("boom"))
        )
      )
      const waiters = yield* Effect.forEach(Array.from({ length: 3 }), () =>
        Effect.forkChild(Effect.flip(shared))
      )
      yield* Effect.yieldNow
      yield* Deferred.succeed(gate, undefined)
      assert.deepStrictEqual(yield* Effect.forEach(waiters, Fiber.join), ["down", "down", "down"])
      const defect = yield* Effect.exit(shared)
      assert.isTrue(defect._tag === "Failure")
      assert.strictEqual(yield* Ref.get(attempts), 2)
    })
  )

  it.effect(
    "recent: an outcome is reused for maxAge from its run's start, then run again; failures are not kept",
    () =>
      Effect.gen(function* () {
        const runs = yield* Ref.make(0)
        const failNext = yield* Ref.make(false)
        const shared = SingleFlight.recent(
          Effect.andThen(
            Ref.updateAndGet(runs, (n) => n + 1),
            (n) =>
              Effect.flatMap(Ref.getAndSet(failNext, false), (fail) =>
                fail ? Effect.fail("down" as const) : Effect.succeed(n)
              )
          ),
          Duration.seconds(1)
        )
        assert.strictEqual(yield* shared, 1)
        yield* TestClock.adjust(Duration.millis(999))
        assert.strictEqual(yield* shared, 1)
        yield* TestClock.adjust(Duration.millis(1))
        assert.strictEqual(yield* shared, 2)
        yield* TestClock.adjust(Duration.seconds(1))
        yield* Ref.set(failNext, true)
        assert.strictEqual(yield* Effect.flip(shared), "down")
        assert.strictEqual(yield* shared, 4, "a failure is not reused")
        assert.strictEqual(yield* Ref.get(runs), 4)
      })
  )
})
