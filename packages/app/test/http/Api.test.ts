/**
 * Every endpoint over real HTTP on loopback, against the real app on embedded PGlite with the demo
 * tenants: success paths, every error path, scopes, revocation, and cross-tenant attempts (which
 * must answer exactly as an unknown id does).
 *
 * Tenants: [0] standard (API key tests), [1] fintech (read-only checks), [2] healthcare (usage and
 * support writes), [3] gov-federal (the victim of cross-tenant attempts).
 */
import { assert, describe, layer } from "@effect/vitest"
import { Period } from "@securebase/core"
import { BigDecimal, DateTime, Effect } from "effect"
import { call, TestServer } from "../support/TestServer.ts"

const keyOf = (i: number) => TestServer.use((s) => Effect.succeed(s.tenants[i]!.apiKey))
const get = (path: string, token?: string) =>
  TestServer.use((s) => call(s.url, "GET", path, token === undefined ? {} : { token }))
const send = (
  method: string,
  path: string,
  token: string | undefined,
  json?: unknown,
  extra: { body?: string; headers?: Record<string, string> } = {}
) =>
  TestServer.use((s) =>
    call(s.url, method, path, {
      ...(token === undefined ? {} : { token }),
      ...(json === undefined ? {} : { json }),
      ...extra
    })
  )

const isErrorShape = (body: any) =>
  typeof body === "object" &&
  typeof body._tag === "string" &&
  typeof body.code === "string" &&
  typeof body.message === "string"

