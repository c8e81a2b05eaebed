/**
 * The contract every `LimitStore` adapter passes: in memory, Redis and DynamoDB run these same
 * tests, and with them the limits built on the store (the sliding-window rate limit and the
 * failure throttle). Time is `TestClock`'s, passed to the store, so expiry is exact on all three.
 */
import { assert, it } from "@effect/vitest"
import { LimitStore, RateLimit, Throttle } from "@securebase/core"
import { Duration, Effect, type Layer, Option } from "effect"
import { TestClock } from "effect/testing"

/** A key no other test (or run, on a shared server) uses. */
export const freshKey = (label: string) => `${label}:${globalThis.crypto.randomUUID()}`

/** Registers the contract for the store built by `layer` (a fresh one per test). */
export const limitStoreContract = <E>(layer: Layer.Layer<LimitStore.LimitStore, E>) => {
  const test = (name: string, body: Effect.Effect<void, unknown, LimitStore.LimitStore>) =>
    it.effect(name, () => body.pipe(Effect.provide(layer)), 30_000)

  test(
    "a key's first hit starts a counter at 1 that lapses ttl later; later hits count and keep the expiry",
    Effect.gen(function* () {
      const store = yield* LimitStore.LimitStore
      const key = freshKey("first")
      assert.isTrue(Option.isNone(yield* store.peek(key, 1_000)))
      const first = yield* store.hit(key, { now: 1_000, ttlMillis: 10_000 })
      assert.deepStrictEqual(first, {
        count: 1,
        startedAt: 1_000,
        lastAt: 1_000,
        expiresAt: 11_000,
        counted: true
      })
      const second = yield* store.hit(key, { now: 4_000, ttlMillis: 99_000 })
      assert.deepStrictEqual(second, {
        count: 2,
        startedAt: 1_000,
        lastAt: 4_000,
        expiresAt: 11_000,
        counted: true
      })
      assert.deepStrictEqual(
        yield* store.peek(key, 10_999),
        Option.some({ count: 2, startedAt: 1_000, lastAt: 4_000, expiresAt: 11_000 })
      )
    })
  )

  test(
    "a lapsed counter reads as none, and the next hit starts afresh",
    Effect.gen(function* () {
      const store = yield* LimitStore.LimitStore
      const key = freshKey("lapse")
      yield* store.hit(key, { now: 0, ttlMillis: 5_000 })
      yield* store.hit(key, { now: 1_000, ttlMillis: 5_000 })
      assert.isTrue(Option.isNone(yield* store.peek(key, 5_000)))
      const again = yield* store.hit(key, { now: 5_000, ttlMillis: 5_000 })
      assert.strictEqual(again.count, 1)
      assert.strictEqual(again.startedAt, 5_000)
    })
  )

  test(
    "a hit that would pass max is not counted",
    Effect.gen(function* () {
      const store = yield* LimitStore.LimitStore
      const key = freshKey("max")
      const counted: Array<boolean> = []
      for (let i = 0; i < 4; i++)
        counted.push((yield* store.hit(key, { now: i, ttlMillis: 60_000, max: 2 })).counted)
      assert.deepStrictEqual(counted, [true, true, false, false])
      const window = yield* store.peek(key, 10)
      assert.strictEqual(Option.getOrUndefined(window)?.count, 2)
      assert.strictEqual(Option.getOrUndefined(window)?.lastAt, 1, "an uncounted hit leaves no trace")
      // A higher ceiling lets it count again.
      assert.isTrue((yield* store.hit(key, { now: 11, ttlMillis: 60_000, max: 3 })).counted)
    })
  )

  test(
    "keys are independent",
    Effect.gen(function* () {
      const store = yield* LimitStore.LimitStore
      const a = freshKey("a")
      const b = freshKey("b")
      yield* store.hit(a, { now: 0, ttlMillis: 60_000 })
      yield* store.hit(a, { now: 0, ttlMillis: 60_000 })
      assert.strictEqual((yield* store.hit(b, { now: 0, ttlMillis: 60_000 })).count, 1)
    })
  )

  test(
    "concurrent hits never pass max: exactly max of them are counted",
    Effect.gen(function* () {
      const store = yield* LimitStore.LimitStore
      const key = freshKey("race")
      const hits = yield* Effect.forEach(
        Array.from({ length: 40 }, (_, i) => i),
        () => store.hit(key, { now: 0, ttlMillis: 60_000, max: 15 }),
        { concurrency: "unbounded" }
      )
      assert.strictEqual(hits.filter((h) => h.counted).length, 15)
      assert.strictEqual(Option.getOrUndefined(yield* store.peek(key, 0))?.count, 15)
    })
  )

  const policy: RateLimit.Quota = { limit: 3, windowMillis: 10_000 }

  test(
    "RateLimit: allows the limit, then refuses with a Retry-After; keys are independent",
    Effect.gen(function* () {
      const key = freshKey("rate")
      const decisions: Array<RateLimit.Decision> = []
      for (let i = 0; i < 4; i++) decisions.push(yield* RateLimit.consume(key, policy))
      assert.deepStrictEqual(
        decisions.map((d) => d.allowed),
        [true, true, true, false]
      )
      assert.deepStrictEqual(
        decisions.slice(0, 3).map((d) => (d.allowed ? d.remaining : -1)),
        [2, 1, 0]
      )
      const refused = decisions[3]!
      assert.isTrue(!refused.allowed && refused.retryAfterSeconds >= 1)
      assert.isTrue((yield* RateLimit.consume(freshKey("rate-other"), policy)).allowed)
    })
  )

  test(
    "RateLimit: the window slides, and the advertised Retry-After is honest",
    Effect.gen(function* () {
      const key = freshKey("slide")
      // Three requests at t = 0 fill window [0, 10 s).
      for (let i = 0; i < 3; i++) yield* RateLimit.consume(key, policy)
      // At t = 10 s the next window starts, but all 3 still weigh fully: refused.
      yield* TestClock.adjust("10 seconds")
      const refused = yield* RateLimit.consume(key, policy)
      assert.isFalse(refused.allowed)
      const wait = refused.allowed ? 0 : refused.retryAfterSeconds
      // One second early is still refused; at the advertised time it is allowed.
      yield* TestClock.adjust(Duration.seconds(wait - 1))
      assert.isFalse((yield* RateLimit.consume(key, policy)).allowed)
      yield* TestClock.adjust("1 second")
      assert.isTrue((yield* RateLimit.consume(key, policy)).allowed)
    })
  )

  test(
    "RateLimit: after two quiet windows a key starts afresh",
    Effect.gen(function* () {
      const key = freshKey("quiet")
      for (let i = 0; i < 3; i++) yield* RateLimit.consume(key, policy)
      yield* TestClock.adjust("20 seconds")
      const again: Array<boolean> = []
      for (let i = 0; i < 3; i++) again.push((yield* RateLimit.consume(key, policy)).allowed)
      assert.deepStrictEqual(again, [true, true, true])
    })
  )

  test(
    "FailureThrottle: refuses a failing bucket with a retry-after and lets it back in as the clock moves",
    Effect.gen(function* () {
      const throttle = yield* Throttle.FailureThrottle.make({
        policy: {
          freeFailures: 2,
          maxFailures: 5,
          windowMillis: 60_000,
          baseDelayMillis: 1_000,
          maxDelayMillis: 3_000
        }
      })
      const a: Throttle.Bucket = { _tag: "Address", client: `198.51.100.${Math.floor(Math.random() * 250)}` }
      const client = `2001:db8:${Math.floor(Math.random() * 65_535).toString(16)}::1`
      const b: Throttle.Bucket = { _tag: "Address", client }
      yield* Effect.forEach([a, a], (bucket) => throttle.recordFailure(bucket))
      const refused = yield* Effect.flip(throttle.check(a))
      assert.strictEqual(refused.code, "AUTH.TOO_MANY_ATTEMPTS")
      assert.strictEqual(refused.retryAfterMillis, 1_000)
      yield* throttle.check(b)
      yield* TestClock.adjust(Duration.seconds(1))
      yield* throttle.check(a)
    })
  )
}
