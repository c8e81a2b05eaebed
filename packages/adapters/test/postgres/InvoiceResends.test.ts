/**
 * Invoice e-mail resends on PostgreSQL (PGlite always, the server when DATABASE_URL is set,
 * migration 0017): the core's `InvoiceResend.resend` queues, counts and audits in the tenant's
 * transaction; the fourth in an hour is refused and leaves nothing behind; the next hour starts
 * afresh. The database itself enforces the count (slot unique per invoice and hour, never above
 * the row's limit) and the tenancy (row-level security on the count, the invoice bound to its
 * customer), and on the server eight resends racing for three slots get exactly three.
 */
import { assert } from "@effect/vitest"
import {
  AuditLog,
  CustomerRepo,
  type Ids,
  Invoice,
  InvoiceLifecycle,
  InvoiceRepo,
  InvoiceResend,
  Notification,
  Tenancy
} from "@securebase/core"
import { DateTime, Effect, Layer } from "effect"
import { SqlClient } from "effect/sql"
import * as PgDunningSteps from "../../src/postgres/PgDunningSteps.ts"
import * as PgInvoiceResends from "../../src/postgres/PgInvoiceResends.ts"
import * as PgOutbox from "../../src/postgres/PgOutbox.ts"
import * as PgReceivablesRepo from "../../src/postgres/PgReceivablesRepo.ts"
import * as StandIn from "../../src/testing/StripeStandIn.ts"
import { stripeCollection } from "../payments/Support.ts"
import * as Fixtures from "./support/Fixtures.ts"
import { suite } from "./support/TestDatabase.ts"

const adapters = Layer.mergeAll(Fixtures.adapters, PgOutbox.layer, PgInvoiceResends.layer)
const principal = { actor: "api_key:testkeytestkeytes" }

/** A customer with one issued invoice. */
const customerWithInvoice = Effect.gen(function* () {
  const tenancy = yield* Tenancy.Tenancy
  const id = Fixtures.customerId()
  const draft = yield* Fixtures.draftInvoice(id)
  const number = Invoice.formatNumber(2026, Math.floor(Math.random() * 1e9))
  const issued = yield* InvoiceLifecycle.issue(draft, { number, at: Fixtures.at })
  yield* tenancy.runAs(
    id,
    Effect.gen(function* () {
      yield* CustomerRepo.CustomerRepo.use((r) => r.insert(Fixtures.customer(id)))
      yield* InvoiceRepo.InvoiceRepo.use((r) => r.insert(issued))
    })
  )
  return { customerId: id, invoiceId: issued.id }
}).pipe(Effect.orDie)

const resendAs = (customerId: Ids.CustomerId, invoiceId: Ids.InvoiceId, at: DateTime.Utc) =>
  Tenancy.Tenancy.use((t) => t.runAs(customerId, InvoiceResend.resend(invoiceId, { at }))).pipe(
    Effect.provideService(Tenancy.CurrentPrincipal, principal)
  )

/** Rows of a table as the privileged test user sees them (no row-level security). */
const count = (table: "invoice_resends" | "notifications", customerId: Ids.CustomerId) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const [row] = yield* sql<{
      n: number
    }>`SELECT count(*)::int AS n FROM ${sql(table)} WHERE customer_id = ${customerId}`
    return row!.n
  })

const tenMinutesPast = DateTime.makeUnsafe("2026-11-02T09:10:00.000Z")

