/**
 * One customer's whole life (issue 13), walked with TestClock through the app's own services, on
 * the embedded PGlite and on the PostgreSQL server in DATABASE_URL (a scratch database):
 * 1. an operator creates it (with its first key);
 * 2. it sends usage;
 * 3. the operator moves it from standard to fintech in mid-September and schedules healthcare
 *    from October;
 * 4. September is billed in two segments to the cent (flat fees prorated by day, each usage on the
 *    plan in force when it occurred), exactly as the upcoming invoice showed it the night before;
 * 5. it pays part (a replayed request records nothing more), then the rest: paid;
 * 6. it gets a credit note on the paid invoice (refunded; never more than was invoiced);
 * 7. October goes unpaid (an overpayment is refused): reminders 3, 10 and 20 days past due, each
 *    once, overdue after the grace, suspended after 25 days;
 * 8. the operator reactivates it and closes it: December, its last partial month, is billed, January
 *    is not.
 * Invoice and credit note numbers are gap-free, and its audit chain records every step by its
 * actor and verifies.
 */

import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { PgBilling } from "@securebase/adapters"
import {
  AuditLog,
  BillingJobs,
  BillingRun,
  CreditNote,
  CustomerAdmin,
  CustomerRepo,
  type Ids,
  InvoiceRepo,
  IssueCreditNote,
  Metric,
  Payment,
  Receivables,
  RecordPayment,
  Tenancy,
  UpcomingInvoice,
  Usage,
  UsageEventRepo
} from "@securebase/core"
import { BigDecimal, DateTime, Effect, Layer, Option, Schema } from "effect"
import { TestClock } from "effect/testing"
import { servicesLayer } from "../src/Layers.ts"
import * as Mail from "../src/Mail.ts"
import { configFor, scratchDatabase } from "./support/ServerProcesses.ts"

const operator = { actor: "operator:aaaaaaaaaaaaaaaa" }
const at = (iso: string) => TestClock.setTime(DateTime.toEpochMillis(DateTime.makeUnsafe(iso)))

const calls = (customerId: Ids.CustomerId, id: string, quantity: number) =>
  Effect.gen(function* () {
    const event = new Usage.UsageEvent({
      id: id as Ids.UsageEventId,
      customerId,
      metric: Metric.code("api_calls"),
      occurredAt: yield* DateTime.now,
      quantity: BigDecimal.fromBigInt(BigInt(quantity))
    })
    yield* Tenancy.Tenancy.use((t) =>
      t.runAs(
        customerId,
        UsageEventRepo.UsageEventRepo.use((r) => r.record(event))
      )
    )
  })

const invoicesOf = (customerId: Ids.CustomerId) =>
  Tenancy.Tenancy.use((t) =>
    t.runAs(
      customerId,
      InvoiceRepo.InvoiceRepo.use((r) => r.listByCustomer(customerId))
    )
  )

