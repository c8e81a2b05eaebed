/**
 * The store a configuration names, end to end: a Redis that cannot be reached at start fails the
 * start; one that goes away later leaves the API serving (the limits fail open, and say so in the
 * log) instead of refusing every request. A private `redis-server` on a free port is started and
 * killed here; the shared one on 6379 is never touched.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { createServer, Socket } from "node:net"
import { assert, describe, it } from "@effect/vitest"
import { Context, Effect, Exit, Layer, Option, Redacted } from "effect"
import * as LimitStores from "../src/LimitStores.ts"
import { call, TestServer } from "./support/TestServer.ts"

const open = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = new Socket()
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.once("connect", () => done(true))
    socket.once("error", () => done(false))
    socket.connect(port, "127.0.0.1")
  })

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })

const redisServer = Effect.acquireRelease(
  Effect.promise(async () => {
    const port = await freePort()
    const child: ChildProcess = spawn(
      "redis-server",
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
      { stdio: "ignore" }
    )
    for (let i = 0; i < 100 && !(await open(port)); i++) await new Promise((r) => setTimeout(r, 50))
    return { url: `redis://127.0.0.1:${port}`, child }
  }),
  ({ child }) => Effect.sync(() => child.kill("SIGKILL"))
)

describe("LimitStores", () => {
  it.live(
    "RATE_LIMIT_STORE=redis with a Redis that cannot be reached: the start fails",
    () =>
      Effect.gen(function* () {
        const port = yield* Effect.promise(freePort)
        const exit = yield* Effect.exit(
          Effect.scoped(
            Layer.build(
              LimitStores.layer({
                kind: "redis",
                url: Redacted.make(`redis://127.0.0.1:${port}`),
                keyPrefix: "securebase-test:"
              })
            )
          )
        )
        assert.isTrue(Exit.isFailure(exit))
      }),
    30_000
  )

  it.live(
    "RATE_LIMIT_STORE=dynamodb with a table that cannot be reached: the start fails",
    () =>
      Effect.gen(function* () {
        const port = yield* Effect.promise(freePort)
        const exit = yield* Effect.exit(
          Effect.scoped(
            Layer.build(
              LimitStores.layer({
                kind: "dynamodb",
                tableName: "securebase-limits",
                endpoint: Option.some(`http://127.0.0.1:${port}`)
              })
            )
          )
        )
        assert.isTrue(Exit.isFailure(exit))
      }),
    60_000
  )

  it.live(
    "a Redis that goes away after the start: requests are still served, the limits failing open",
    () =>
      Effect.gen(function* () {
        const redis = yield* redisServer
        const server = yield* Layer.build(
          TestServer.layer({
            RATE_LIMIT_STORE: "redis",
            REDIS_URL: redis.url,
            RATE_LIMIT_KEY_PREFIX: `securebase-test:${globalThis.crypto.randomUUID()}:`,
            RATE_LIMIT_REQUESTS: "3"
          })
        )
        const { url, tenants } = Context.get(server, TestServer)
        const key = tenants[0]!.apiKey
        const before = yield* call(url, "GET", "/api-keys", { token: key })
        assert.strictEqual(before.status, 200)
        assert.strictEqual(before.headers.get("ratelimit-remaining"), "2", "counted in Redis while it is up")
        redis.child.kill("SIGKILL")
        yield* Effect.sleep("300 millis")
        // Past the per-address limit of 3, with a wrong key and the right one: served, not refused.
        for (let i = 0; i < 4; i++) {
          assert.strictEqual((yield* call(url, "GET", "/api-keys", { token: key })).status, 200)
          const wrong = yield* call(url, "GET", "/api-keys", { token: `${key.slice(0, -1)}x` })
          assert.strictEqual(wrong.status, 401)
        }
      }),
    120_000
  )
})
