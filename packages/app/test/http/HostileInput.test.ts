/**
 * Issue 10, item 4: hostile input answered 5xx (or was silently mangled). Each case below is a
 * request that broke the service before: it must now be a 4xx in the one error shape, naming the
 * field, and it must not leave a tenant broken. Tenants: [0] standard (key names), [1] fintech
 * (stored hostile usage), [2] healthcare (usage and tickets).
 */
import { assert, describe, layer } from "@effect/vitest"
import { Decimal, Operators, PriceBook, Pricing } from "@securebase/core"
import { Context, DateTime, Effect, Redacted } from "effect"
import { SqlClient } from "effect/sql"
import { call, TestServer } from "../support/TestServer.ts"

const keyOf = (i: number) => TestServer.use((s) => Effect.succeed(s.tenants[i]!.apiKey))
const send = (method: string, path: string, token: string, json?: unknown) =>
  TestServer.use((s) => call(s.url, method, path, { token, ...(json === undefined ? {} : { json }) }))

// An instant a little in the past, so every event lands in the current month.
const recently = () => DateTime.formatIso(DateTime.subtract(DateTime.nowUnsafe(), { seconds: 10 }))
const event = (id: string, fields: Record<string, unknown> = {}) => ({
  id,
  metric: "api_calls",
  occurredAt: recently(),
  quantity: "1",
  ...fields
})
const ingest = (token: string, events: ReadonlyArray<unknown>) =>
  send("POST", "/usage/events", token, { events })

const assertBadRequest = (reply: { status: number; body: any }, field: string, label: string) => {
  assert.strictEqual(reply.status, 400, `${label}: ${JSON.stringify(reply.body)}`)
  assert.strictEqual(reply.body.code, "REQUEST.INVALID", label)
  assert.strictEqual(reply.body.field, field, label)
}

// A privileged statement on the server's own database (PGlite's session is a superuser), to plant
// rows the API now refuses, as an older version or another writer could have stored them.
const sqlOnServer = <A>(f: (sql: SqlClient.SqlClient) => Effect.Effect<A, unknown>) =>
  TestServer.use(({ services }) =>
    Effect.orDie(Effect.provide(Effect.flatMap(SqlClient.SqlClient, f), services))
  )

