/**
 * Two real server processes (`src/main.ts`, as `npm start` runs it) on one PostgreSQL database,
 * sharing their limits through Redis (RATE_LIMIT_STORE=redis): each limit is one limit across the
 * two, not one per process. Requests alternate between the instances, each scenario from its own
 * loopback address.
 *
 * Needs the real PostgreSQL (DATABASE_URL; a scratch database is created, migrated with
 * `db:migrate` and dropped) and Redis (REDIS_URL, default 127.0.0.1:6379; keys under a prefix of
 * this run's own). Skipped without them.
 */
import { Socket } from "node:net"
import { assert, describe, layer } from "@effect/vitest"
import { PgDatabase } from "@securebase/adapters"
import { PriceBook } from "@securebase/core"
import { Clock, ConfigProvider, Context, Effect, Layer, Redacted } from "effect"
import { SqlClient } from "effect/sql"
import * as ServerConfig from "../src/Config.ts"
import { servicesLayer } from "../src/Layers.ts"
import { customerWithKeys } from "./support/Customers.ts"
import { callFrom, type Reply } from "./support/Loopback.ts"
import { runCli, serverProcess } from "./support/Processes.ts"

const databaseUrl = process.env.DATABASE_URL ?? ""
const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379"

const reachable = (url: string) =>
  new Promise<boolean>((resolve) => {
    const { hostname, port } = new URL(url)
    const socket = new Socket().setTimeout(2_000)
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.once("connect", () => done(true))
    socket.once("error", () => done(false))
    socket.once("timeout", () => done(false))
    socket.connect(Number(port), hostname)
  })

const available = databaseUrl !== "" && (await reachable(redisUrl))

/** Per-address budget of the pair; the scenarios below each use their own address. */
const perAddress = 1000
const freeFailures = 3
const maxFailures = 4

/** Two instances on one scratch database and one Redis prefix, and the app's services on it. */
class Pair extends Context.Service<
  Pair,
  {
    readonly a: string
    readonly b: string
    readonly services: Context.Context<any>
  }
>()("@securebase/http/test/Pair") {
  static readonly layer = Layer.effect(
    Pair,
    Effect.gen(function* () {
      const name = `sb_test_limits_${globalThis.crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`
      const admin = <A, E>(sql: (client: SqlClient.SqlClient) => Effect.Effect<A, E>) =>
        Effect.scoped(
          Effect.flatMap(
            Layer.build(
              PgDatabase.layer({ _tag: "Server", url: Redacted.make(databaseUrl), maxConnections: 1 })
            ),
            (ctx) => sql(Context.get(ctx, SqlClient.SqlClient))
          )
        ).pipe(Effect.orDie)
      yield* Effect.acquireRelease(
        admin((sql) => sql.unsafe(`CREATE DATABASE ${name}`)),
        () => admin((sql) => sql.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))
      )
      const url = new URL(databaseUrl)
      url.pathname = `/${name}`
      const scratch = url.toString()
      yield* runCli(["packages/app/bin/securebase.mjs", "db", "migrate"], { DATABASE_URL: scratch })
      const env = {
        DATABASE_URL: scratch,
        RATE_LIMIT_STORE: "redis",
        REDIS_URL: redisUrl,
        RATE_LIMIT_KEY_PREFIX: `securebase-test:${globalThis.crypto.randomUUID()}:`,
        RATE_LIMIT_REQUESTS: String(perAddress),
        RATE_LIMIT_WINDOW: "1 hour",
        AUTH_FREE_FAILURES: String(freeFailures),
        AUTH_MAX_FAILURES: String(maxFailures)
      }
      const [a, b] = yield* Effect.all([serverProcess(env), serverProcess(env)], { concurrency: 2 })
      // The test's own handle on the database, through the app's services (customers, keys).
      const config = yield* ServerConfig.load.pipe(
        Effect.provideService(ConfigProvider.ConfigProvider, ConfigProvider.fromEnv({ env })),
        Effect.orDie
      )
      const services = yield* Layer.build(servicesLayer(config)).pipe(Effect.orDie)
      return { a: a.url, b: b.url, services: services as Context.Context<any> }
    })
  )
}

