/**
 * One customer's life on the operator's side, walked with TestClock through the app's own
 * services, on the embedded PGlite and on the PostgreSQL server in DATABASE_URL (a scratch
 * database): an operator creates it (with its first key), it sends usage, the operator moves it
 * from standard to fintech in mid-September and schedules healthcare from October, September is
 * billed in two segments to the cent (flat fees prorated by day, each usage on the plan in force
 * when it occurred), the operator closes it on October 15th, October is billed (its last, partial
 * month) and November is not. Its audit chain records the operator's every action and verifies.
 *
 * (Payments, credit notes and dunning are helper receivables' part of issue 13's walk.)
 */
import { assert, describe, it } from "@effect/vitest"
import { PgBilling } from "@securebase/adapters"
import {
  AuditLog,
  BillingRun,
  CustomerAdmin,
  type Ids,
  InvoiceRepo,
  Metric,
  Tenancy,
  UpcomingInvoice,
  Usage,
  UsageEventRepo
} from "@securebase/core"
import { BigDecimal, DateTime, Effect, Layer } from "effect"
import { TestClock } from "effect/testing"
import { servicesLayer } from "../src/Layers.ts"
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

  // Closed in mid-October: October is billed (on healthcare, from its first instant), November not.
  yield* at("2026-10-15T12:00:00Z")
  const closed = yield* CustomerAdmin.changeStatus(id, "close", "moved to a competitor")
  assert.strictEqual(closed.status, "closed")
  yield* at("2026-11-01T02:00:00Z")
  const october = yield* BillingRun.run({ period: "2026-10" as never })
  assert.strictEqual(october.billed, 1)
  yield* at("2026-12-01T02:00:00Z")
  const november = yield* BillingRun.run({ period: "2026-11" as never })
  assert.strictEqual(november.billed, 0)
  const invoices = yield* invoicesOf(id)
  assert.deepStrictEqual(
    invoices.map((i) => [i.period, i.plan]),
    [
      ["2026-10", "healthcare"],
      ["2026-09", "fintech"]
    ]
  )
  const oct = invoices[0]!
  assert.strictEqual(
    oct.lines.find((l) => l.code === "platform")!.amount,
    1_500_000n,
    "healthcare, whole month"
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

const services = (env: Record<string, string>) =>
  Layer.unwrap(
    Effect.map(configFor({ SEED_DEMO: "false", ...env }), (config) =>
      PgBilling.layer.pipe(Layer.provideMerge(servicesLayer(config)))
    )
  )

const databaseUrl = process.env.DATABASE_URL ?? ""

describe("a customer's life on the operator's side", () => {
  it.effect(
    "[pglite] created, used, moved mid-month, billed with proration to the cent, closed, billed once more",
    () => life.pipe(Effect.provide(services({})), Effect.provide(TestClock.layer())),
    240_000
  )
})

describe.runIf(databaseUrl !== "")("a customer's life on the operator's side [server]", () => {
  // The pool and the revocation listener run on the live clock; only the walk is on TestClock.
  it.live(
    "[server] created, used, moved mid-month, billed with proration to the cent, closed, billed once more",
    () =>
      Effect.gen(function* () {
        const url = yield* scratchDatabase(databaseUrl)
        const context = yield* Layer.build(services({ DATABASE_URL: url }))
        yield* life.pipe(Effect.provide(context), Effect.provide(TestClock.layer()))
      }).pipe(Effect.scoped),
    240_000
  )
})