suite("InvoiceResend", (it, kind) => {
  it.effect(
    "three per invoice and hour: queued, counted and audited; the fourth is refused and leaves nothing",
    () =>
      Effect.gen(function* () {
        const { customerId, invoiceId } = yield* customerWithInvoice
        const receipts = []
        for (let i = 0; i < 3; i++) receipts.push(yield* resendAs(customerId, invoiceId, tenMinutesPast))
        assert.deepStrictEqual(
          receipts.map((r) => r.remaining),
          [2, 1, 0]
        )
        const refused = yield* Effect.flip(
          resendAs(customerId, invoiceId, DateTime.add(tenMinutesPast, { minutes: 5 }))
        )
        assert.strictEqual(refused._tag, "ResendLimited")
        // 09:15 UTC: the next hour starts in 45 minutes.
        assert.deepInclude(refused, { limit: 3, retryAfterSeconds: 45 * 60 })
        assert.strictEqual(yield* count("invoice_resends", customerId), 3)
        assert.strictEqual(yield* count("notifications", customerId), 3)
        const events = yield* Tenancy.Tenancy.use((t) =>
          t.runAs(
            customerId,
            AuditLog.AuditLog.use((log) => log.list(customerId))
          )
        )
        const resent = events.filter((e) => e.action === "invoice.resent")
        assert.deepStrictEqual(
          resent.map((e) => [e.subjectId, e.actor, (e.payload as any).slot]),
          [
            [invoiceId, principal.actor, 1],
            [invoiceId, principal.actor, 2],
            [invoiceId, principal.actor, 3]
          ]
        )
        // The next UTC hour has three again.
        const later = yield* resendAs(customerId, invoiceId, DateTime.makeUnsafe("2026-11-02T10:00:00.000Z"))
        assert.strictEqual(later.remaining, 2)
      }).pipe(Effect.provide(adapters))
  )

  it.effect(
    "online collection: the resent e-mail carries the invoice's hosted payment link once it is pushed, read in the tenant's transaction",
    () =>
      Effect.gen(function* () {
        const standIn = yield* StandIn.start
        const { customerId, invoiceId } = yield* customerWithInvoice
        const sql = yield* SqlClient.SqlClient
        const texts = (id: Ids.CustomerId) =>
          Effect.map(
            sql<{ text: string }>`SELECT payload->>'text' AS text FROM notifications
              WHERE customer_id = ${id} ORDER BY created_at, id`,
            (rows) => rows.map((r) => r.text)
          )
        yield* Effect.gen(function* () {
          // Not pushed yet: the e-mail manual payments send, neither a link nor "not available".
          yield* resendAs(customerId, invoiceId, tenMinutesPast)
          const [before] = yield* texts(customerId)
          assert.notInclude(before, "Pay online")
          assert.notInclude(before, "Online payment")
          // Pushed (as PushDelivery stores it): the next resend links the hosted page.
          const url = "https://invoice.stripe.test/i/in_resend1"
          yield* sql`INSERT INTO payment_invoices (invoice_id, customer_id, provider, provider_invoice_id, hosted_url, state)
            VALUES (${invoiceId}, ${customerId}, 'stripe', 'in_resend1', ${url}, 'open')`
          // A minute later, so the two e-mails sort by time (at the same instant they sorted by id).
          yield* resendAs(customerId, invoiceId, DateTime.add(tenMinutesPast, { minutes: 1 }))
          const after = yield* texts(customerId)
          assert.strictEqual(after.length, 2)
          assert.notInclude(after[0], "Pay online")
          assert.include(after[1], `Pay online: ${url}`)
        }).pipe(
          Effect.provide(
            // Collection also looks up held refunds' payments, which applies their invoice payment.
            stripeCollection(standIn).pipe(
              Layer.provide(Layer.mergeAll(PgDunningSteps.layer, PgReceivablesRepo.layer))
            )
          )
        )
      }).pipe(Effect.provide(adapters), Effect.scoped)
  )

  it.effect("another tenant cannot resend, count, read or forge a count of someone else's invoice", () =>
    Effect.gen(function* () {
      const a = yield* customerWithInvoice
      const b = yield* customerWithInvoice
      yield* resendAs(a.customerId, a.invoiceId, tenMinutesPast)
      const foreign = yield* Effect.flip(resendAs(b.customerId, a.invoiceId, tenMinutesPast))
      assert.strictEqual(foreign._tag, "NotFound")
      const tenancy = yield* Tenancy.Tenancy
      const resends = yield* InvoiceResend.InvoiceResends
      const sql = yield* SqlClient.SqlClient
      // An hour in which A has no resend yet, so no slot conflict hides what the database refuses.
      const nextHour = DateTime.add(tenMinutesPast, { hours: 1 })
      const claim = (customerId: Ids.CustomerId, invoiceId: Ids.InvoiceId) =>
        Effect.flatMap(Notification.makeId, (notificationId) =>
          resends.claim({
            customerId,
            invoiceId,
            windowStart: DateTime.startOf(nextHour, "hour"),
            limit: 3,
            notificationId,
            at: nextHour
          })
        )
      // B sees none of A's count.
      const seen = yield* tenancy.runAs(
        b.customerId,
        sql<{ n: number }>`SELECT count(*)::int AS n FROM invoice_resends`
      )
      assert.strictEqual(seen[0]!.n, 0)
      // B cannot write a row in A's name (row-level security) …
      const asA = yield* Effect.flip(tenancy.runAs(b.customerId, claim(a.customerId, a.invoiceId)))
      assert.strictEqual(asA._tag, "TenantAccessDenied")
      // … nor count A's invoice under its own name (the invoice must be the row's customer's).
      const borrowed = yield* Effect.flip(tenancy.runAs(b.customerId, claim(b.customerId, a.invoiceId)))
      assert.strictEqual(borrowed._tag, "PersistenceFailure")
      assert.strictEqual(yield* count("invoice_resends", a.customerId), 1)
      assert.strictEqual(yield* count("invoice_resends", b.customerId), 0)
    }).pipe(Effect.provide(adapters))
  )

  it.effect("the database refuses a slot above the row's limit and a slot taken twice", () =>
    Effect.gen(function* () {
      const { customerId, invoiceId } = yield* customerWithInvoice
      const sql = yield* SqlClient.SqlClient
      const insert = (slots: ReadonlyArray<number>) =>
        Effect.gen(function* () {
          const rows: Array<Record<string, string | number>> = []
          for (const slot of slots)
            rows.push({
              customer_id: customerId,
              invoice_id: invoiceId,
              window_start: "2026-11-02T09:00:00Z",
              slot,
              max_per_window: 3,
              notification_id: yield* Notification.makeId,
              requested_at: "2026-11-02T09:10:00Z"
            })
          return yield* sql`INSERT INTO invoice_resends ${sql.insert(rows as [Record<string, unknown>, ...Array<Record<string, unknown>>])}`
        })
      const constraintOf = (e: { readonly reason: { readonly _tag: string; readonly cause?: unknown } }) => [
        e.reason._tag,
        (e.reason.cause as { constraint?: string } | undefined)?.constraint
      ]
      assert.deepStrictEqual(constraintOf(yield* Effect.flip(insert([4]))), [
        "ConstraintError",
        "invoice_resends_slot_within_limit"
      ])
      assert.deepStrictEqual(constraintOf(yield* Effect.flip(insert([0]))), [
        "ConstraintError",
        "invoice_resends_slot_within_limit"
      ])
      // Slot 1 twice: the key refuses the second.
      assert.deepStrictEqual(constraintOf(yield* Effect.flip(insert([1, 1]))), [
        "UniqueViolation",
        "invoice_resends_pkey"
      ])
      assert.strictEqual(yield* count("invoice_resends", customerId), 0)
    }).pipe(Effect.provide(adapters))
  )

  if (kind === "server")
    it.effect("eight resends racing for the same hour get exactly three slots", () =>
      Effect.gen(function* () {
        const { customerId, invoiceId } = yield* customerWithInvoice
        const outcomes = yield* Effect.all(
          Array.from({ length: 8 }, () =>
            Effect.result(resendAs(customerId, invoiceId, tenMinutesPast)).pipe(
              Effect.map((r) => (r._tag === "Success" ? "sent" : r.failure._tag))
            )
          ),
          { concurrency: "unbounded" }
        )
        assert.strictEqual(outcomes.filter((o) => o === "sent").length, 3, outcomes.join(", "))
        assert.isTrue(
          outcomes.every((o) => o === "sent" || o === "ResendLimited"),
          outcomes.join(", ")
        )
        assert.strictEqual(yield* count("invoice_resends", customerId), 3)
        assert.strictEqual(yield* count("notifications", customerId), 3)
        const slots = yield* Effect.gen(function* () {
          const sql = yield* SqlClient.SqlClient
          return yield* sql<{
            slot: number
          }>`SELECT slot FROM invoice_resends WHERE invoice_id = ${invoiceId} ORDER BY slot`
        })
        assert.deepStrictEqual(
          slots.map((s) => s.slot),
          [1, 2, 3]
        )
      }).pipe(Effect.provide(adapters))
    )
})