describe.runIf(available)("two server processes sharing their limits through Redis", () => {
  layer(Pair.layer, { timeout: 300_000, excludeTestServices: true })("one limit across instances", (it) => {
    it.effect(
      "the per-address rate limit: the N+1th request is refused, whichever instance it reaches (regression: each process counted alone, so N instances allowed N times the limit)",
      () =>
        Effect.gen(function* () {
          const { a, b } = yield* Pair
          const remaining: Array<string | undefined> = []
          let last: Reply | undefined
          for (let i = 0; i <= perAddress; i++) {
            last = yield* callFrom("127.0.0.20", i % 2 === 0 ? a : b, "GET", "/openapi.json")
            if (i < perAddress) {
              assert.strictEqual(last.status, 200, `request ${i + 1}`)
              remaining.push(last.headers["ratelimit-remaining"] as string | undefined)
            }
          }
          // One counter: the remaining budget falls by one per request, across both instances.
          assert.deepStrictEqual(remaining.slice(0, 4), ["999", "998", "997", "996"])
          assert.strictEqual(remaining.at(-1), "0")
          assert.strictEqual(last!.status, 429)
          assert.strictEqual(last!.body.code, "RATE_LIMITED")
          assert.strictEqual(last!.headers["retry-after"], String(last!.body.retryAfterSeconds))
          // And the other instance refuses too.
          assert.strictEqual((yield* callFrom("127.0.0.20", a, "GET", "/openapi.json")).status, 429)
        }),
      240_000
    )

    it.effect(
      "the failure throttle: one allowance across instances, and the valid key is still served by both",
      () =>
        Effect.gen(function* () {
          const { a, b, services } = yield* Pair
          const { keys } = yield* Effect.provide(
            customerWithKeys({ plan: "fintech", keys: 1, label: "throttle" }),
            services
          )
          const key = keys[0]!
          const wrong = `${key.slice(0, -52)}${"e".repeat(52)}`
          const at = (i: number) => (i % 2 === 0 ? a : b)
          const statuses: Array<number> = []
          let n = 0
          // Alternate until the first refusal: the free allowance is shared (3, or 4 if the
          // machine paused past the 1 s wait; two separate counters would allow 6).
          while (!statuses.includes(429) && n < 10) {
            statuses.push((yield* callFrom("127.0.0.21", at(n), "GET", "/api-keys", { token: wrong })).status)
            n++
          }
          const failures = statuses.filter((s) => s === 401).length
          assert.include([freeFailures, freeFailures + 1], failures, statuses.join(","))
          // Past the wait, the attempts left before the ceiling (AUTH_MAX_FAILURES, shared).
          yield* Effect.sleep("1100 millis")
          for (let i = failures; i < maxFailures; i++) {
            const r = yield* callFrom("127.0.0.21", at(n++), "GET", "/api-keys", { token: wrong })
            assert.strictEqual(r.status, 401)
          }
          // At the ceiling both instances refuse for the rest of the window (15 minutes).
          for (const url of [a, b]) {
            const refused = yield* callFrom("127.0.0.21", url, "GET", "/api-keys", { token: wrong })
            assert.strictEqual(refused.status, 429)
            assert.strictEqual(refused.body.code, "AUTH.TOO_MANY_ATTEMPTS")
            assert.isAbove(Number(refused.headers["retry-after"]), 60)
          }
          // The right key, from the same address, on either instance.
          for (const url of [a, b]) {
            assert.strictEqual(
              (yield* callFrom("127.0.0.21", url, "GET", "/api-keys", { token: key })).status,
              200
            )
          }
        }),
      120_000
    )

    it.effect(
      "the plan's per-minute limit: exactly apiRateLimitPerMinute across instances and keys",
      () =>
        Effect.gen(function* () {
          const { a, b, services } = yield* Pair
          const limit = PriceBook.referenceCard.plans.standard.entitlements.apiRateLimitPerMinute
          // See ClientIdentity.test.ts: the exact count is checked on a burst within one clock
          // minute, for a customer with no requests before it.
          let burst: ReadonlyArray<Reply> | undefined
          for (let attempt = 0; attempt < 3 && burst === undefined; attempt++) {
            const now = yield* Clock.currentTimeMillis
            if (60_000 - (now % 60_000) < 45_000) yield* Effect.sleep(60_000 - (now % 60_000) + 250)
            const { keys } = yield* Effect.provide(
              customerWithKeys({ plan: "standard", keys: 2, label: `plan ${attempt}` }),
              services
            )
            const start = yield* Clock.currentTimeMillis
            const replies = yield* Effect.forEach(
              Array.from({ length: limit + 20 }, (_, i) => i),
              (i) =>
                callFrom("127.0.0.22", i % 2 === 0 ? a : b, "GET", "/api-keys", {
                  token: keys[(i >> 1) % 2]!
                }),
              { concurrency: 8 }
            )
            const end = yield* Clock.currentTimeMillis
            if (Math.floor(start / 60_000) === Math.floor(end / 60_000)) burst = replies
          }
          if (burst === undefined) return assert.fail("every burst spanned two clock minutes")
          assert.strictEqual(burst.filter((r) => r.status === 200).length, limit)
          const limited = burst.filter((r) => r.status === 429)
          assert.strictEqual(limited.length, 20)
          for (const r of limited) {
            assert.strictEqual(r.body.code, "TIER.RATE_LIMITED")
            assert.strictEqual(r.headers["retry-after"], String(r.body.retryAfterSeconds))
          }
        }),
      280_000
    )
  })
})
