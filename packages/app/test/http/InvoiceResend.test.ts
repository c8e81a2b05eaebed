/**
 * `POST /invoices/{id}/resend` over loopback on the embedded database: the invoice e-mail is queued
 * again in the outbox and `invoice.resent` audited, in one transaction; at most three per invoice
 * each UTC hour (then 429 with Retry-After, nothing queued); another tenant's invoice is 404 exactly
 * as an unknown id; a cancelled invoice is 409; a key without `invoices:write` is 403.
 */
import { assert, layer } from "@effect/vitest"
import { AuditLog, type Ids } from "@securebase/core"
import { Effect } from "effect"
import { SqlClient } from "effect/sql"
import { call, TestServer } from "../support/TestServer.ts"

/** The notifications queued for an invoice, as the outbox table holds them (read as the owner). */
const queuedFor = (invoiceId: string) =>
  TestServer.use(({ services }) =>
    Effect.provide(
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        return yield* sql<{ id: string; template: string; recipient: string; status: string; data: any }>`
          SELECT id::text, template, recipient, status, payload->'data' AS data FROM notifications
          WHERE payload->'data'->>'invoiceId' = ${invoiceId} ORDER BY created_at, id`
      }),
      services
    )
  ).pipe(Effect.orDie)

const resentEvents = (customerId: string, invoiceId: string) =>
  TestServer.use(({ services }) =>
    Effect.provide(
      AuditLog.AuditLog.use((log) => log.list(customerId as Ids.CustomerId)),
      services
    )
  ).pipe(
    Effect.orDie,
    Effect.map((events) => events.filter((e) => e.action === "invoice.resent" && e.subjectId === invoiceId))
  )

const invoicesOf = (url: string, token: string) =>
  call(url, "GET", "/invoices", { token }).pipe(Effect.map((r) => r.body.data as Array<any>))

