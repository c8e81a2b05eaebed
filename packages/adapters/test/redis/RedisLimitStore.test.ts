/**
 * The Redis store against a real Redis: the shared server on 127.0.0.1:6379 for the contract and
 * for two instances racing on one key, and a private `redis-server` that the tests kill or freeze
 * to see the store report it (and the limits built on it let requests through).
 */
import { NodeRedis } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { LimitStore, RateLimit, Throttle } from "@securebase/core"
import { Context, Duration, Effect, Layer, Option } from "effect"
import { RedisLimitStore } from "../../src/index.ts"
import { freshKey, limitStoreContract } from "../limits/LimitStoreContract.ts"
import { privateRedis, reachable, redisLayer, redisUrl, runPrefix } from "./RedisSupport.ts"

const available = await reachable(redisUrl)
const prefix = runPrefix()
const storeLayer = RedisLimitStore.layer({ prefix }).pipe(Layer.provide(redisLayer()))

/** A store with a connection of its own, open for the rest of the test's scope. */
const instance = (options: RedisLimitStore.Options, url?: string) =>
  Effect.map(
    Layer.build(RedisLimitStore.layer(options).pipe(Layer.provide(redisLayer(url)))),
    Context.get(LimitStore.LimitStore)
  )

describe.runIf(available)("RedisLimitStore: the LimitStore contract (Redis at REDIS_URL)", () => {
  limitStoreContract(storeLayer)
})

describe.runIf(available)("RedisLimitStore: shared by instances", () => {
  it.effect(
    "two instances (two connections) hitting one key concurrently count exactly max between them",
    () =>
      Effect.gen(function* () {
        const a = yield* instance({ prefix })
        const b = yield* instance({ prefix })
        const key = freshKey("two-instances")
        const hits = yield* Effect.forEach(
          Array.from({ length: 60 }, (_, i) => (i % 2 === 0 ? a : b)),
          (store) => store.hit(key, { now: 0, ttlMillis: 60_000, max: 25 }),
          { concurrency: "unbounded" }
        )
        assert.strictEqual(hits.filter((h) => h.counted).length, 25)
        assert.strictEqual(Option.getOrUndefined(yield* a.peek(key, 0))?.count, 25)
        assert.strictEqual(Option.getOrUndefined(yield* b.peek(key, 0))?.count, 25)
      }),
    30_000
  )

  it.effect(
    "keys live under the prefix and carry a Redis expiry, so the server forgets them",
    () =>
      Effect.gen(function* () {
        const store = yield* LimitStore.LimitStore
        const key = freshKey("ttl")
        yield* store.hit(key, { now: 0, ttlMillis: 60_000 })
        const ttl = yield* Effect.flatMap(NodeRedis.NodeRedis, (redis) =>
          redis.use((client) => client.pTTL(`${prefix}${key}`))
        ).pipe(Effect.provide(redisLayer()))
        assert.isAbove(ttl, 0)
        assert.isAtMost(ttl, 60_000)
      }).pipe(Effect.provide(storeLayer)),
    30_000
  )
})

describe.runIf(available)("RedisLimitStore: a server that goes away", () => {
  it.live(
    "a killed server: LimitStoreUnavailable at once; the throttle and the rate limit let requests through",
    () =>
      Effect.gen(function* () {
        const server = yield* privateRedis
        const store = yield* instance({ prefix, timeout: "500 millis" }, server.url)
        const key = freshKey("killed")
        yield* store.hit(key, { now: 0, ttlMillis: 60_000 })
        server.child.kill("SIGKILL")
        yield* Effect.sleep("200 millis")
        const error = yield* Effect.flip(store.hit(key, { now: 0, ttlMillis: 60_000 }))
        assert.strictEqual(error.code, "LIMITS.STORE_UNAVAILABLE")
        assert.strictEqual(error.store, "redis")
        yield* failsOpen(store)
      }),
    30_000
  )

  it.live(
    "a frozen server: LimitStoreUnavailable after the timeout, never a request that hangs",
    () =>
      Effect.gen(function* () {
        const server = yield* privateRedis
        const store = yield* instance({ prefix, timeout: "300 millis" }, server.url)
        // Closing a client waits for its commands (node-redis): end the frozen server, and let
        // the client see the connection reset, before the client closes.
        yield* Effect.addFinalizer(() =>
          Effect.andThen(
            Effect.sync(() => server.child.kill("SIGKILL")),
            Effect.sleep("500 millis")
          )
        )
        server.child.kill("SIGSTOP")
        const error = yield* Effect.flip(store.peek(freshKey("frozen"), 0)).pipe(
          Effect.timeoutOrElse({ duration: "10 seconds", orElse: () => Effect.die("the store hung") })
        )
        assert.strictEqual(error.code, "LIMITS.STORE_UNAVAILABLE")
        yield* failsOpen(store)
      }),
    30_000
  )
})

/** Over an unavailable store, the throttle and the rate limit report the outage, never a refusal. */
const failsOpen = (store: LimitStore.LimitStore["Service"]) =>
  Effect.gen(function* () {
    const throttle = yield* Throttle.FailureThrottle.make({
      policy: { ...Throttle.defaultSettings, freeFailures: 0, maxFailures: 1 }
    })
    const bucket: Throttle.Bucket = { _tag: "Address", client: "198.51.100.9" }
    yield* throttle.recordFailure(bucket)
    yield* throttle.check(bucket)
    const decision = yield* Effect.flip(
      RateLimit.consume(freshKey("open"), { limit: 1, windowMillis: Duration.toMillis("1 minute") })
    )
    assert.strictEqual(decision._tag, "LimitStoreUnavailable")
  }).pipe(Effect.provideService(LimitStore.LimitStore, store))
