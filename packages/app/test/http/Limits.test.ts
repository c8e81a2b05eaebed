/**
 * Limits over loopback, on a server configured tight: bodies over MAX_BODY_BYTES are 413, a client
 * failing authentication is throttled (default policy: 5 free failures), and a client over its
 * request budget gets 429 with Retry-After while /health stays reachable.
 */
import { assert, describe, layer } from "@effect/vitest"
import { Effect } from "effect"
import { call, TestServer } from "../support/TestServer.ts"

const env = {
  RATE_LIMIT_REQUESTS: "40",
  MAX_BODY_BYTES: "4096",
  AUTH_FREE_FAILURES: "5",
  AUTH_MAX_FAILURES: "20"
}

layer(TestServer.layer(env), { timeout: 60_000, excludeTestServices: true })("limits", (it) => {
  describe("in order (they share one client address)", () => {
    it.effect("a body over MAX_BODY_BYTES is 413 in the error shape", () =>
      TestServer.use(({ url, tenants }) =>
        Effect.gen(function* () {
          const events = Array.from({ length: 60 }, (_, i) => ({
            id: `big-${i}`,
            metric: "api_calls",
            occurredAt: new Date().toISOString(),
            quantity: "1"
          }))
          const r = yield* call(url, "POST", "/usage/events", { token: tenants[0]!.apiKey, json: { events } })
          assert.strictEqual(r.status, 413)
          assert.strictEqual(r.body.code, "REQUEST.TOO_LARGE")
        })
      )
    )

    it.effect("repeated authentication failures from one client are refused with 429", () =>
      TestServer.use(({ url, tenants }) =>
        Effect.gen(function* () {
          const keyId = tenants[0]!.apiKey.split("_")[2]
          const statuses: Array<number> = []
          let last: any
          for (let i = 0; i < 7; i++) {
            last = yield* call(url, "GET", "/invoices", { token: `sb_live_${keyId}_${"b".repeat(52)}` })
            statuses.push(last.status)
          }
          assert.deepStrictEqual(statuses.slice(0, 5), [401, 401, 401, 401, 401])
          assert.strictEqual(statuses[6], 429)
          assert.strictEqual(last.body.code, "AUTH.TOO_MANY_ATTEMPTS")
          assert.isAtLeast(last.body.retryAfterSeconds, 1)
          // While throttled even the right key is refused without being checked.
          const valid = yield* call(url, "GET", "/invoices", { token: tenants[0]!.apiKey })
          assert.strictEqual(valid.status, 429)
        })
      )
    )

    it.effect("over the request budget: 429 with Retry-After; /health is exempt", () =>
      TestServer.use(({ url }) =>
        Effect.gen(function* () {
          let r: any
          let n = 0
          do {
            r = yield* call(url, "GET", "/openapi.json")
            n++
          } while (r.status !== 429 && n < 100)
          assert.strictEqual(r.status, 429)
          assert.isAtMost(n, 40)
          assert.strictEqual(r.body.code, "RATE_LIMITED")
          const retryAfter = Number(r.headers.get("retry-after"))
          assert.isAtLeast(retryAfter, 1)
          assert.strictEqual(r.body.retryAfterSeconds, retryAfter)
          assert.strictEqual((yield* call(url, "GET", "/health")).status, 200)
        })
      )
    )
  })
})
