/**
 * Malformed requests derived from the served OpenAPI document (see support/BadInput.ts).
 *
 * - The sweep (deterministic): every string field of every JSON body and every query parameter
 *   gets every class of hostile value (NUL, lone surrogates, control characters; impossible and
 *   out-of-window instants; unbounded and too precise quantities; bytes that are not UTF-8). Each
 *   must be refused with a 4xx naming that very field, which proves no field is missed.
 * - The fuzz (seeded): random mutations of every operation: wrong types, missing fields, huge and
 *   truncated bodies, bad ids, wrong content types. The seed rotates daily (BAD_INPUT_SEED replays
 *   one); BAD_INPUT_COUNT sets how many requests.
 *
 * Not one request may answer 5xx, and every error must be in the API's JSON shape. Both tests have
 * explicit timeouts far above their run time on a loaded machine: the 3,000-request fuzz used to
 * hit vitest's default 30 s on a busy 2-core machine and fail `npm test` there.
 */
import { assert, layer } from "@effect/vitest"
import { Operator, Operators } from "@securebase/core"
import { Context, DateTime, Effect, Redacted } from "effect"
import { generate, hostileInstants, hostileQuantities, hostileText, sweep } from "../support/BadInput.ts"
import { call, type Reply, TestServer } from "../support/TestServer.ts"

const count = Number(process.env.BAD_INPUT_COUNT ?? 1000)
// A new seed each UTC day, so successive runs explore different requests; a failure prints it.
const seed = Number(process.env.BAD_INPUT_SEED ?? Math.floor(Date.now() / 86_400_000))

const isErrorShape = (body: any) =>
  typeof body === "object" &&
  body !== null &&
  typeof body._tag === "string" &&
  typeof body.code === "string" &&
  typeof body.message === "string"

const describe = (r: { method: string; path: string; why: string }, reply: Reply) =>
  `${reply.status} ${r.method} ${r.path.slice(0, 120)} (${r.why}): ${JSON.stringify(reply.body).slice(0, 200)}`

/** The test server's tenant, a real invoice id and a key the requests may revoke. */
const target = TestServer.use(({ url, tenants, services }) =>
  Effect.gen(function* () {
    const token = tenants[3]!.apiKey
    // The /admin endpoints take an operator key with every operator scope.
    const operator = Redacted.value(
      (yield* Effect.orDie(
        Context.get(services, Operators.Operators).create({ name: "fuzz", scopes: Operator.allScopes })
      )).plaintext
    )
    const authorization = (path: string) => `Bearer ${path.startsWith("/admin") ? operator : token}`
    const doc = (yield* call(url, "GET", "/openapi.json")).body
    const invoiceId = (yield* call(url, "GET", "/invoices", { token })).body.data[0].id as string
    // A key the requests may revoke without locking the tenant out.
    const spare = (yield* call(url, "POST", "/api-keys/create", {
      token,
      json: { name: "fuzz target", scopes: ["invoices:read"] }
    })).body.apiKey.id as string
    return { url, token, doc, invoiceId, spare, authorization }
  })
)

