import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect } from "effect"
import { TestClock } from "effect/testing"
import { type Decision, RateLimiter } from "../../src/server/RateLimiter.ts"

const policy = { limit: 3, window: Duration.seconds(10), maxKeys: 2 }
const withLimiter = <A, E>(f: (limiter: RateLimiter["Service"]) => Effect.Effect<A, E>) =>
  Effect.provide(RateLimiter.use(f), RateLimiter.layer(policy))

const allowed = (d: Decision) => d.allowed

describe("RateLimiter", () => {
  it.effect("allows the limit, then refuses with a Retry-After", () =>
    withLimiter((limiter) =>
      Effect.gen(function* () {
        const decisions = [] as Array<Decision>
        for (let i = 0; i < 4; i++) decisions.push(yield* limiter.consume("1.2.3.4"))
        assert.deepStrictEqual(decisions.map(allowed), [true, true, true, false])
        assert.deepStrictEqual(
          decisions.slice(0, 3).map((d) => (d.allowed ? d.remaining : -1)),
          [2, 1, 0]
        )
        const refused = decisions[3]!
        assert.isFalse(refused.allowed)
        if (!refused.allowed) assert.isAtLeast(refused.retryAfterSeconds, 1)
      })
    )
  )

  it.effect("clients are independent", () =>
    withLimiter((limiter) =>
      Effect.gen(function* () {
        for (let i = 0; i < 3; i++) yield* limiter.consume("a")
        assert.isFalse((yield* limiter.consume("a")).allowed)
        assert.isTrue((yield* limiter.consume("b")).allowed)
      })
    )
  )

  it.effect(
    "the window slides: the previous window's weight decays, and the advertised Retry-After is honest",
    () =>
      withLimiter((limiter) =>
        Effect.gen(function* () {
          // Three requests at t = 0 fill window [0, 10 s).
          for (let i = 0; i < 3; i++) yield* limiter.consume("c")
          // At t = 10 s the new window starts, but all 3 still weigh fully: refused.
          yield* TestClock.adjust("10 seconds")
          const refused = yield* limiter.consume("c")
          assert.isFalse(refused.allowed)
          const wait = refused.allowed ? 0 : refused.retryAfterSeconds
          // One second early is still refused; at the advertised time it is allowed.
          yield* TestClock.adjust(Duration.seconds(wait - 1))
          assert.isFalse((yield* limiter.consume("c")).allowed)
          yield* TestClock.adjust("1 second")
          assert.isTrue((yield* limiter.consume("c")).allowed)
        })
      )
  )

  it.effect("after two quiet windows the client starts afresh", () =>
    withLimiter((limiter) =>
      Effect.gen(function* () {
        for (let i = 0; i < 3; i++) yield* limiter.consume("d")
        yield* TestClock.adjust("20 seconds")
        const again = [] as Array<boolean>
        for (let i = 0; i < 3; i++) again.push((yield* limiter.consume("d")).allowed)
        assert.deepStrictEqual(again, [true, true, true])
      })
    )
  )

  it.effect("remembers at most maxKeys clients, forgetting the least recently seen", () =>
    withLimiter((limiter) =>
      Effect.gen(function* () {
        for (let i = 0; i < 3; i++) yield* limiter.consume("x")
        yield* limiter.consume("y")
        yield* limiter.consume("z") // evicts x, the least recently seen
        assert.isTrue((yield* limiter.consume("x")).allowed, "x was forgotten, so it starts afresh")
      })
    )
  )
})
