/**
 * A whole billing month walked with TestClock on PostgreSQL: usage arrives through October stamped
 * by the clock, the scheduled run fires on November 1st at 01:00 UTC (once the hour of grace for
 * late usage is over), and the invoices and their e-mails come out with the right numbers and
 * totals.
 */
import { assert } from "@effect/vitest"
import {
  BillingRun,
  Customer,
  CustomerRepo,
  Delivery,
  type Ids,
  InvoiceRepo,
  Metric,
  Tenancy,
  Usage,
  UsageEventRepo
} from "@securebase/core"
import { BigDecimal, DateTime, Deferred, Effect, Ref } from "effect"
import { TestClock } from "effect/testing"
import { MailRecord } from "../notifications/RecordingMailer.ts"
import * as Fixtures from "../postgres/support/Fixtures.ts"
import { suite } from "../postgres/support/TestDatabase.ts"
import * as S from "./Support.ts"

const newCustomer = (name: string) =>
  Effect.gen(function* () {
    const id = Fixtures.customerId()
    const customer = new Customer.Customer({
      id,
      name,
      email: `billing@${name.toLowerCase()}.test`,
      tier: "standard",
      status: "active",
      taxProfile: {},
      netDays: 30
    })
    yield* Tenancy.Tenancy.use((t) =>
      t.runAs(
        id,
        CustomerRepo.CustomerRepo.use((r) => r.insert(customer))
      )
    )
    return customer
  })

/** One day of a customer's usage, stamped by the clock. */
const day = (customerId: Ids.CustomerId, n: number, callsPerDay: number) =>
  Effect.gen(function* () {
    const now = yield* DateTime.now
    const stamp = (metric: keyof typeof Metric.defaults, quantity: string, subject?: string) =>
      new Usage.UsageEvent({
        id: `${metric}-${n}` as Ids.UsageEventId,
        customerId,
        metric: Metric.code(metric),
        occurredAt: now,
        quantity: BigDecimal.fromStringUnsafe(quantity),
        ...(subject === undefined ? {} : { subject })
      })
    const events = [
      stamp("api_calls", `${callsPerDay}`),
      stamp("compliance_scans", "1"),
      stamp("storage_gb", `${100 + n}`),
      ...(n % 10 === 0 ? [stamp("accounts", "1", `acct-${n}`)] : [])
    ]
    yield* Tenancy.Tenancy.use((t) =>
      t.runAs(
        customerId,
        Effect.forEach(events, (e) => UsageEventRepo.UsageEventRepo.use((r) => r.record(e)))
      )
    )
  })

suite("A billing month under TestClock", (it) => {
  it.effect("October's usage becomes invoices and e-mails when the run fires on November 1st, 01:00", () =>
    Effect.gen(function* () {
      yield* S.closeEveryone
      yield* TestClock.setTime(DateTime.toEpochMillis(DateTime.makeUnsafe("2026-10-01T00:00:00Z")))
      const acme = yield* newCustomer("Acme")
      const globex = yield* newCustomer("Globex")
      const before = yield* S.counter(2026)
      const fired = yield* Deferred.make<BillingRun.RunSummary>()
      const mailed = yield* Deferred.make<Delivery.DeliveryReport>()
      yield* Effect.forkChild(
        BillingRun.everyMonth({
          concurrency: 2,
          after: (summary) =>
            Effect.gen(function* () {
              yield* Deferred.succeed(fired, summary)
              yield* Deferred.succeed(mailed, yield* Delivery.deliverDue())
            })
        })
      )
      // Every day of October: usage arrives, then the clock moves on a day.
      for (let n = 1; n <= 31; n++) {
        yield* day(acme.id, n, 50_000)
        yield* day(globex.id, n, 20_000)
        assert.isFalse(yield* Deferred.isDone(fired), `the run fired early, on day ${n}`)
        yield* TestClock.adjust("1 day")
      }
      // November 1st, 00:00: October has ended, but late usage still has its hour of grace.
      yield* TestClock.adjust("59 minutes")
      assert.isFalse(yield* Deferred.isDone(fired), "the run fired within the usage grace")
      yield* TestClock.adjust("1 minute")
      const summary = yield* Deferred.await(fired)
      const delivery = yield* Deferred.await(mailed)
      assert.strictEqual(summary.period, "2026-10")
      assert.deepStrictEqual([summary.billed, summary.failures.length], [2, 0])

      const invoices = yield* InvoiceRepo.InvoiceRepo
      const tenancy = yield* Tenancy.Tenancy
      const [ofAcme] = yield* tenancy.runAs(acme.id, invoices.listByCustomer(acme.id))
      const [ofGlobex] = yield* tenancy.runAs(globex.id, invoices.listByCustomer(globex.id))
      // 31 × 50,000 = 1,550,000 calls (550,000 over the included million at $0.0004 = $220), peak
      // 131 GB (31 over 100 at $0.25 = $7.75), $2,000 platform fee: $2,227.75 + 8% tax = $2,405.97.
      assert.strictEqual(ofAcme!.subtotal, 222775n)
      assert.strictEqual(ofAcme!.tax, 17822n)
      assert.strictEqual(ofAcme!.total, 240597n)
      // 620,000 calls are all included: $2,007.75 + 8% = $2,168.37.
      assert.strictEqual(ofGlobex!.total, 216837n)
      assert.strictEqual(summary.totals.get("USD"), 240597n + 216837n)
      for (const invoice of [ofAcme!, ofGlobex!]) {
        assert.strictEqual(invoice.status, "issued")
        assert.strictEqual(DateTime.formatIso(invoice.issuedAt!), "2026-11-01T01:00:00.000Z")
        assert.strictEqual(DateTime.formatIso(invoice.dueAt!), "2026-12-01T01:00:00.000Z")
      }
      const numbers = [ofAcme!.number!, ofGlobex!.number!]
      assert.isTrue(S.isContiguous(numbers, before, before + 2))

      assert.strictEqual(delivery.sent, 2)
      const mails = yield* Ref.get((yield* MailRecord).sent)
      const toAcme = mails.filter((m) => m.to === acme.email)
      assert.strictEqual(toAcme.length, 1)
      assert.strictEqual(toAcme[0]!.subject, `Invoice ${ofAcme!.number} for 2026-10`)
      assert.include(toAcme[0]!.text, "TOTAL")
      assert.include(toAcme[0]!.text, "$2,405.97")
      assert.include(mails.find((m) => m.to === globex.email)!.text, "$2,168.37")
    }).pipe(Effect.provide(S.layers), Effect.provide(TestClock.layer()))
  )
})