/** Sends requests 16 at a time; answers in order. */
const sendAll = <R extends { method: string; path: string; headers: Record<string, string>; body?: string }>(
  url: string,
  requests: ReadonlyArray<R>
) =>
  Effect.forEach(
    requests,
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

layer(TestServer.layer({ RATE_LIMIT_REQUESTS: "1000000" }), { timeout: 300_000, excludeTestServices: true })(
  "generated bad input",
  (it) => {
    it.effect(
      "every hostile class in every body field and query parameter: a 4xx naming that field, never 5xx",
      () =>
        Effect.gen(function* () {
          const { url, token, doc, invoiceId, authorization } = yield* target
          const recently = DateTime.formatIso(DateTime.subtract(DateTime.nowUnsafe(), { minutes: 1 }))
          const requests = sweep(doc, {
            authorization,
            pathValue: (name) =>
              name === "id" || name === "findingId" || name === "ticketId" ? invoiceId : "x",
            validBodies: {
              "POST /admin/customers": { name: "Sweep Co", email: "a@sweep.example", plan: "standard" },
              "PATCH /admin/customers/{id}": { name: "Sweep Co", taxId: "X1" },
              "POST /admin/customers/{id}/suspend": { reason: "sweep" },
              "POST /admin/customers/{id}/reactivate": { reason: "sweep" },
              "POST /admin/customers/{id}/close": { reason: "sweep" },
              "POST /admin/customers/{id}/plan": { plan: "fintech", effective: "immediately" },
              "POST /admin/customers/{id}/compliance/findings": {
                findings: [
                  {
                    id: invoiceId,
                    framework: "SOC2",
                    controlId: "CC6.1",
                    title: "sweep",
                    severity: "low",
                    resource: "r",
                    detectedAt: recently
                  }
                ]
              },
              "POST /admin/customers/{id}/compliance/findings/{findingId}/resolve": {
                status: "resolved",
                note: "n"
              },
              "POST /admin/customers/{id}/support/tickets/{ticketId}/replies": { body: "hello" },
              "POST /admin/customers/{id}/support/tickets/{ticketId}/status": { status: "resolved" },
              "POST /usage/events": {
                events: [
                  {
                    id: "sweep-1",
                    metric: "api_calls",
                    occurredAt: recently,
                    quantity: "1",
                    subject: "acct-1"
                  }
                ]
              },
              "POST /support/tickets/create": {
                subject: "Export fails",
                description: "It times out.",
                priority: "low"
              },
              "POST /support/tickets/{id}/replies": { body: "Any news?" },
              "POST /api-keys/create": {
                name: "sweep",
                scopes: ["invoices:read"],
                mode: "test",
                expiresInDays: 1
              },
              "POST /auth/session": { apiKey: token }
            },
            instantComponents: ["Rfc3339InstantEncoded"],
            quantityComponents: ["UsageQuantityEncoded"]
          })
          // Every class reached the fields declared with it, and every text field got every text.
          const whys = requests.map((r) => r.why)
          for (const v of hostileInstants) assert.include(whys, `events.0.occurredAt = ${JSON.stringify(v)}`)
          for (const v of hostileQuantities) assert.include(whys, `events.0.quantity = ${JSON.stringify(v)}`)
          for (const field of ["events.0.subject", "description", "subject", "name", "scopes.0"]) {
            for (const v of hostileText) assert.include(whys, `${field} = ${JSON.stringify(v)}`)
          }
          // The valid bodies really are valid: each hostile value is the only thing wrong.
          for (const [method, path, json] of [
            [
              "POST",
              "/usage/events",
              {
                events: [
                  {
                    id: "sweep-valid",
                    metric: "api_calls",
                    occurredAt: recently,
                    quantity: "1",
                    subject: "acct-1"
                  }
                ]
              }
            ],
            [
              "POST",
              "/support/tickets/create",
              { subject: "Export fails", description: "It times out.", priority: "low" }
            ],
            [
              "POST",
              "/api-keys/create",
              { name: "sweep", scopes: ["invoices:read"], mode: "test", expiresInDays: 1 }
            ],
            ["POST", "/auth/session", { apiKey: token }]
          ] as const) {
            const ok = yield* call(url, method, path, { token, json })
            assert.isBelow(ok.status, 300, `${path}: ${JSON.stringify(ok.body)}`)
          }
          const replies = yield* sendAll(url, requests)
          const failures = replies
            .filter(
              ({ r, reply }) =>
                reply.status < 400 ||
                reply.status >= 500 ||
                !isErrorShape(reply.body) ||
                reply.body.field !== r.field
            )
            .map(({ r, reply }) => describe(r, reply))
          const fivexx = replies.filter(({ reply }) => reply.status >= 500).length
          console.log(`bad-input sweep: ${requests.length} hostile requests sent, ${fivexx} answered 5xx`)
          assert.deepStrictEqual(
            failures.slice(0, 10),
            [],
            `${failures.length} of ${requests.length} not refused by field`
          )
        }),
      300_000
    )

    it.effect(
      `${count} fuzzed requests (seed ${seed}): no 5xx, every error in the one JSON shape`,
      () =>
        Effect.gen(function* () {
          const { url, doc, invoiceId, spare, authorization } = yield* target
          const requests = generate(doc, {
            count,
            seed,
            authorization,
            pathValue: (name) =>
              name === "id" || name === "findingId" || name === "ticketId" ? invoiceId : "x",
            samples: {
              Rfc3339InstantEncoded: DateTime.formatIso(
                DateTime.subtract(DateTime.nowUnsafe(), { minutes: 1 })
              ),
              UsageQuantityEncoded: "1",
              MetricCode: "api_calls"
            }
          }).map((r) =>
            r.path.startsWith("/api-keys/") ? { ...r, path: r.path.replace(invoiceId, spare) } : r
          )
          const statuses = new Map<number, number>()
          const failures: Array<string> = []
          for (const { r, reply } of yield* sendAll(url, requests)) {
            statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1)
            if (reply.status >= 500 || (reply.status >= 400 && !isErrorShape(reply.body)))
              failures.push(describe(r, reply))
          }
          const fivexx = Array.from(statuses).reduce((n, [status, k]) => (status >= 500 ? n + k : n), 0)
          console.log(
            `bad-input fuzz (seed ${seed}): ${requests.length} malformed requests sent, ${fivexx} answered 5xx; statuses`,
            Object.fromEntries([...statuses].sort(([a], [b]) => a - b))
          )
          assert.deepStrictEqual(failures.slice(0, 10), [], `${failures.length} bad answers (seed ${seed})`)
          // The generator must actually reach the validation paths, not just bounce off auth.
          assert.isAbove(statuses.get(400) ?? 0, count / 4)
          assert.isAbove(statuses.get(401) ?? 0, 0, "the authorization mutations reached the middleware")
          assert.isAbove((statuses.get(200) ?? 0) + (statuses.get(201) ?? 0), 0)
        }),
      600_000
    )
  }
)