const life = Effect.gen(function* () {
  yield* at("2026-09-01T09:00:00Z")
  const { customer } = yield* CustomerAdmin.create({
    id: globalThis.crypto.randomUUID() as Ids.CustomerId,
    name: "Lifecycle Ltd",
    email: "ap@lifecycle.example",
    plan: "standard",
    billingAddress: { line1: "1 Main St", city: "Springfield", country: "US" },
    taxId: "US-12-3456789"
  })
  const id = customer.id

  // 1.5 million calls on standard (1 million included, then $0.0004): $200.00.
  yield* at("2026-09-10T12:00:00Z")
  yield* calls(id, "sep-10", 1_500_000)

  // Standard → fintech at once, on day 16 of 30: 15 days used.
  yield* at("2026-09-16T10:00:00Z")
  const changed = yield* CustomerAdmin.changePlan(id, "fintech", "immediately")
  assert.strictEqual(changed.customer.plan, "fintech")
  // $2,000.00 by day is 20 × $66.67 then 10 × $66.66; days 16-30 = 5 × $66.67 + 10 × $66.66.
  assert.strictEqual(changed.proration!.credit.minor, 99_995n)
  // $8,000.00 by day is 20 × $266.67 then 10 × $266.66; days 16-30 = $3,999.95.
  assert.strictEqual(changed.proration!.charge.minor, 399_995n)

  // 3 million calls on fintech: within its 5 million included.
  yield* at("2026-09-20T12:00:00Z")
  yield* calls(id, "sep-20", 3_000_000)
  const unchanged = yield* Effect.flip(CustomerAdmin.changePlan(id, "fintech", "immediately"))
  assert.strictEqual(unchanged._tag, "PlanUnchanged")
  // Healthcare from October 1st: September is not affected.
  yield* at("2026-09-25T08:00:00Z")
  const scheduled = yield* CustomerAdmin.changePlan(id, "healthcare", "next_period")
  assert.strictEqual(DateTime.formatIso(scheduled.effectiveAt), "2026-10-01T00:00:00.000Z")
  assert.isUndefined(scheduled.proration)

  // Late on September 30th the upcoming invoice is what the run will issue.
  yield* at("2026-09-30T23:00:00Z")
  const upcoming = yield* Tenancy.Tenancy.use((t) => t.runAs(id, UpcomingInvoice.preview(id)))
  assert.strictEqual(upcoming.number, null)

  // September is billed after its hour of grace.
  yield* at("2026-10-01T02:00:00Z")
  const september = yield* BillingRun.run({ period: "2026-09" as never })
  assert.strictEqual(september.billed, 1)
  const [sep] = yield* invoicesOf(id)
  assert.strictEqual(sep!.period, "2026-09")
  assert.strictEqual(sep!.plan, "fintech", "the plan at the month's end")
  const lines = new Map(sep!.lines.map((l) => [l.code, l]))
  assert.strictEqual(lines.get("platform_p1")!.amount, 100_005n, "standard, days 1-15: 15 × $66.67")
  assert.include(lines.get("platform_p1")!.description, "Standard plan, days 1-15 of 30")
  assert.strictEqual(lines.get("platform")!.amount, 399_995n, "fintech, days 16-30")
  assert.strictEqual(lines.get("api_calls_p1")!.amount, 20_000n, "500,000 calls over standard's million")
  assert.strictEqual(lines.get("api_calls_p1")!.metric, "api_calls")
  assert.strictEqual(lines.get("api_calls")!.amount, 0n, "within fintech's 5 million")
  assert.strictEqual(sep!.subtotal, 520_000n)
  // The rest follows from the subtotal by the book's rules; checked to the cent here.
  assert.strictEqual(sep!.taxable, sep!.subtotal - sep!.discount)
  assert.strictEqual(sep!.tax, (sep!.taxable * 8n + 50n) / 100n, "8% sales tax, half-up")
  assert.strictEqual(sep!.total, sep!.taxable + sep!.tax)
  // (Decimals are compared by their amounts: a stored decimal comes back at the database's scale.)
  const view = (ls: typeof upcoming.lines) =>
    ls.map((l) => [l.code, l.description, l.metric, l.amount, l.discount])
  assert.deepStrictEqual(view(sep!.lines), view(upcoming.lines), "the upcoming invoice was the invoice")
  assert.strictEqual(sep!.total, upcoming.total)

  // 5. September is paid in two parts: a wire of $2,000.00, then the rest by card. A repeated
  // request with the first key is a replay, not a second payment.
  const pay = (
    invoice: Ids.InvoiceId,
    at: string,
    amount: bigint,
    method: string,
    reference: string,
    key: string
  ) =>
    Effect.flatMap(
      Schema.decodeUnknownEffect(Payment.PaymentInput)({
        amount: amount.toString(),
        method,
        reference,
        paidAt: at,
        idempotencyKey: key
      }),
      (input) => RecordPayment.record(id, invoice, input)
    )
  yield* at("2026-10-05T09:00:00Z")
  const first = yield* pay(
    sep!.id,
    "2026-10-05T08:30:00Z",
    200_000n,
    "bank_transfer",
    "WIRE-0001",
    "sep-part-1"
  )
  assert.strictEqual(first.account.invoice.status, "issued")
  assert.strictEqual(Receivables.amountDue(first.account), sep!.total - 200_000n)
  const again = yield* pay(
    sep!.id,
    "2026-10-05T08:30:00Z",
    200_000n,
    "bank_transfer",
    "WIRE-0001",
    "sep-part-1"
  )
  assert.isTrue(again.replayed)
  assert.strictEqual(again.payment.id, first.payment.id)
  yield* at("2026-10-10T09:00:00Z")
  const rest = yield* pay(
    sep!.id,
    "2026-10-10T08:00:00Z",
    sep!.total - 200_000n,
    "card",
    "CARD-4242",
    "sep-part-2"
  )
  assert.strictEqual(rest.account.invoice.status, "paid")
  assert.strictEqual(Receivables.amountDue(rest.account), 0n)
  assert.strictEqual(DateTime.formatIso(rest.account.invoice.paidAt!), "2026-10-10T08:00:00.000Z")
  // Paying a paid invoice is refused; nothing more is stored.
  const overpaid = yield* Effect.flip(
    pay(sep!.id, "2026-10-10T08:00:00Z", 1n, "card", "CARD-4242", "sep-part-3")
  )
  assert.strictEqual(overpaid._tag, "InvoiceNotOpen")

  // 6. A credit note of $100.00 on the paid invoice: nothing is due, so all of it is refunded.
  yield* at("2026-10-12T09:00:00Z")
  const note = yield* Effect.flatMap(
    Schema.decodeUnknownEffect(CreditNote.CreditNoteInput)({
      reason: "SLA credit, 3 hours down",
      amount: "10000"
    }),
    (input) => IssueCreditNote.issue(id, sep!.id, input)
  )
  assert.strictEqual(note.creditNote.number, "CN-2026-000001")
  assert.strictEqual(note.creditNote.amount, 10_000n)
  assert.strictEqual(note.creditNote.credited, 0n)
  assert.strictEqual(note.creditNote.refunded, 10_000n)
  // Never more than was invoiced: the rest of the invoice, and one cent more, is refused.
  const tooMuch = yield* Effect.flip(
    Effect.flatMap(
      Schema.decodeUnknownEffect(CreditNote.CreditNoteInput)({
        reason: "too much",
        amount: (sep!.total - 10_000n + 1n).toString()
      }),
      (input) => IssueCreditNote.issue(id, sep!.id, input)
    )
  )
  assert.strictEqual(tooMuch._tag, "CreditExceedsInvoiced")

  // October, on healthcare for the whole month, is billed on November 1st and never paid.
  yield* at("2026-11-01T02:00:00Z")
  const october = yield* BillingRun.run({ period: "2026-10" as never })
  assert.strictEqual(october.billed, 1)
  const oct = (yield* invoicesOf(id)).find((i) => i.period === "2026-10")!
  assert.strictEqual(oct.plan, "healthcare")
  assert.strictEqual(
    oct.lines.find((l) => l.code === "platform")!.amount,
    1_500_000n,
    "healthcare, whole month"
  )
  assert.strictEqual(DateTime.formatIso(oct.dueAt!), "2026-12-01T02:00:00.000Z", "net 30")
  const tooMuchPaid = yield* Effect.flip(
    pay(oct.id, "2026-11-01T02:00:00Z", oct.total + 1n, "bank_transfer", "WIRE-0002", "oct-over")
  )
  assert.strictEqual(tooMuchPaid._tag, "Overpayment", "more than is due is refused, never kept as credit")
  // November is billed on December 1st (it stays unpaid too, but is not due yet below).
  yield* at("2026-12-01T02:00:00Z")
  assert.strictEqual((yield* BillingRun.run({ period: "2026-11" as never })).billed, 1)

  // 7. Dunning on October's invoice: reminders 3, 10 and 20 days past due, suspension after 25.
  const daily = (iso: string) => Effect.andThen(at(iso), BillingJobs.daily({ deliver: false }))
  const d3 = yield* daily("2026-12-04T03:00:00Z")
  assert.strictEqual(d3.dunning.reminders, 1)
  const d3again = yield* daily("2026-12-04T04:00:00Z")
  assert.strictEqual(d3again.dunning.reminders, 0, "a step is taken once")
  const d6 = yield* daily("2026-12-06T03:00:00Z")
  assert.strictEqual(d6.overdue, 1, "overdue after the five days of grace")
  assert.strictEqual((yield* daily("2026-12-11T03:00:00Z")).dunning.reminders, 1)
  assert.strictEqual((yield* daily("2026-12-21T03:00:00Z")).dunning.reminders, 1)
  const d26 = yield* daily("2026-12-26T03:00:00Z")
  assert.strictEqual(d26.dunning.suspensions, 1)
  const suspended = yield* Tenancy.Tenancy.use((t) =>
    t.runAs(
      id,
      CustomerRepo.CustomerRepo.use((r) => r.findById(id))
    )
  )
  assert.strictEqual(suspended.status, "suspended")

  // 8. The operator reactivates it, then closes it: December (its last, partial month) is billed,
  // January is not.
  yield* at("2026-12-28T10:00:00Z")
  assert.strictEqual((yield* CustomerAdmin.changeStatus(id, "reactivate", "paid by phone")).status, "active")
  yield* at("2026-12-29T10:00:00Z")
  assert.strictEqual(
    (yield* CustomerAdmin.changeStatus(id, "close", "moved to a competitor")).status,
    "closed"
  )
  yield* at("2027-01-01T02:00:00Z")
  assert.strictEqual((yield* BillingRun.run({ period: "2026-12" as never })).billed, 1)
  yield* at("2027-02-01T02:00:00Z")
  assert.strictEqual((yield* BillingRun.run({ period: "2027-01" as never })).billed, 0)
  const invoices = yield* invoicesOf(id)
  assert.deepStrictEqual(
    invoices.map((i) => [i.period, i.plan, i.status]),
    [
      ["2026-12", "healthcare", "issued"],
      ["2026-11", "healthcare", "issued"],
      ["2026-10", "healthcare", "overdue"],
      ["2026-09", "fintech", "paid"]
    ]
  )
  // Every number sequence is gap-free: invoices per year of issue, credit notes.
  assert.deepStrictEqual(
    invoices.map((i) => String(i.number)),
    ["INV-2027-000001", "INV-2026-000003", "INV-2026-000002", "INV-2026-000001"]
  )

  // The chain: every operator action as the operator, the run's as the worker; it verifies.
  const { events, verification } = yield* Tenancy.Tenancy.use((t) =>
    t.runAs(
      id,
      AuditLog.AuditLog.use((log) => Effect.all({ events: log.list(id), verification: log.verify(id) }))
    )
  )
  assert.strictEqual(verification._tag, "ChainIntact")
  assert.deepStrictEqual(
    events.map((e) => [e.action, e.actor]),
    [
      ["customer.created", operator.actor],
      ["api_key.created", operator.actor],
      ["customer.plan_changed", operator.actor],
      ["customer.plan_changed", operator.actor],
      ["invoice.issued", "worker:billing"],
      ["invoice.payment_recorded", operator.actor],
      ["invoice.payment_recorded", operator.actor],
      ["invoice.paid", operator.actor],
      ["credit_note.issued", operator.actor],
      ["invoice.issued", "worker:billing"],
      ["invoice.issued", "worker:billing"],
      ["invoice.dunning_reminder", "worker:billing"],
      ["invoice.overdue", "worker:billing"],
      ["invoice.dunning_reminder", "worker:billing"],
      ["invoice.dunning_reminder", "worker:billing"],
      ["invoice.dunning_suspension", "worker:billing"],
      ["customer.reactivated", operator.actor],
      ["customer.closed", operator.actor],
      ["invoice.issued", "worker:billing"]
    ]
  )
  const immediate = events[2]!.payload as any
  assert.deepStrictEqual(immediate.proration, {
    period: "2026-09",
    days: 30,
    daysUsed: 15,
    credit: "99995",
    charge: "399995",
    currency: "USD"
  })
}).pipe(Effect.provideService(Tenancy.CurrentPrincipal, operator))

