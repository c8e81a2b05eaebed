/**
 * Pushing issued invoices to Stripe through the outbox, on PostgreSQL, with the official SDK
 * against the Stripe STAND-IN (`@securebase/adapters/testing`; Stripe's own mock cannot run here).
 * The billing run issues every invoice and queues its push in the same transaction; a Stripe
 * outage never blocks the run; delivery later pushes each invoice exactly once, and a push that
 * failed half-way resumes with the same idempotency keys (one Stripe invoice per invoice).
 * The payment tables are under row-level security: a tenant reads only its own rows and writes none.
 */
import { assert } from "@effect/vitest"
import {
  BillingRun,
  type Ids,
  IssueInvoice,
  OverdueSweep,
  PaymentCollection,
  PaymentPushes,
  Tenancy
} from "@securebase/core"
import { DateTime, Effect } from "effect"
import { SqlClient } from "effect/sql"
import * as Roles from "../../src/postgres/Roles.ts"
import * as StandIn from "../../src/testing/StripeStandIn.ts"
import * as S from "../billing/Support.ts"
import { suite, TestDatabase } from "../postgres/support/TestDatabase.ts"
import { dueNow, stripeCollection } from "./Support.ts"

const deliver = Effect.gen(function* () {
  const collection = yield* PaymentCollection.PaymentCollection
  return yield* collection.deliver
})

const pushesOf = (invoiceIds: ReadonlyArray<string>) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql<{ invoice_id: string; status: string; attempts: number; last_error: string | null }>`
      SELECT invoice_id::text, status, attempts, last_error FROM payment_pushes
      WHERE invoice_id::text IN ${sql.in(invoiceIds)} ORDER BY invoice_id`.pipe(Effect.orDie)
  )

const linksOf = (invoiceIds: ReadonlyArray<string>) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql<{ invoice_id: string; provider_invoice_id: string; hosted_url: string; state: string }>`
      SELECT invoice_id::text, provider_invoice_id, hosted_url, state FROM payment_invoices
      WHERE invoice_id::text IN ${sql.in(invoiceIds)} ORDER BY invoice_id`.pipe(Effect.orDie)
  )

const invoiceIdsOf = (p: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql<{
      id: string
      status: string
    }>`SELECT id::text, status::text FROM invoices WHERE period = ${p} ORDER BY id`.pipe(Effect.orDie)
  )

/** The invoice e-mails queued for these invoices (by the pushes: none at issue with Stripe). */
const mailsOf = (invoiceIds: ReadonlyArray<string>) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql<{ invoice_id: string; template: string; text: string; html: string }>`
      SELECT payload->'data'->>'invoiceId' AS invoice_id, template, payload->>'text' AS text,
        payload->>'html' AS html FROM notifications
      WHERE payload->'data'->>'invoiceId' IN ${sql.in(invoiceIds)}
      ORDER BY payload->'data'->>'invoiceId'`.pipe(Effect.orDie)
  )

/** The Stripe invoices the stand-in holds for each of our invoice ids. */
const stripeInvoicesByOurs = (standIn: StandIn.StandIn) => {
  const out = new Map<string, number>()
  for (const o of standIn.objects.values()) {
    if (o.object !== "invoice") continue
    const ours = (o.metadata as Record<string, string>).securebase_invoice_id!
    out.set(ours, (out.get(ours) ?? 0) + 1)
  }
  return out
}

