/**
 * Limits over loopback, on a server configured tight: bodies over MAX_BODY_BYTES are 413, a client
 * failing authentication is throttled (default policy: 5 free failures) while the right key from
 * the same address is served, and a client over its request budget gets 429 with Retry-After
 * while /health stays reachable.
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

layer(TestServer.layer(env), { timeout: 300_000, excludeTestServices: true })("limits", (it) => {
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

    it.effect(
      "repeated failures with one key id are refused with 429 and Retry-After; the right key from the same address is served (regression: the throttle's 429 had no Retry-After, and refused the valid key too)",
      () =>
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
            assert.strictEqual(last.headers.get("retry-after"), String(last.body.retryAfterSeconds))
            // The right key, from the same address, is checked and served.
            const valid = yield* call(url, "GET", "/invoices", { token: tenants[0]!.apiKey })
            assert.strictEqual(valid.status, 200)
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