layer(TestServer.layer(), { timeout: 300_000, excludeTestServices: true })("HTTP API over loopback", (it) => {
  describe("system", () => {
    it.effect("GET /health reports the database", () =>
      Effect.gen(function* () {
        const r = yield* get("/health")
        assert.strictEqual(r.status, 200)
        assert.strictEqual(r.body.status, "ok")
        assert.deepInclude(r.body.database, { status: "up", kind: "pglite" })
      })
    )

    it.effect("serves the OpenAPI document and a docs page", () =>
      Effect.gen(function* () {
        const doc = yield* get("/openapi.json")
        assert.strictEqual(doc.status, 200)
        for (const path of [
          "/health",
          "/auth/authenticate",
          "/invoices/{id}/download",
          "/metrics/history",
          "/api-keys/{id}",
          "/usage/events"
        ]) {
          assert.property(doc.body.paths, path)
        }
        const docs = yield* get("/docs")
        assert.strictEqual(docs.status, 200)
        assert.match(docs.body, /<html/i)
      })
    )

    it.effect("an unknown route is a JSON 404", () =>
      Effect.gen(function* () {
        const r = yield* get("/nope")
        assert.strictEqual(r.status, 404)
        assert.strictEqual(r.body.code, "ROUTE.NOT_FOUND")
      })
    )
  })

  describe("authentication", () => {
    it.effect("no, malformed and wrong credentials are 401 in the error shape", () =>
      Effect.gen(function* () {
        const key = yield* keyOf(1)
        const [, , keyId] = key.split("_")
        const cases: Array<[string | undefined, string]> = [
          [undefined, "AUTH.MALFORMED_TOKEN"],
          ["not-a-token", "AUTH.MALFORMED_TOKEN"],
          [`sb_live_${keyId}_${"a".repeat(52)}`, "AUTH.INVALID_KEY"],
          ["sb_live_short", "AUTH.MALFORMED_KEY"],
          ["eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", "AUTH.BAD_ALGORITHM"]
        ]
        for (const [token, code] of cases) {
          const r = yield* get("/invoices", token)
          assert.strictEqual(r.status, 401, String(token))
          assert.isTrue(isErrorShape(r.body))
          assert.strictEqual(r.body.code, code, String(token))
        }
      })
    )

    it.effect("POST /auth/authenticate exchanges a key for a 24-hour session that works like the key", () =>
      Effect.gen(function* () {
        const key = yield* keyOf(1)
        const r = yield* send("POST", "/auth/authenticate", key)
        assert.strictEqual(r.status, 200)
        assert.strictEqual(r.body.tokenType, "Bearer")
        assert.strictEqual(r.body.plan, "fintech")
        const hours = (Date.parse(r.body.expiresAt) - Date.now()) / 3_600_000
        assert.isTrue(hours > 23.9 && hours <= 24, `expires in ${hours} h`)
        const viaSession = yield* get("/invoices", r.body.token)
        const viaKey = yield* get("/invoices", key)
        assert.strictEqual(viaSession.status, 200)
        assert.deepStrictEqual(viaSession.body, viaKey.body)
        // A session cannot be exchanged for another session, and the header is required.
        assert.strictEqual(
          (yield* send("POST", "/auth/authenticate", r.body.token)).body.code,
          "AUTH.API_KEY_REQUIRED"
        )
        assert.strictEqual(
          (yield* send("POST", "/auth/authenticate", undefined)).body.code,
          "AUTH.MISSING_CREDENTIAL"
        )
      })
    )
  })

  describe("invoices", () => {
    it.effect("lists the tenant's invoices, newest period first, amounts as integer strings", () =>
      Effect.gen(function* () {
        const r = yield* get("/invoices", yield* keyOf(1))
        assert.strictEqual(r.status, 200)
        assert.strictEqual(r.body.data.length, 3)
        const periods = r.body.data.map((i: any) => i.period)
        assert.deepStrictEqual(periods, [...periods].sort().reverse())
        for (const i of r.body.data) {
          assert.match(i.total, /^\d+$/)
          assert.match(i.number, /^INV-\d{4}-\d{6}$/)
        }
        assert.strictEqual(r.body.nextCursor, null)
      })
    )

    it.effect("filters by status and period, and pages with an opaque cursor", () =>
      Effect.gen(function* () {
        const key = yield* keyOf(1)
        const paid = yield* get("/invoices?status=paid", key)
        assert.strictEqual(paid.body.data.length, 2)
        const latest = (yield* get("/invoices", key)).body.data[0]
        const one = yield* get(`/invoices?period=${latest.period}`, key)
        assert.deepStrictEqual(
          one.body.data.map((i: any) => i.id),
          [latest.id]
        )
        const seen: Array<string> = []
        let cursor: string | null = null
        do {
          const page: any = yield* get(`/invoices?limit=1${cursor === null ? "" : `&cursor=${cursor}`}`, key)
          assert.strictEqual(page.status, 200)
          seen.push(...page.body.data.map((i: any) => i.id))
          cursor = page.body.nextCursor
        } while (cursor !== null)
        assert.strictEqual(seen.length, 3)
        assert.strictEqual(new Set(seen).size, 3)
        const bad = yield* get("/invoices?cursor=garbage", key)
        assert.strictEqual(bad.status, 400)
        assert.strictEqual(bad.body.field, "cursor")
        // Well-formed JSON that is not a position (the keyset query would reject it) is a 400 too.
        for (const position of [
          { period: "2026-10", id: "not-a-uuid" },
          { period: "2026-13", id: latest.id }
        ]) {
          const cursor = Buffer.from(JSON.stringify(position)).toString("base64url")
          const refused = yield* get(`/invoices?cursor=${cursor}`, key)
          assert.strictEqual(refused.status, 400)
          assert.strictEqual(refused.body.field, "cursor")
        }
        assert.strictEqual((yield* get("/invoices?limit=0", key)).status, 400)
        assert.strictEqual((yield* get("/invoices?status=lost", key)).status, 400)
      })
    )

    it.effect("GET /invoices/:id returns the whole invoice, which reconciles", () =>
      Effect.gen(function* () {
        const key = yield* keyOf(1)
        const id = (yield* get("/invoices", key)).body.data[0].id
        const r = yield* get(`/invoices/${id}`, key)
        assert.strictEqual(r.status, 200)
        const inv = r.body
        const sum = (xs: Array<string>) => xs.reduce((a, b) => a + BigInt(b), 0n)
        assert.strictEqual(sum(inv.lines.map((l: any) => l.amount)), BigInt(inv.subtotal))
        assert.strictEqual(BigInt(inv.subtotal) - BigInt(inv.discount) + BigInt(inv.tax), BigInt(inv.total))
        assert.strictEqual(inv.lines[0].code, "platform")
        // What happened after issue: nothing paid or credited on an open invoice, nothing due on a paid one.
        assert.deepStrictEqual([inv.payments, inv.creditNotes], [[], []])
        assert.strictEqual(
          inv.amountDue,
          inv.status === "paid" || inv.status === "cancelled" ? "0" : inv.total
        )
      })
    )

    it.effect("GET /invoices/:id explains each line: its exact amount and breakdown, and each discount", () =>
      Effect.gen(function* () {
        const key = yield* keyOf(1)
        const id = (yield* get("/invoices", key)).body.data[0].id
        const inv = (yield* get(`/invoices/${id}`, key)).body
        const exact = (s: string) => BigDecimal.fromStringUnsafe(s)
        for (const line of inv.lines) {
          assert.isString(line.preciseAmount, line.code)
          const rows = line.breakdown.reduce(
            (a: BigDecimal.BigDecimal, r: any) => BigDecimal.sum(a, exact(r.amount)),
            BigDecimal.fromBigInt(0n)
          )
          if (line.breakdown.length > 0)
            assert.isTrue(BigDecimal.equals(rows, exact(line.preciseAmount)), line.code)
        }
        const platform = inv.lines.find((l: any) => l.code === "platform")
        assert.deepStrictEqual(
          platform.breakdown.map((r: any) => [r.kind, r.units, r.amount]),
          [["flat", "1", "8000"]]
        )
        // The fintech demo tenant's API calls are over the 5,000,000 included: one graduated band.
        const calls = inv.lines.find((l: any) => l.code === "api_calls")
        assert.deepStrictEqual(
          calls.breakdown.map((r: any) => [r.kind, r.from, r.to, r.unitPrice]),
          [["band", "0", "50000000", "0.0003"]]
        )
        assert.deepStrictEqual(
          inv.discounts.map((d: any) => [d.kind, d.code, d.amount]),
          [["volume", "volume", inv.discount]]
        )
      })
    )

    it.effect("downloads a real PDF", () =>
      Effect.gen(function* () {
        const key = yield* keyOf(1)
        const invoice = (yield* get("/invoices", key)).body.data[0]
        const r = yield* get(`/invoices/${invoice.id}/download`, key)
        assert.strictEqual(r.status, 200)
        assert.strictEqual(r.headers.get("content-type"), "application/pdf")
        assert.include(r.headers.get("content-disposition")!, `${invoice.number}.pdf`)
        assert.strictEqual(new TextDecoder().decode(r.bytes.slice(0, 5)), "%PDF-")
        assert.isAbove(r.bytes.length, 1000)
      })
    )

    it.effect("a malformed id is 400 naming the field; an unknown one is 404", () =>
      Effect.gen(function* () {
        const key = yield* keyOf(1)
        const bad = yield* get("/invoices/not-a-uuid", key)
        assert.strictEqual(bad.status, 400)
        assert.strictEqual(bad.body.field, "id")
        const unknown = yield* get("/invoices/0b7c2a4e-3f1d-4c55-9a1e-00000000dead", key)
        assert.strictEqual(unknown.status, 404)
        assert.strictEqual(unknown.body.code, "INVOICE.NOT_FOUND")
      })
    )
  })

  describe("cross-tenant attempts", () => {
    it.effect("another tenant's invoice cannot be read or downloaded: 404, exactly like an unknown id", () =>
      Effect.gen(function* () {
        const attacker = yield* keyOf(1)
        const victimInvoice = (yield* get("/invoices", yield* keyOf(3))).body.data[0].id
        const read = yield* get(`/invoices/${victimInvoice}`, attacker)
        const download = yield* get(`/invoices/${victimInvoice}/download`, attacker)
        const unknown = yield* get("/invoices/0b7c2a4e-3f1d-4c55-9a1e-00000000dead", attacker)
        assert.strictEqual(read.status, 404)
        assert.strictEqual(download.status, 404)
        assert.deepStrictEqual(read.body, unknown.body)
        // And it never shows up in the attacker's list.
        const list = (yield* get("/invoices", attacker)).body.data.map((i: any) => i.id)
        assert.notInclude(list, victimInvoice)
      })
    )

    it.effect("another tenant's API key cannot be revoked, and keeps working", () =>
      Effect.gen(function* () {
        const victimKey = yield* keyOf(3)
        const victimKeyId = victimKey.split("_")[2]!
        const r = yield* send("DELETE", `/api-keys/${victimKeyId}`, yield* keyOf(1))
        assert.strictEqual(r.status, 404)
        assert.strictEqual(r.body.code, "API_KEY.NOT_FOUND")
        assert.strictEqual((yield* get("/invoices", victimKey)).status, 200)
      })
    )
  })

  describe("metrics", () => {
    it.effect("GET /metrics: this month's figures, allowances and the bill so far", () =>
      Effect.gen(function* () {
        const r = yield* get("/metrics", yield* keyOf(1))
        assert.strictEqual(r.status, 200)
        assert.strictEqual(r.body.period, Period.ofDateTime(DateTime.nowUnsafe()))
        const codes = r.body.metrics.map((m: any) => m.metric)
        assert.includeMembers(codes, [
          "api_calls",
          "accounts",
          "storage_gb",
          "data_transfer_gb",
          "compliance_scans",
          "log_archive_gb"
        ])
        const accounts = r.body.metrics.find((m: any) => m.metric === "accounts")
        assert.deepInclude(accounts, { quantity: "54", included: "50" })
        const e = r.body.estimate
        assert.strictEqual(BigInt(e.subtotal) - BigInt(e.discount) + BigInt(e.tax), BigInt(e.total))
        assert.isTrue(BigInt(e.subtotal) >= 800000n, "at least the fintech base price")
      })
    )

    it.effect("GET /metrics/history: the twelve months before this one", () =>
      Effect.gen(function* () {
        const r = yield* get("/metrics/history", yield* keyOf(1))
        assert.strictEqual(r.status, 200)
        assert.strictEqual(r.body.months.length, 12)
        const last = r.body.months[11]
        assert.strictEqual(last.period, Period.previous(Period.ofDateTime(DateTime.nowUnsafe())))
        const calls = (m: any) => m.metrics.find((x: any) => x.metric === "api_calls").quantity
        assert.notStrictEqual(calls(last), "0")
        assert.strictEqual(calls(r.body.months[0]), "0")
      })
    )
  })

  describe("API keys", () => {
    it.effect("lists keys without secrets or hashes", () =>
      Effect.gen(function* () {
        const r = yield* get("/api-keys", yield* keyOf(0))
        assert.strictEqual(r.status, 200)
        assert.isAtLeast(r.body.length, 1)
        const text = JSON.stringify(r.body)
        assert.notMatch(text, /secret/i)
        assert.notInclude(text, (yield* keyOf(0)).split("_")[3]!)
        assert.match(r.body[0].prefix, /^sb_live_[a-z2-7]{16}$/)
      })
    )

    it.effect(
      "creates a scoped key (secret once); scopes are enforced; revocation is immediate for key and session",
      () =>
        Effect.gen(function* () {
          const admin = yield* keyOf(0)
          const created = yield* send("POST", "/api-keys/create", admin, {
            name: "read-only",
            scopes: ["invoices:read"]
          })
          assert.strictEqual(created.status, 201)
          const secret: string = created.body.secret
          assert.match(secret, /^sb_live_[a-z2-7]{16}_[a-z2-7]{52}$/)
          assert.deepStrictEqual(created.body.apiKey.scopes, ["invoices:read"])
          assert.strictEqual((yield* get("/invoices", secret)).status, 200)
          const forbidden = yield* send("POST", "/support/tickets/create", secret, {
            subject: "hello there",
            description: "x",
            priority: "low"
          })
          assert.strictEqual(forbidden.status, 403)
          assert.strictEqual(forbidden.body.code, "AUTH.SCOPE_MISSING")
          assert.strictEqual((yield* get("/api-keys", secret)).status, 403)
          // A session from the key, then revoke: both stop at once.
          const session = (yield* send("POST", "/auth/authenticate", secret)).body.token
          assert.strictEqual((yield* get("/invoices", session)).status, 200)
          const revoked = yield* send("DELETE", `/api-keys/${created.body.apiKey.id}`, admin)
          assert.strictEqual(revoked.status, 200)
          assert.isString(revoked.body.revokedAt)
          const afterKey = yield* get("/invoices", secret)
          assert.strictEqual(afterKey.status, 401)
          assert.strictEqual(afterKey.body.code, "AUTH.KEY_REVOKED")
          const afterSession = yield* get("/invoices", session)
          assert.strictEqual(afterSession.status, 401)
          assert.strictEqual(afterSession.body.code, "AUTH.SESSION_REVOKED")
        })
    )

    it.effect("a key cannot mint a key with scopes it lacks", () =>
      Effect.gen(function* () {
        const admin = yield* keyOf(0)
        const limited = (yield* send("POST", "/api-keys/create", admin, {
          name: "keys only",
          scopes: ["api_keys:write"]
        })).body.secret
        const r = yield* send("POST", "/api-keys/create", limited, {
          name: "escalate",
          scopes: ["invoices:read"]
        })
        assert.strictEqual(r.status, 422)
        assert.strictEqual(r.body.code, "API_KEY.SCOPE_ESCALATION")
      })
    )

    it.effect("bad payloads are 400 naming the field", () =>
      Effect.gen(function* () {
        const admin = yield* keyOf(0)
        const missing = yield* send("POST", "/api-keys/create", admin, { scopes: ["invoices:read"] })
        assert.strictEqual(missing.status, 400)
        assert.strictEqual(missing.body.field, "name")
        const scope = yield* send("POST", "/api-keys/create", admin, { name: "x", scopes: ["root"] })
        assert.strictEqual(scope.status, 400)
        assert.strictEqual(scope.body.field, "scopes.0")
        const json = yield* send("POST", "/api-keys/create", admin, undefined, {
          body: '{"name": "x", ',
          headers: { "content-type": "application/json" }
        })
        assert.strictEqual(json.status, 400)
        assert.isTrue(isErrorShape(json.body))
      })
    )

    it.effect("the plan's key limit is a 422, not a 500", () =>
      Effect.gen(function* () {
        const admin = yield* keyOf(0)
        let status = 201
        let last: any
        for (let i = 0; i < 10 && status === 201; i++) {
          last = yield* send("POST", "/api-keys/create", admin, {
            name: `extra ${i}`,
            scopes: ["invoices:read"]
          })
          status = last.status
        }
        assert.strictEqual(status, 422)
        assert.strictEqual(last.body.code, "API_KEY.LIMIT_REACHED")
        assert.match(last.body.message, /standard plan allows 5/)
      })
    )
  })

  describe("compliance", () => {
    it.effect("status per framework of the plan, computed from the findings", () =>
      Effect.gen(function* () {
        const r = yield* get("/compliance/status", yield* keyOf(2))
        assert.strictEqual(r.status, 200)
        assert.deepStrictEqual(
          r.body.frameworks.map((f: any) => f.framework),
          ["CIS", "SOC2", "HIPAA", "HITRUST"]
        )
        assert.strictEqual(r.body.overall, "non_compliant")
      })
    )

    it.effect("findings filter by status and severity; a bad filter is 400", () =>
      Effect.gen(function* () {
        const key = yield* keyOf(2)
        const open = yield* get("/compliance/findings?status=open", key)
        assert.isAbove(open.body.length, 0)
        assert.isTrue(open.body.every((f: any) => f.status === "open"))
        const high = yield* get("/compliance/findings?severity=high", key)
        assert.isTrue(high.body.every((f: any) => f.severity === "high"))
        assert.strictEqual((yield* get("/compliance/findings?framework=FedRAMP", key)).body.length, 0)
        assert.strictEqual((yield* get("/compliance/findings?severity=apocalyptic", key)).status, 400)
      })
    )
  })

  describe("support", () => {
    it.effect("opens a ticket with the plan's response target and lists it", () =>
      Effect.gen(function* () {
        const key = yield* keyOf(2)
        const created = yield* send("POST", "/support/tickets/create", key, {
          subject: "Evidence export failing",
          description: "The HIPAA export times out.",
          priority: "critical"
        })
        assert.strictEqual(created.status, 201)
        // healthcare: critical first response within 2 hours.
        const hours =
          (Date.parse(created.body.firstResponseDueAt) - Date.parse(created.body.createdAt)) / 3_600_000
        assert.strictEqual(hours, 2)
        const list = yield* get("/support/tickets", key)
        assert.include(
          list.body.map((t: any) => t.id),
          created.body.id
        )
        const bad = yield* send("POST", "/support/tickets/create", key, {
          subject: "x",
          description: "y",
          priority: "urgent"
        })
        assert.strictEqual(bad.status, 400)
      })
    )
  })

  describe("usage ingestion", () => {
    const at = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString()
    const batch = (events: Array<Record<string, unknown>>) => ({ events })

    it.effect("a resent batch is counted once", () =>
      Effect.gen(function* () {
        const key = yield* keyOf(2)
        const before = (yield* get("/metrics", key)).body.metrics.find(
          (m: any) => m.metric === "data_transfer_gb"
        ).quantity
        const body = batch([
          { id: "t-resend-1", metric: "data_transfer_gb", occurredAt: at(-1000), quantity: "12.5" },
          { id: "t-resend-2", metric: "data_transfer_gb", occurredAt: at(-1000), quantity: "7.5" }
        ])
        const first = yield* send("POST", "/usage/events", key, body)
        assert.deepStrictEqual(first.body, { received: 2, accepted: 2, duplicates: 0 })
        const again = yield* send("POST", "/usage/events", key, body)
        assert.deepStrictEqual(again.body, { received: 2, accepted: 0, duplicates: 2 })
        const after = (yield* get("/metrics", key)).body.metrics.find(
          (m: any) => m.metric === "data_transfer_gb"
        ).quantity
        assert.strictEqual(Number(after) - Number(before), 20)
      })
    )

    it.effect("a conflicting resend is 409 and the whole batch is rolled back", () =>
      Effect.gen(function* () {
        const key = yield* keyOf(2)
        yield* send(
          "POST",
          "/usage/events",
          key,
          batch([{ id: "t-conflict", metric: "api_calls", occurredAt: at(-1000), quantity: "1" }])
        )
        const r = yield* send(
          "POST",
          "/usage/events",
          key,
          batch([
            { id: "t-innocent", metric: "api_calls", occurredAt: at(-1000), quantity: "1" },
            { id: "t-conflict", metric: "api_calls", occurredAt: at(-1000), quantity: "2" }
          ])
        )
        assert.strictEqual(r.status, 409)
        assert.strictEqual(r.body.field, "events.1.id")
        // Nothing of that batch stayed: the innocent event is new when sent again.
        const retry = yield* send(
          "POST",
          "/usage/events",
          key,
          batch([{ id: "t-innocent", metric: "api_calls", occurredAt: at(-1000), quantity: "1" }])
        )
        assert.strictEqual(retry.body.accepted, 1)
      })
    )

    it.effect("unknown metrics, future instants and already-invoiced months are 422 naming the event", () =>
      Effect.gen(function* () {
        const key = yield* keyOf(2)
        const unknown = yield* send(
          "POST",
          "/usage/events",
          key,
          batch([{ id: "t-u", metric: "lunch", occurredAt: at(-1000), quantity: "1" }])
        )
        assert.strictEqual(unknown.status, 422)
        assert.deepInclude(unknown.body, { code: "USAGE.UNKNOWN_METRIC", field: "events.0.metric" })
        const future = yield* send(
          "POST",
          "/usage/events",
          key,
          batch([{ id: "t-f", metric: "api_calls", occurredAt: at(86_400_000), quantity: "1" }])
        )
        assert.deepInclude(future.body, { code: "USAGE.IN_FUTURE", field: "events.0.occurredAt" })
        const lastMonth = DateTime.formatIso(
          Period.start(Period.previous(Period.ofDateTime(DateTime.nowUnsafe())))
        )
        const closed = yield* send(
          "POST",
          "/usage/events",
          key,
          batch([{ id: "t-c", metric: "api_calls", occurredAt: lastMonth, quantity: "1" }])
        )
        assert.strictEqual(closed.status, 422)
        assert.strictEqual(closed.body.code, "USAGE.PERIOD_CLOSED")
      })
    )

    it.effect("empty and oversized batches, bad quantities and bad keys are 400", () =>
      Effect.gen(function* () {
        const key = yield* keyOf(2)
        const one = { id: "t-x", metric: "api_calls", occurredAt: at(-1000), quantity: "1" }
        assert.strictEqual((yield* send("POST", "/usage/events", key, batch([]))).status, 400)
        const many = Array.from({ length: 1001 }, (_, i) => ({ ...one, id: `t-many-${i}` }))
        assert.strictEqual((yield* send("POST", "/usage/events", key, batch(many))).status, 400)
        const negative = yield* send("POST", "/usage/events", key, batch([{ ...one, quantity: "-5" }]))
        assert.strictEqual(negative.status, 400)
        assert.strictEqual(negative.body.field, "events.0.quantity")
        const float = yield* send("POST", "/usage/events", key, batch([{ ...one, quantity: 1.5 }]))
        assert.strictEqual(float.status, 400)
        const badId = yield* send("POST", "/usage/events", key, batch([{ ...one, id: "has space" }]))
        assert.strictEqual(badId.body.field, "events.0.id")
        // Without the usage:write scope.
        const admin = yield* keyOf(2)
        const reader = (yield* send("POST", "/api-keys/create", admin, {
          name: "reader",
          scopes: ["metrics:read"]
        })).body.secret
        assert.strictEqual((yield* send("POST", "/usage/events", reader, batch([one]))).status, 403)
      })
    )
  })
})
