/**
 * Thousands of malformed requests derived from the served OpenAPI document (see
 * support/BadInput.ts): wrong types, missing fields, huge and truncated bodies, bad ids, wrong
 * content types. Not one may answer 5xx, and every error must be in the API's JSON shape.
 * Seeded: a failure prints the request, and the same seed replays it.
 */
import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import { generate } from "../support/BadInput.ts"
import { call, TestServer } from "../support/TestServer.ts"

const count = Number(process.env.BAD_INPUT_COUNT ?? 3000)
const seed = Number(process.env.BAD_INPUT_SEED ?? 20261122)

layer(TestServer.layer({ RATE_LIMIT_REQUESTS: "1000000" }), { timeout: 300_000, excludeTestServices: true })(
  "generated bad input",
  (it) => {
    it.effect(
      `${count} malformed requests (seed ${seed}): no 5xx, every error in the one JSON shape`,
      () =>
        TestServer.use(({ url, tenants }) =>
          Effect.gen(function* () {
            const token = tenants[3]!.apiKey
            const doc = (yield* call(url, "GET", "/openapi.json")).body
            const invoiceId = (yield* call(url, "GET", "/invoices", { token })).body.data[0].id
            // A key the fuzzer may revoke without locking itself out.
            const spare = (yield* call(url, "POST", "/api-keys/create", {
              token,
              json: { name: "fuzz target", scopes: ["invoices:read"] }
            })).body.apiKey.id
            const requests = generate(doc, {
              count,
              seed,
              authorization: `Bearer ${token}`,
              pathValue: (name) => (name === "id" ? invoiceId : "x")
            }).map((r) =>
              r.path.startsWith("/api-keys/") ? { ...r, path: r.path.replace(invoiceId, spare) } : r
            )
            const statuses = new Map<number, number>()
            const failures: Array<string> = []
            for (let i = 0; i < requests.length; i += 16) {
              const replies = yield* Effect.forEach(
                requests.slice(i, i + 16),
                (r) =>
                  Effect.map(
                    call(url, r.method, r.path, {
                      headers: r.headers,
                      ...(r.body === undefined ? {} : { body: r.body })
                    }),
                    (reply) => ({ r, reply })
                  ),
                { concurrency: 16 }
              )
              for (const { r, reply } of replies) {
                statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1)
                const shaped =
                  reply.status < 400 ||
                  (typeof reply.body === "object" &&
                    typeof reply.body.code === "string" &&
                    typeof reply.body.message === "string")
                if (reply.status >= 500 || !shaped) {
                  failures.push(
                    `${reply.status} ${r.method} ${r.path.slice(0, 120)} (${r.why}): ${JSON.stringify(reply.body).slice(0, 200)}`
                  )
                }
              }
            }
            assert.deepStrictEqual(failures.slice(0, 10), [], `${failures.length} bad answers`)
            // The generator must actually reach the validation paths, not just bounce off auth.
            console.log("bad-input statuses:", Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))
            assert.isAbove(statuses.get(400) ?? 0, count / 4)
            assert.isAbove(statuses.get(401) ?? 0, 0, "the authorization mutations reached the middleware")
            assert.isAbove((statuses.get(200) ?? 0) + (statuses.get(201) ?? 0), 0)
          })
        ),
      // Thousands of requests through the real server: generous, the machine may be loaded.
      600_000
    )
  }
)
