/**
 * The dunning sweep on PostgreSQL, on PGlite and on the real server: the latest due reminder once
 * per invoice, the suspension after N days (the customer suspended, an e-mail queued, both
 * audited in the worker's transaction), nothing for a settled invoice, and concurrent sweeps
 * that still take each step once.
 */
import { assert } from "@effect/vitest"
import {
  AuditLog,
  CustomerRepo,
  Dunning,
  DunningSweep,
  type Ids,
  Invoice,
  InvoiceLifecycle,
  InvoiceRepo,
  Payment,
  RecordPayment,
  Tenancy
} from "@securebase/core"
import { DateTime, Effect, Layer, Schema } from "effect"
import { SqlClient } from "effect/sql"
import * as PgBilling from "../../src/postgres/PgBilling.ts"
import * as PgCreditNoteNumbers from "../../src/postgres/PgCreditNoteNumbers.ts"
import * as Fixtures from "./support/Fixtures.ts"
import { suite } from "./support/TestDatabase.ts"

const layer = Layer.mergeAll(Fixtures.adapters, PgBilling.layer, PgCreditNoteNumbers.layer)

let sequence = 0
/** A customer with one invoice issued so that it is `daysPastDue` days (and an hour) past due now (net 30). */
const pastDue = (daysPastDue: number) =>
  Effect.gen(function* () {
    const tenancy = yield* Tenancy.Tenancy
    const customerId = Fixtures.customerId()
    sequence += 1
    const now = yield* DateTime.now
    const invoice = yield* InvoiceLifecycle.issue(yield* Fixtures.draftInvoice(customerId), {
      number: Invoice.formatNumber(2091, Math.floor(Math.random() * 1e9) * 100 + sequence),
      at: DateTime.subtract(now, { days: 30 + daysPastDue, hours: 1 })
    })
    yield* tenancy.runAs(
      customerId,
      Effect.gen(function* () {
        yield* CustomerRepo.CustomerRepo.use((r) => r.insert(Fixtures.customer(customerId)))
        yield* InvoiceRepo.InvoiceRepo.use((r) => r.insert(invoice))
      })
    )
    return { customerId, invoice }
  })

const ofCustomer = (customerId: Ids.CustomerId) =>
  Effect.gen(function* () {
    const tenancy = yield* Tenancy.Tenancy
    const sql = yield* SqlClient.SqlClient
    return yield* tenancy.runAs(
      customerId,
      Effect.gen(function* () {
        const events = yield* AuditLog.AuditLog.use((a) => a.list(customerId))
        const mail = yield* sql<{
          template: string
        }>`SELECT template FROM notifications ORDER BY created_at, template`
        const steps = yield* sql<{
          kind: string
          days: number
        }>`SELECT kind, days FROM dunning_steps ORDER BY days`
        const customer = yield* CustomerRepo.CustomerRepo.use((r) => r.findById(customerId))
        const chain = yield* AuditLog.AuditLog.use((a) => a.verify(customerId))
        return {
          actions: events.map((e) => e.action as string),
          actors: [...new Set(events.map((e) => e.actor))],
          templates: mail.map((m) => m.template),
          steps: steps.map((s) => `${s.kind}@${s.days}`),
          status: customer.status,
          chain: chain._tag
        }
      })
    )
  })

const withPolicy = (policy: Dunning.DunningSchedule) => Effect.provideService(Dunning.Schedule, policy)

suite("Dunning", (it) => {
  it.effect(
    "the latest due reminder, once; the suspension after N days, audited and mailed; nothing for a paid invoice",
    () =>
      Effect.gen(function* () {
        const early = yield* pastDue(1)
        const four = yield* pastDue(4)
        const late = yield* pastDue(25)
        const paid = yield* pastDue(25)
        yield* RecordPayment.record(paid.customerId, paid.invoice.id, {
          amount: paid.invoice.total,
          method: "card",
          reference: "paid in full",
          paidAt: yield* DateTime.now,
          idempotencyKey: Schema.decodeSync(Payment.IdempotencyKey)("full")
        })
        const policy = { reminderDays: [3, 10, 20], suspendAfterDays: 21 }
        const first = yield* DunningSweep.sweep().pipe(withPolicy(policy))
        const a = yield* ofCustomer(early.customerId)
        const b = yield* ofCustomer(four.customerId)
        const c = yield* ofCustomer(late.customerId)
        const d = yield* ofCustomer(paid.customerId)
        assert.deepStrictEqual([a.steps, a.templates, a.actions], [[], [], []])
        assert.deepStrictEqual(b.steps, ["reminder@3"])
        assert.deepStrictEqual(b.templates, ["dunning_reminder"])
        assert.deepStrictEqual(b.actions, ["invoice.dunning_reminder"])
        assert.deepStrictEqual(b.actors, ["worker:billing"])
        assert.strictEqual(b.status, "active")
        // 25 days past due: only the latest reminder (20), and the suspension at 21.
        assert.deepStrictEqual(c.steps, ["reminder@20", "suspension@21"])
        assert.deepStrictEqual([...c.templates].sort(), ["account_suspended", "dunning_reminder"])
        assert.deepStrictEqual(c.actions, ["invoice.dunning_reminder", "invoice.dunning_suspension"])
        assert.strictEqual(c.status, "suspended")
        assert.strictEqual(c.chain, "ChainIntact")
        assert.deepStrictEqual(d.steps, [])
        assert.deepStrictEqual(d.actions, ["invoice.payment_recorded", "invoice.paid"])
        assert.isTrue(first.reminders >= 2 && first.suspensions >= 1)

        // Run again: every step was taken, nothing is sent twice.
        yield* DunningSweep.sweep().pipe(withPolicy(policy))
        assert.deepStrictEqual((yield* ofCustomer(four.customerId)).steps, ["reminder@3"])
        assert.deepStrictEqual((yield* ofCustomer(late.customerId)).actions, c.actions)
        // An empty policy does nothing.
        assert.deepStrictEqual(
          yield* DunningSweep.sweep().pipe(withPolicy({ reminderDays: [], suspendAfterDays: null })),
          {
            reminders: 0,
            suspensions: 0
          }
        )
      }).pipe(Effect.provide(layer)),
    120_000
  )

  it.effect(
    "concurrent sweeps take each step once",
    () =>
      Effect.gen(function* () {
        const invoices = yield* Effect.forEach(Array.from({ length: 6 }), () => pastDue(11))
        const policy = { reminderDays: [3, 10], suspendAfterDays: null }
        yield* Effect.all(
          Array.from({ length: 4 }, () => DunningSweep.sweep({ batchSize: 2 }).pipe(withPolicy(policy))),
          { concurrency: 4 }
        )
        for (const { customerId } of invoices) {
          const seen = yield* ofCustomer(customerId)
          assert.deepStrictEqual(
            [seen.steps, seen.templates, seen.actions],
            [["reminder@10"], ["dunning_reminder"], ["invoice.dunning_reminder"]]
          )
        }
      }).pipe(Effect.provide(layer)),
    120_000
  )
})