suite("Payment pushes (Stripe stand-in)", (it) => {
  it.effect(
    "an outage during the run: every invoice issued and its push queued, then pushed once when Stripe recovers",
    () =>
      Effect.gen(function* () {
        yield* S.closeEveryone
        const p = S.period("2025-03")
        for (const calls of [2_000_000, 3_000_000, 4_000_000]) yield* S.customerWithUsage(p, calls)
        const standIn = yield* StandIn.start
        standIn.down = true
        yield* Effect.gen(function* () {
          const run = yield* BillingRun.run({ period: p })
          assert.strictEqual(run.billed, 3)
          assert.deepStrictEqual(run.failures, [])
          const invoices = yield* invoiceIdsOf(p)
          assert.deepStrictEqual(
            invoices.map((i) => i.status),
            ["issued", "issued", "issued"]
          )
          const ids = invoices.map((i) => i.id)
          assert.deepStrictEqual(
            (yield* pushesOf(ids)).map((r) => r.status),
            ["pending", "pending", "pending"]
          )
          assert.deepStrictEqual(yield* mailsOf(ids), [], "the e-mails wait for the pushes")

          // Stripe is down: every push is rescheduled with its error, none lost.
          assert.deepStrictEqual(yield* deliver, { pushed: 0, retried: 3, failed: 0 })
          for (const row of yield* pushesOf(ids)) {
            assert.strictEqual(row.status, "pending")
            assert.strictEqual(row.attempts, 1)
            assert.include(row.last_error, "503")
          }
          assert.strictEqual(stripeInvoicesByOurs(standIn).size, 0)
          assert.deepStrictEqual(yield* mailsOf(ids), [], "no e-mail while the push is retried")

          standIn.down = false
          assert.deepStrictEqual(yield* deliver, { pushed: 0, retried: 0, failed: 0 }, "not due yet")
          yield* dueNow
          assert.deepStrictEqual(yield* deliver, { pushed: 3, retried: 0, failed: 0 })
          assert.deepStrictEqual(yield* deliver, { pushed: 0, retried: 0, failed: 0 })
          const links = yield* linksOf(ids)
          assert.deepStrictEqual(
            links.map((l) => l.invoice_id),
            ids
          )
          for (const link of links) {
            assert.strictEqual(link.state, "open")
            assert.strictEqual(link.hosted_url, `https://invoice.stripe.test/i/${link.provider_invoice_id}`)
          }
          const byOurs = stripeInvoicesByOurs(standIn)
          assert.deepStrictEqual(
            ids.map((id) => byOurs.get(id)),
            [1, 1, 1],
            "one Stripe invoice per invoice"
          )
          // Each push queued its invoice's e-mail once, with the hosted payment link.
          const mails = yield* mailsOf(ids)
          assert.deepStrictEqual(
            mails.map((m) => [m.invoice_id, m.template]),
            ids.map((id) => [id, "invoice_issued"])
          )
          for (const [i, mail] of mails.entries()) {
            const url = links[i]!.hosted_url
            assert.include(mail.text, `Pay online: ${url}`)
            assert.include(mail.html, `<a href="${url}">${url}</a>`)
            assert.notInclude(mail.text, "not available")
          }

          // Queuing the same invoices again (a retried run) pushes nothing new.
          const before = standIn.requests.length
          const customers = yield* Effect.flatMap(SqlClient.SqlClient, (sql) =>
            sql<{ id: string; c: string }>`SELECT id::text, customer_id::text AS c FROM invoices
              WHERE id::text IN ${sql.in(ids)}`.pipe(Effect.orDie)
          )
          const now = yield* DateTime.now
          yield* Tenancy.Tenancy.use((t) =>
            t.runAsWorker(
              PaymentPushes.PaymentPushes.use((q) =>
                q.enqueue(
                  customers.map((r) => ({
                    invoiceId: r.id as Ids.InvoiceId,
                    customerId: r.c as Ids.CustomerId,
                    createdAt: now,
                    notify: true
                  }))
                )
              )
            )
          )
          assert.deepStrictEqual(yield* deliver, { pushed: 0, retried: 0, failed: 0 })
          assert.strictEqual(standIn.requests.length, before)
          assert.strictEqual((yield* mailsOf(ids)).length, 3, "and mails nothing again")

          const audit = yield* Effect.flatMap(SqlClient.SqlClient, (sql) =>
            sql<{ n: number }>`SELECT count(*)::int AS n FROM audit_events
              WHERE action = 'invoice.pushed' AND subject_id IN ${sql.in(ids)}`.pipe(Effect.orDie)
          )
          assert.strictEqual(audit[0]!.n, 3)
        }).pipe(Effect.provide(stripeCollection(standIn)))
      }).pipe(Effect.provide(S.layers), Effect.scoped),
    120_000
  )

  it.effect(
    "history billed without notice (the demo's past months) was not pushed at all: now pushed, so it can be paid online, and not mailed",
    () =>
      Effect.gen(function* () {
        yield* S.closeEveryone
        const p = S.period("2025-02")
        const customer = yield* S.customerWithUsage(p, 2_000_000)
        const standIn = yield* StandIn.start
        yield* Effect.gen(function* () {
          const tenancy = yield* Tenancy.Tenancy
          const invoice = yield* tenancy.runAsWorker(
            IssueInvoice.billCustomer(customer, p, { at: yield* DateTime.now, notify: false })
          )
          assert.deepStrictEqual(
            (yield* pushesOf([invoice.id])).map((r) => r.status),
            ["pending"],
            "queued like any issued invoice"
          )
          assert.deepStrictEqual(yield* deliver, { pushed: 1, retried: 0, failed: 0 })
          const links = yield* linksOf([invoice.id])
          assert.strictEqual(links.length, 1)
          assert.strictEqual(
            links[0]!.hosted_url,
            `https://invoice.stripe.test/i/${links[0]!.provider_invoice_id}`
          )
          assert.deepStrictEqual(
            yield* mailsOf([invoice.id]),
            [],
            "billed without notice: no e-mail, then or now"
          )
        }).pipe(Effect.provide(stripeCollection(standIn)))
      }).pipe(Effect.provide(S.layers), Effect.scoped),
    120_000
  )

  it.effect(
    "a push that fails half-way resumes with the same idempotency keys: still one Stripe invoice",
    () =>
      Effect.gen(function* () {
        yield* S.closeEveryone
        const p = S.period("2025-04")
        yield* S.customerWithUsage(p, 2_500_000)
        const standIn = yield* StandIn.start
        yield* Effect.gen(function* () {
          yield* BillingRun.run({ period: p, batchSize: 10 })
          const ids = (yield* invoiceIdsOf(p)).map((i) => i.id)
          assert.strictEqual(ids.length, 1, "batch mode queues the push too")
          // The invoice is created, then every item request fails (beyond the client's retry).
          standIn.failOn(/^\/v1\/invoiceitems$/, 2, 500)
          assert.deepStrictEqual(yield* deliver, { pushed: 0, retried: 1, failed: 0 })
          assert.strictEqual(stripeInvoicesByOurs(standIn).get(ids[0]!), 1)
          assert.deepStrictEqual(yield* linksOf(ids), [])
          yield* dueNow
          assert.deepStrictEqual(yield* deliver, { pushed: 1, retried: 0, failed: 0 })
          assert.strictEqual(stripeInvoicesByOurs(standIn).get(ids[0]!), 1, "the create was replayed")
          const creates = standIn.requests.filter((r) => r.path === "/v1/invoices")
          assert.strictEqual(creates.length, 2)
          assert.strictEqual(creates[0]!.idempotencyKey, creates[1]!.idempotencyKey)
          assert.strictEqual(
            standIn.requests.filter((r) => r.path === "/v1/customers").length,
            1,
            "the customer link committed with the failed attempt"
          )
          assert.strictEqual((yield* linksOf(ids)).length, 1)
        }).pipe(Effect.provide(stripeCollection(standIn)))
      }).pipe(Effect.provide(S.layers), Effect.scoped),
    120_000
  )

  it.effect(
    "a push that gives up still sends the e-mail, once, without a link and saying how to pay",
    () =>
      Effect.gen(function* () {
        yield* S.closeEveryone
        const p = S.period("2025-06")
        yield* S.customerWithUsage(p, 2_200_000)
        const standIn = yield* StandIn.start
        standIn.down = true
        yield* Effect.gen(function* () {
          yield* BillingRun.run({ period: p })
          const ids = (yield* invoiceIdsOf(p)).map((i) => i.id)
          // policy.maxAttempts is 5: four retries, then the push is parked as failed.
          for (let attempt = 1; attempt < 5; attempt++) {
            assert.deepStrictEqual(yield* deliver, { pushed: 0, retried: 1, failed: 0 })
            assert.deepStrictEqual(yield* mailsOf(ids), [], `no e-mail after attempt ${attempt}`)
            yield* dueNow
          }
          assert.deepStrictEqual(yield* deliver, { pushed: 0, retried: 0, failed: 1 })
          assert.deepStrictEqual(
            (yield* pushesOf(ids)).map((r) => r.status),
            ["failed"]
          )
          const mails = yield* mailsOf(ids)
          assert.strictEqual(mails.length, 1)
          assert.strictEqual(mails[0]!.template, "invoice_issued")
          assert.notInclude(mails[0]!.text, "Pay online:")
          assert.include(mails[0]!.text, "Online payment is not available for this invoice")
          assert.include(mails[0]!.html, "Online payment is not available for this invoice")
          standIn.down = false
          yield* dueNow
          assert.deepStrictEqual(yield* deliver, { pushed: 0, retried: 0, failed: 0 })
          assert.strictEqual((yield* mailsOf(ids)).length, 1, "a parked push mails nothing more")
        }).pipe(Effect.provide(stripeCollection(standIn)))
      }).pipe(Effect.provide(S.layers), Effect.scoped),
    120_000
  )

  it.effect(
    "numbering in blocks queues the pushes too, and the pushes the e-mails",
    () =>
      Effect.gen(function* () {
        yield* S.closeEveryone
        const p = S.period("2025-07")
        for (const calls of [2_000_000, 3_000_000]) yield* S.customerWithUsage(p, calls)
        const standIn = yield* StandIn.start
        yield* Effect.gen(function* () {
          const run = yield* BillingRun.run({ period: p, numberEvery: 2 })
          assert.strictEqual(run.billed, 2)
          const ids = (yield* invoiceIdsOf(p)).map((i) => i.id)
          assert.deepStrictEqual(
            (yield* pushesOf(ids)).map((r) => r.status),
            ["pending", "pending"]
          )
          assert.deepStrictEqual(yield* mailsOf(ids), [])
          assert.deepStrictEqual(yield* deliver, { pushed: 2, retried: 0, failed: 0 })
          const links = yield* linksOf(ids)
          const mails = yield* mailsOf(ids)
          assert.strictEqual(mails.length, 2)
          for (const [i, mail] of mails.entries())
            assert.include(mail.text, `Pay online: ${links[i]!.hosted_url}`)
        }).pipe(Effect.provide(stripeCollection(standIn)))
      }).pipe(Effect.provide(S.layers), Effect.scoped),
    120_000
  )

  it.effect(
    "an invoice that falls overdue after its push: the overdue e-mail carries the hosted payment link",
    () =>
      Effect.gen(function* () {
        yield* S.closeEveryone
        const p = S.period("2025-08")
        yield* S.customerWithUsage(p, 2_100_000)
        const standIn = yield* StandIn.start
        yield* Effect.gen(function* () {
          yield* BillingRun.run({ period: p })
          const ids = (yield* invoiceIdsOf(p)).map((i) => i.id)
          assert.deepStrictEqual(yield* deliver, { pushed: 1, retried: 0, failed: 0 })
          const [link] = yield* linksOf(ids)
          yield* Effect.flatMap(SqlClient.SqlClient, (sql) =>
            sql`UPDATE invoices SET due_at = now() - interval '60 days' WHERE id::text IN ${sql.in(ids)}`.pipe(
              Effect.orDie
            )
          )
          assert.strictEqual(yield* OverdueSweep.sweep(), 1)
          const mails = yield* mailsOf(ids)
          assert.deepStrictEqual(mails.map((m) => m.template).sort(), ["invoice_issued", "invoice_overdue"])
          const overdue = mails.find((m) => m.template === "invoice_overdue")!
          assert.include(overdue.text, "Overdue: this invoice was due on")
          assert.include(overdue.text, `Pay online: ${link!.hosted_url}`)
        }).pipe(Effect.provide(stripeCollection(standIn)))
      }).pipe(Effect.provide(S.layers), Effect.scoped),
    120_000
  )

  it.effect(
    "a tenant reads only its own payment rows and writes none (row-level security)",
    () =>
      Effect.gen(function* () {
        yield* S.closeEveryone
        const p = S.period("2025-05")
        const a = yield* S.customerWithUsage(p, 2_000_000, "Tenant A")
        const b = yield* S.customerWithUsage(p, 2_000_000, "Tenant B")
        const standIn = yield* StandIn.start
        yield* Effect.gen(function* () {
          yield* BillingRun.run({ period: p })
          yield* deliver
        }).pipe(Effect.provide(stripeCollection(standIn)))
        const db = yield* TestDatabase
        const asTenant = <A>(
          customer: Ids.CustomerId,
          f: (sql: SqlClient.SqlClient) => Effect.Effect<A, unknown>
        ) =>
          db.asLogin(
            Roles.app,
            Effect.flatMap(SqlClient.SqlClient, (sql) =>
              sql.withTransaction(
                Effect.andThen(
                  sql`SELECT set_config('role', ${Roles.app}, true), set_config('app.customer_id', ${customer}, true)`,
                  f(sql)
                )
              )
            )
          )
        // Both tenants have a linked customer and invoice; each sees exactly its own.
        for (const tenant of [a.id, b.id]) {
          for (const table of ["payment_customers", "payment_invoices"]) {
            const rows = yield* Effect.orDie(
              asTenant(tenant, (sql) => sql<{ c: string }>`SELECT customer_id::text AS c FROM ${sql(table)}`)
            )
            assert.deepStrictEqual(
              rows.map((r) => r.c),
              [tenant],
              `${table}: only the tenant's own row`
            )
          }
        }
        // Without a tenant, nothing.
        const none = yield* Effect.orDie(
          db.asLogin(
            Roles.app,
            Effect.flatMap(
              SqlClient.SqlClient,
              (sql) => sql<{ n: number }>`SELECT count(*)::int AS n FROM payment_invoices`
            )
          )
        )
        assert.strictEqual(none[0]!.n, 0)
        // Writing is the worker's: the app role cannot forge a link, a paid state, or an event.
        const forged = [
          (sql: SqlClient.SqlClient) =>
            sql`UPDATE payment_invoices SET state = 'paid' WHERE customer_id = ${a.id}`,
          (sql: SqlClient.SqlClient) =>
            sql`INSERT INTO payment_customers (provider, customer_id, provider_customer_id) VALUES ('stripe', ${b.id}, 'cus_forged')`,
          (sql: SqlClient.SqlClient) =>
            sql`INSERT INTO payment_webhook_events (provider, event_id, type, created_at) VALUES ('stripe', 'evt_x', 'x', now())`,
          (sql: SqlClient.SqlClient) => sql`SELECT * FROM payment_webhook_events`,
          (sql: SqlClient.SqlClient) => sql`SELECT * FROM payment_pushes`
        ]
        for (const attempt of forged) {
          const error = yield* Effect.flip(asTenant(a.id, attempt))
          assert.strictEqual((error as { reason?: { _tag?: string } }).reason?._tag, "AuthorizationError")
        }
      }).pipe(Effect.provide(S.layers), Effect.scoped),
    120_000
  )
})