// Dunning reminders 3, 10 and 20 days past due (the default), suspension after 25.
const services = (env: Record<string, string>) =>
  Layer.unwrap(
    Effect.map(configFor({ SEED_DEMO: "false", DUNNING_SUSPEND_AFTER_DAYS: "25", ...env }), (config) =>
      PgBilling.layer.pipe(
        Layer.provideMerge(servicesLayer(config)),
        // The daily job's type needs a mailer; the walk leaves the e-mail queued (deliver: false).
        Layer.provideMerge(
          Mail.layer({
            kind: "outbox",
            from: "billing@lifecycle.test",
            replyTo: Option.none(),
            sesEndpoint: Option.none(),
            outboxDir: join(tmpdir(), `securebase-life-${process.pid}`)
          })
        )
      )
    )
  )

const databaseUrl = process.env.DATABASE_URL ?? ""

describe("a customer's whole life", () => {
  it.live(
    "[pglite] created, used, moved mid-month, billed with proration, paid in parts, credited, dunned, suspended, reactivated, closed",
    // As on the server: the services (and their background fibers, such as the flush of the
    // authentication counts every few seconds) run on the live clock; only the walk is on TestClock,
    // which jumps months ahead and would otherwise wake such a fiber once per interval in between.
    () =>
      Effect.gen(function* () {
        const context = yield* Layer.build(services({}))
        yield* life.pipe(Effect.provide(context), Effect.provide(TestClock.layer()))
      }).pipe(Effect.scoped),
    240_000
  )
})

describe.runIf(databaseUrl !== "")("a customer's whole life [server]", () => {
  // The pool and the revocation listener run on the live clock; only the walk is on TestClock.
  it.live(
    "[server] created, used, moved mid-month, billed with proration, paid in parts, credited, dunned, suspended, reactivated, closed",
    () =>
      Effect.gen(function* () {
        const url = yield* scratchDatabase(databaseUrl)
        const context = yield* Layer.build(services({ DATABASE_URL: url }))
        yield* life.pipe(Effect.provide(context), Effect.provide(TestClock.layer()))
      }).pipe(Effect.scoped),
    240_000
  )
})