layer(TestServer.layer(), { timeout: 120_000, excludeTestServices: true })("hostile input", (it) => {
  describe("text PostgreSQL cannot store or would not give back", () => {
    it.effect("a NUL in a usage subject, a ticket's subject or description, a key name is 400, not 5xx", () =>
      Effect.gen(function* () {
        const key = yield* keyOf(2)
        assertBadRequest(
          yield* ingest(key, [event("nul-subject", { metric: "accounts", subject: "acct\u0000" })]),
          "events.0.subject",
          "usage subject"
        )
        const ticket = { subject: "Export fails", description: "It times out.", priority: "low" }
        assertBadRequest(
          yield* send("POST", "/support/tickets/create", key, { ...ticket, description: "a\u0000b" }),
          "description",
          "ticket description"
        )
        assertBadRequest(
          yield* send("POST", "/support/tickets/create", key, { ...ticket, subject: "Export\u0000 fails" }),
          "subject",
          "ticket subject"
        )
        assertBadRequest(
          yield* send("POST", "/api-keys/create", key, { name: "ci\u0000", scopes: ["invoices:read"] }),
          "name",
          "key name"
        )
      })
    )

    it.effect(
      "a lone surrogate is 400 in every text field, and an identical resend is 400 again, not 409",
      () =>
        Effect.gen(function* () {
          const key = yield* keyOf(2)
          const batch = [event("lone-surrogate", { metric: "accounts", subject: "acct-\ud800" })]
          assertBadRequest(yield* ingest(key, batch), "events.0.subject", "first send")
          assertBadRequest(yield* ingest(key, batch), "events.0.subject", "identical resend")
          const ticket = { subject: "Export fails", description: "It times out.", priority: "low" }
          assertBadRequest(
            yield* send("POST", "/support/tickets/create", key, {
              ...ticket,
              description: "\udc00 trailing"
            }),
            "description",
            "ticket description"
          )
          assertBadRequest(
            yield* send("POST", "/api-keys/create", key, { name: "key \ud83d", scopes: ["invoices:read"] }),
            "name",
            "key name"
          )
        })
    )

    it.effect(
      "control characters are refused in single-line fields; tabs and newlines stay allowed in a description",
      () =>
        Effect.gen(function* () {
          const key = yield* keyOf(2)
          assertBadRequest(
            yield* send("POST", "/api-keys/create", key, { name: "line\nbreak", scopes: ["invoices:read"] }),
            "name",
            "newline in a key name"
          )
          assertBadRequest(
            yield* send("POST", "/support/tickets/create", key, {
              subject: "Bcc: attacker@example.com\r\nX: y",
              description: "header injection",
              priority: "low"
            }),
            "subject",
            "CR LF in a ticket subject"
          )
          assertBadRequest(
            yield* send("POST", "/support/tickets/create", key, {
              subject: "Terminal",
              description: "escape \u001b[2J sequence",
              priority: "low"
            }),
            "description",
            "ESC in a description"
          )
          const ok = yield* send("POST", "/support/tickets/create", key, {
            subject: "Export fails — ünïcödé 😀",
            description: "Steps:\n\t1. export\r\n\t2. wait",
            priority: "low"
          })
          assert.strictEqual(ok.status, 201, JSON.stringify(ok.body))
          assert.strictEqual(ok.body.description, "Steps:\n\t1. export\r\n\t2. wait")
        })
    )

    it.effect(
      "a ticket subject is measured in characters as the database measures it (an emoji is one)",
      () =>
        Effect.gen(function* () {
          const key = yield* keyOf(2)
          // Three UTF-16 code units, two characters: the database's CHECK (length >= 3) refused it.
          assertBadRequest(
            yield* send("POST", "/support/tickets/create", key, {
              subject: "😀x",
              description: "short",
              priority: "low"
            }),
            "subject",
            "two characters"
          )
          const ok = yield* send("POST", "/support/tickets/create", key, {
            subject: "😀".repeat(200),
            description: "two hundred characters, four hundred code units",
            priority: "low"
          })
          assert.strictEqual(ok.status, 201, JSON.stringify(ok.body))
        })
    )
  })

  describe("operator requests", () => {
    it.effect(
      "NUL, lone surrogates and control characters in /admin text fields are 400 naming the field",
      () =>
        Effect.gen(function* () {
          const { services, tenants } = yield* TestServer
          const created = yield* Effect.orDie(
            Context.get(services, Operators.Operators).create({
              name: "hostile",
              scopes: [
                "customers:write",
                "customers:read",
                "compliance:write",
                "support:write",
                "support:read"
              ]
            })
          )
          const op = Redacted.value(created.plaintext)
          const customer = { name: "Hostile Co", email: "a@hostile.example", plan: "standard" }
          const address = { line1: "1 Main St", city: "Springfield", country: "US" }
          const cases: ReadonlyArray<[string, string, unknown, string]> = [
            ["POST", "/admin/customers", { ...customer, name: "Hostile\u0000Co" }, "name"],
            ["POST", "/admin/customers", { ...customer, name: "bad \ud800 surrogate" }, "name"],
            ["POST", "/admin/customers", { ...customer, taxId: "DE\u0007123" }, "taxId"],
            [
              "POST",
              "/admin/customers",
              { ...customer, billingAddress: { ...address, line1: "1\u0000 Main" } },
              "billingAddress.line1"
            ],
            ["PATCH", `/admin/customers/${tenants[0]!.customer.id}`, { name: "line\nbreak" }, "name"],
            ["POST", `/admin/customers/${tenants[0]!.customer.id}/suspend`, { reason: "\u0000" }, "reason"],
            [
              "POST",
              `/admin/customers/${tenants[0]!.customer.id}/compliance/findings`,
              {
                findings: [
                  {
                    id: globalThis.crypto.randomUUID(),
                    framework: "SOC2",
                    controlId: "CC6.1",
                    title: "t\u0000",
                    severity: "low",
                    resource: null,
                    detectedAt: "2026-11-01T00:00:00Z"
                  }
                ]
              },
              "findings.0.title"
            ]
          ]
          for (const [method, path, json, field] of cases) {
            assertBadRequest(yield* send(method, path, op, json), field, `${method} ${path} ${field}`)
          }
        })
    )
  })

  describe("instants", () => {
    it.effect(
      "year 0, negative years, '1', impossible dates and instants before 2000 are 400 naming the field",
      () =>
        Effect.gen(function* () {
          const key = yield* keyOf(2)
          for (const occurredAt of [
            "0000-06-01T00:00:00Z",
            "-000001-06-01T00:00:00Z",
            "-0001-06-01T00:00:00Z",
            "+002026-06-01T00:00:00Z",
            "1",
            "2026",
            "2026-06-01",
            "2026-06-01T00:00Z",
            "2026-06-01T00:00:00",
            "2026-06-01 00:00:00Z",
            "2026-02-30T00:00:00Z",
            "2026-06-01T24:00:00Z",
            "2026-06-01T00:00:60Z",
            "2026-06-01T00:00:00+24:00",
            "1999-12-31T23:59:59Z",
            "2000-01-01T00:30:00+01:00",
            "Mon, 01 Jun 2026 00:00:00 GMT",
            "2026-06-01T00:00:00.Z",
            "2026-06-01T00:00:00.1234567890Z"
          ]) {
            assertBadRequest(
              yield* ingest(key, [event(`bad-instant`, { occurredAt })]),
              "events.0.occurredAt",
              occurredAt
            )
          }
        })
    )

    it.effect("RFC 3339 with an offset or a fraction is accepted and stored as that instant", () =>
      Effect.gen(function* () {
        const key = yield* keyOf(2)
        const now = DateTime.subtract(DateTime.nowUnsafe(), { minutes: 2 })
        // The same instant written at +05:30.
        const local = DateTime.add(now, { hours: 5, minutes: 30 })
        const written = `${DateTime.formatIso(local).slice(0, 19)}.5+05:30`
        const r = yield* ingest(key, [event("offset-instant", { occurredAt: written })])
        assert.strictEqual(r.status, 200, JSON.stringify(r.body))
        const stored = yield* sqlOnServer(
          (sql) =>
            sql<{
              at: string
            }>`SELECT to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS') AS at
              FROM usage_events WHERE event_id = 'offset-instant'`
        )
        assert.strictEqual(stored[0]!.at, `${DateTime.formatIso(now).slice(0, 19)}.500`)
        // The resend of the same text is a duplicate, not a conflict.
        const again = yield* ingest(key, [event("offset-instant", { occurredAt: written })])
        assert.deepStrictEqual(again.body, { received: 1, accepted: 0, duplicates: 1 })
      })
    )
  })

  describe("quantities", () => {
    it.effect("a quantity over the per-event maximum or with more than 6 decimals is 400 naming it", () =>
      Effect.gen(function* () {
        const key = yield* keyOf(2)
        for (const quantity of [
          "100000000000000000000",
          "123456789012345678901234567890",
          "1000000000.000001",
          "1000000001",
          "0.0000001",
          "1e20"
        ]) {
          assertBadRequest(
            yield* ingest(key, [event("big-quantity", { metric: "storage_gb", quantity })]),
            "events.0.quantity",
            quantity
          )
        }
        const atTheLimit = yield* ingest(key, [
          event("limit-quantity", { metric: "compliance_scans", quantity: "1000000000" }),
          event("limit-scale", { metric: "compliance_scans", quantity: "0.000001" })
        ])
        assert.strictEqual(atTheLimit.status, 200, JSON.stringify(atTheLimit.body))
      })
    )

    it.effect("a stored 30-digit quantity makes GET /metrics a 422 naming the event, not a 500", () =>
      Effect.gen(function* () {
        const key = yield* keyOf(1)
        const customerId = (yield* TestServer).tenants[1]!.customer.id
        yield* sqlOnServer(
          (sql) => sql`INSERT INTO usage_events (customer_id, event_id, metric, occurred_at, quantity)
            VALUES (${customerId}, 'legacy-30-digits', 'data_transfer_gb', ${recently()},
                    123456789012345678901234567890)`
        )
        const metrics = yield* send("GET", "/metrics", key)
        assert.strictEqual(metrics.status, 422, JSON.stringify(metrics.body))
        assert.strictEqual(metrics.body.code, "USAGE.STORED_EVENT_INVALID")
        assert.include(metrics.body.message, "legacy-30-digits")
        // The rest of the API still serves the tenant.
        assert.strictEqual((yield* send("GET", "/invoices", key)).status, 200)
        yield* sqlOnServer((sql) => sql`DELETE FROM usage_events WHERE event_id = 'legacy-30-digits'`)
        assert.strictEqual((yield* send("GET", "/metrics", key)).status, 200)
      })
    )
  })
})