layer(TestServer.layer(), { timeout: 120_000, excludeTestServices: true })(
  "POST /invoices/{id}/resend",
  (it) => {
    it.effect(
      "queues the invoice e-mail again to the customer's address and audits invoice.resent with it",
      () =>
        Effect.gen(function* () {
          const { url, tenants } = yield* TestServer
          const tenant = tenants[0]!
          const invoiceId = tenant.latestInvoiceId
          const before = yield* queuedFor(invoiceId)
          const r = yield* call(url, "POST", `/invoices/${invoiceId}/resend`, { token: tenant.apiKey })
          assert.strictEqual(r.status, 202)
          assert.strictEqual(r.body.recipient, tenant.customer.email)
          assert.strictEqual(r.body.remainingThisHour, 2)
          const after = yield* queuedFor(invoiceId)
          assert.strictEqual(after.length, before.length + 1)
          const queued = after.find((n) => n.id === r.body.notificationId)!
          assert.deepInclude(queued, { recipient: tenant.customer.email, status: "pending" })
          assert.strictEqual(queued.data.resend, "1")
          const invoice = (yield* call(url, "GET", `/invoices/${invoiceId}`, { token: tenant.apiKey })).body
          assert.strictEqual(
            queued.template,
            invoice.status === "overdue" ? "invoice_overdue" : "invoice_issued"
          )
          const [event, ...more] = yield* resentEvents(tenant.customer.id, invoiceId)
          assert.strictEqual(more.length, 0)
          assert.deepInclude(event!.payload, { notificationId: r.body.notificationId, slot: 1, limit: 3 })
          // The customer sees it in its own trail, done by the key that asked.
          const trail = (yield* call(url, "GET", "/audit/events?limit=10", { token: tenant.apiKey })).body
            .data
          const listed = trail.find((e: any) => e.action === "invoice.resent")
          assert.strictEqual(listed.subjectId, invoiceId)
          assert.strictEqual(listed.actor, `api_key:${tenant.apiKey.split("_")[2]}`)
        })
    )

    it.effect(
      "three per invoice per hour: the fourth is 429 with Retry-After and queues nothing; another invoice is unaffected",
      () =>
        Effect.gen(function* () {
          const { url, tenants } = yield* TestServer
          const tenant = tenants[1]!
          const [first, second] = yield* invoicesOf(url, tenant.apiKey)
          const answers: Array<number> = []
          for (let i = 0; i < 3; i++)
            answers.push(
              (yield* call(url, "POST", `/invoices/${first.id}/resend`, { token: tenant.apiKey })).status
            )
          assert.deepStrictEqual(answers, [202, 202, 202])
          const queued = (yield* queuedFor(first.id)).length
          const refused = yield* call(url, "POST", `/invoices/${first.id}/resend`, { token: tenant.apiKey })
          assert.strictEqual(refused.status, 429)
          assert.strictEqual(refused.body.code, "INVOICE.RESEND_LIMITED")
          const retryAfter = Number(refused.headers.get("retry-after"))
          assert.strictEqual(retryAfter, refused.body.retryAfterSeconds)
          assert.isAtLeast(retryAfter, 1)
          assert.isAtMost(retryAfter, 3600)
          assert.strictEqual((yield* queuedFor(first.id)).length, queued, "a refused resend queues nothing")
          assert.strictEqual((yield* resentEvents(tenant.customer.id, first.id)).length, 3)
          // The limit is per invoice.
          const other = yield* call(url, "POST", `/invoices/${second.id}/resend`, { token: tenant.apiKey })
          assert.strictEqual(other.status, 202)
        })
    )

    it.effect(
      "another tenant's invoice is 404, byte for byte the answer to an unknown id, and nothing is queued",
      () =>
        Effect.gen(function* () {
          const { url, tenants } = yield* TestServer
          const victim = tenants[3]!.latestInvoiceId
          const before = yield* queuedFor(victim)
          const attacker = tenants[2]!.apiKey
          const theirs = yield* call(url, "POST", `/invoices/${victim}/resend`, { token: attacker })
          const unknown = yield* call(url, "POST", "/invoices/00000000-0000-4000-8000-000000000000/resend", {
            token: attacker
          })
          assert.strictEqual(theirs.status, 404)
          assert.strictEqual(theirs.body.code, "INVOICE.NOT_FOUND")
          assert.deepStrictEqual(theirs.bytes, unknown.bytes)
          assert.deepStrictEqual(yield* queuedFor(victim), before)
          assert.strictEqual((yield* resentEvents(tenants[3]!.customer.id, victim)).length, 0)
        })
    )

    it.effect("a cancelled invoice is 409; a malformed id is 400; a key without invoices:write is 403", () =>
      Effect.gen(function* () {
        const { url, tenants, services } = yield* TestServer
        const tenant = tenants[2]!
        const [, , oldest] = yield* invoicesOf(url, tenant.apiKey)
        yield* Effect.provide(
          Effect.gen(function* () {
            const sql = yield* SqlClient.SqlClient
            yield* sql`UPDATE invoices SET status = 'cancelled', cancelled_at = now(),
            cancellation_reason = 'test: issued by mistake' WHERE id = ${oldest.id}`
          }),
          services
        ).pipe(Effect.orDie)
        const cancelled = yield* call(url, "POST", `/invoices/${oldest.id}/resend`, { token: tenant.apiKey })
        assert.strictEqual(cancelled.status, 409)
        assert.strictEqual(cancelled.body.code, "INVOICE.NOT_SENDABLE")
        assert.strictEqual((yield* queuedFor(oldest.id)).filter((n) => n.data.resend !== undefined).length, 0)

        const bad = yield* call(url, "POST", "/invoices/not-an-id/resend", { token: tenant.apiKey })
        assert.strictEqual(bad.status, 400)
        assert.strictEqual(bad.body.field, "id")

        const readOnly = yield* call(url, "POST", "/api-keys/create", {
          token: tenant.apiKey,
          json: { name: "read only", scopes: ["invoices:read"] }
        })
        const r = yield* call(url, "POST", `/invoices/${tenant.latestInvoiceId}/resend`, {
          token: readOnly.body.secret
        })
        assert.strictEqual(r.status, 403)
        assert.strictEqual(r.body.code, "AUTH.SCOPE_MISSING")
      })
    )
  }
)
