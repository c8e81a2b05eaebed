/**
 * `LimitStore` on Redis, shared by every instance that points at the same server and prefix: one
 * hash per key (`count`, `startedAt`, `lastAt`, `expiresAt`), changed by a Lua script so that
 * the check against `max` and the increment are one atomic step, whatever the number of
 * instances. Keys also get a Redis expiry, so the server forgets them; reads check `expiresAt`
 * (the callers' clock) themselves.
 *
 * Built on effect's `Redis` service (effect/persistence/Redis); `@effect/platform-node`'s
 * `NodeRedis.layer` provides it over node-redis. Every command is bounded by `timeout`: a Redis
 * that does not answer is `LimitStoreUnavailable`, never a request that hangs.
 */
import { LimitStore } from "@securebase/core"
import { Duration, Effect, Layer, Option } from "effect"
import { Redis } from "effect/persistence"

/** Options of the Redis store. */
export interface Options {
  /** Prepended to every key, so deployments (and test runs) sharing a server stay apart. */
  readonly prefix?: string
  /** The longest a command may take before it counts as unavailable (default 1 s). */
  readonly timeout?: Duration.Input
}

/** The default key prefix. */
export const defaultPrefix = "securebase:limits:"

const hitScript = Redis.script(
  (key: string, now: number, ttlMillis: number, max: number) => [key, now, ttlMillis, max],
  {
    numberOfKeys: 1,
    lua: `
local key = KEYS[1]
local now = tonumber(ARGV[1])
local ttl = tonumber(ARGV[2])
local max = tonumber(ARGV[3])
local v = redis.call("HMGET", key, "count", "startedAt", "lastAt", "expiresAt")
local count = tonumber(v[1])
local expiresAt = tonumber(v[4])
local function n(x) return string.format("%.0f", x) end
if count == nil or expiresAt == nil or expiresAt <= now then
  redis.call("HSET", key, "count", 1, "startedAt", n(now), "lastAt", n(now), "expiresAt", n(now + ttl))
  redis.call("PEXPIRE", key, n(ttl))
  return { 1, n(now), n(now), n(now + ttl), 1 }
end
local startedAt = tonumber(v[2])
local lastAt = tonumber(v[3])
if max >= 0 and count + 1 > max then
  return { count, n(startedAt), n(lastAt), n(expiresAt), 0 }
end
count = count + 1
redis.call("HSET", key, "count", count, "lastAt", n(now))
return { count, n(startedAt), n(now), n(expiresAt), 1 }
`
  }
).withReturnType<ReadonlyArray<number | string>>()

/** Builds the store over the `Redis` service in context. */
export const make = Effect.fnUntraced(function* (options?: Options) {
  const redis = yield* Redis.Redis
  const prefix = options?.prefix ?? defaultPrefix
  const timeout = Duration.fromInputUnsafe(options?.timeout ?? Duration.seconds(1))
  const hit = redis.eval(hitScript)
  const bounded = <A, E>(operation: string, effect: Effect.Effect<A, E>) =>
    effect.pipe(
      Effect.timeout(timeout),
      Effect.mapError((cause) => new LimitStore.LimitStoreUnavailable({ store: "redis", operation, cause }))
    )
  const decode = (operation: string, values: ReadonlyArray<unknown>) => {
    const [count, startedAt, lastAt, expiresAt] = values.map(Number)
    return [count, startedAt, lastAt, expiresAt].every((x) => Number.isFinite(x))
      ? Effect.succeed({ count: count!, startedAt: startedAt!, lastAt: lastAt!, expiresAt: expiresAt! })
      : Effect.fail(
          new LimitStore.LimitStoreUnavailable({
            store: "redis",
            operation,
            cause: new Error("unexpected reply")
          })
        )
  }
  return LimitStore.LimitStore.of({
    hit: (key, { now, ttlMillis, max }) =>
      bounded("hit", hit(`${prefix}${key}`, now, ttlMillis, max ?? -1)).pipe(
        Effect.flatMap((reply) =>
          Effect.map(decode("hit", reply), (window) => ({ ...window, counted: Number(reply[4]) === 1 }))
        )
      ),
    peek: (key, now) =>
      bounded(
        "peek",
        redis.send<ReadonlyArray<string | null>>(
          "HMGET",
          `${prefix}${key}`,
          "count",
          "startedAt",
          "lastAt",
          "expiresAt"
        )
      ).pipe(
        Effect.flatMap((reply) => {
          if (reply[0] === null || reply[0] === undefined) return Effect.succeed(Option.none())
          return Effect.map(decode("peek", reply), (window) =>
            now < window.expiresAt ? Option.some(window) : Option.none()
          )
        })
      )
  })
})

/** The store over the `Redis` service in context. */
export const layer = (options?: Options): Layer.Layer<LimitStore.LimitStore, never, Redis.Redis> =>
  Layer.effect(LimitStore.LimitStore, make(options))