/** The reference card with API calls of the standard plan at $1,000,000 each. */
const extravagant = (): Pricing.Setup => {
  const policy = Pricing.Pricing.defaultValue()
  const book = PriceBook.referenceCard
  const charges = book.plans.standard.charges.map((c) =>
    c._tag === "Usage" && c.metric === "api_calls"
      ? { ...c, model: { _tag: "PerUnit" as const, unitPrice: Decimal.unsafe("1000000") } }
      : c
  ) as unknown as PriceBook.Plan["charges"]
  return Pricing.withPriceBook(policy, {
    ...book,
    plans: { ...book.plans, standard: { ...book.plans.standard, charges } }
  })
}

layer(TestServer.layer({}, { policy: extravagant() }), { timeout: 120_000, excludeTestServices: true })(
  "hostile input, priced beyond what an invoice holds",
  (it) => {
    it.effect(
      "GET /metrics answers 422 AMOUNT.OUT_OF_RANGE, not 500, when the month prices beyond Money.maxMinor",
      () =>
        Effect.gen(function* () {
          const key = yield* keyOf(0)
          const before = yield* send("GET", "/metrics", key)
          assert.strictEqual(before.status, 200, JSON.stringify(before.body))
          // A valid event at the per-event maximum: 10^9 calls at $1,000,000 each.
          const r = yield* ingest(key, [event("max-calls", { quantity: "1000000000" })])
          assert.strictEqual(r.status, 200, JSON.stringify(r.body))
          const metrics = yield* send("GET", "/metrics", key)
          assert.strictEqual(metrics.status, 422, JSON.stringify(metrics.body))
          assert.strictEqual(metrics.body.code, "AMOUNT.OUT_OF_RANGE")
          assert.match(
            metrics.body.message,
            /^line api_calls of \d+ USD minor units exceeds the limit of 9007199254740991$/
          )
          assert.strictEqual((yield* send("GET", "/metrics/history", key)).status, 200)
        })
    )
  }
)
