import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect } from "effect"
import { TestClock } from "effect/testing"
import { Throttle } from "../../src/index.ts"

const policy: Throttle.Policy = {
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
    for (let n = 0; n < 64; n++) assert.isAtMost(Throttle.delayAfter(n, Throttle.defaultPolicy), 60_000)
  })
})

describe("Throttle: FailureThrottle on the Clock", () => {
  it.effect("refuses a failing client with a retry-after and lets it back in as TestClock moves", () =>
    Effect.gen(function* () {
      const throttle = yield* Throttle.FailureThrottle.make({ policy })
      yield* throttle.recordFailure("a")
      yield* throttle.recordFailure("a")
      const refused = yield* Effect.flip(throttle.check("a"))
      assert.strictEqual(refused.code, "AUTH.TOO_MANY_ATTEMPTS")
      assert.strictEqual(refused.retryAfterMillis, 1_000)
      yield* throttle.check("b")
      yield* TestClock.adjust(Duration.seconds(1))
      yield* throttle.check("a")
    })
  )

  it.effect("tracks a bounded number of clients, forgetting the oldest", () =>
    Effect.gen(function* () {
      const throttle = yield* Throttle.FailureThrottle.make({
        policy: { ...policy, freeFailures: 1 },
        maxClients: 2
      })
      yield* throttle.recordFailure("a")
      yield* throttle.recordFailure("b")
      yield* throttle.recordFailure("c")
      yield* throttle.check("a")
      assert.strictEqual((yield* Effect.flip(throttle.check("c"))).code, "AUTH.TOO_MANY_ATTEMPTS")
    })
  )
})
