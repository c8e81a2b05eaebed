/**
 * A whole billing month walked with TestClock on PostgreSQL, driven by the scheduler the server and
 * the Lambda jobs share (`BillingJobs.scheduled`): usage arrives through October stamped by the
 * clock while the daily job runs every day at 01:00 UTC, the month end fires on November 1st at
 * 01:00 (once the hour of grace for late usage is over), and the invoices and their e-mails come
 * out with the right numbers and totals; the daily job then marks them overdue on the first run
 * after their due date plus the customers' five days of grace.
 */
import { assert } from "@effect/vitest"
import {
  BillingJobs,
  Customer,
  CustomerRepo,
  type Ids,
  InvoiceRepo,
  Metric,
  Tenancy,
  Usage,
  UsageEventRepo
} from "@securebase/core"
import { BigDecimal, DateTime, Effect, Queue, Ref } from "effect"
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
      plan: "standard",
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
  it.effect(
    "October's usage becomes invoices and e-mails at the month end on November 1st, 01:00, overdue a week after they fall due",
    () =>
      Effect.gen(function* () {
        yield* S.closeEveryone
        yield* TestClock.setTime(DateTime.toEpochMillis(DateTime.makeUnsafe("2026-10-01T01:00:00Z")))
        const acme = yield* newCustomer("Acme")
        const globex = yield* newCustomer("Globex")
        const before = yield* S.counter(2026)
        // The scheduler reports each job it ran with the instant it was due; the walk takes each
        // report before moving the clock on, so the sequence of reports is the schedule: a job that
        // fired early (or late, or twice) would show in it.
        const ran = yield* Queue.unbounded<BillingJobs.Ran>()
        yield* Effect.forkChild(
          BillingJobs.scheduled({ concurrency: 2, after: (job) => Queue.offer(ran, job) })
        )
        const label = (job: BillingJobs.Ran) => `${job._tag} ${DateTime.formatIso(job.at)}`

        // Every day of October at 01:00 (September's month end is over): usage arrives, the clock
        // moves on a day, and that day's daily job runs without billing anything.
        for (let n = 1; n <= 30; n++) {
          yield* day(acme.id, n, 50_000)
          yield* day(globex.id, n, 20_000)
          yield* TestClock.adjust("1 day")
          const job = yield* Queue.take(ran)
          assert.strictEqual(label(job), `Daily 2026-10-${String(n + 1).padStart(2, "0")}T01:00:00.000Z`)
          assert.strictEqual(job.summary.overdue, 0)
        }
        yield* day(acme.id, 31, 50_000)
        yield* day(globex.id, 31, 20_000)
        yield* TestClock.adjust("23 hours")
        yield* TestClock.adjust("59 minutes")
        yield* TestClock.adjust("1 minute")
        const ended = yield* Queue.take(ran)
        assert.strictEqual(label(ended), "MonthEnd 2026-11-01T01:00:00.000Z")
        assert(ended._tag === "MonthEnd")
        const summary = ended.summary.run
        const delivery = ended.summary.mail!
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
        assert.strictEqual(ended.summary.undelivered!.count, 0)

        // Due December 1st, 01:00, plus five days of grace: the daily runs up to December 6th
        // (November's month end on the 1st among them) mark nothing overdue, since the grace is
        // not over before that instant; the run of the 7th marks both October invoices overdue.
        for (let n = 2; n <= 37; n++) {
          yield* TestClock.adjust("1 day")
          const job = yield* Queue.take(ran)
          const date =
            n <= 30 ? `2026-11-${String(n).padStart(2, "0")}` : `2026-12-${String(n - 30).padStart(2, "0")}`
          assert.strictEqual(
            label(job),
            `${date === "2026-12-01" ? "MonthEnd" : "Daily"} ${date}T01:00:00.000Z`
          )
          assert.strictEqual(job.summary.overdue, date === "2026-12-07" ? 2 : 0, `overdue marked on ${date}`)
        }
        const late = yield* tenancy.runAs(acme.id, invoices.listByCustomer(acme.id))
        assert.strictEqual(late.find((i) => i.period === "2026-10")!.status, "overdue")
        assert.strictEqual(late.find((i) => i.period === "2026-11")!.status, "issued")
        const reminders = (yield* Ref.get((yield* MailRecord).sent)).filter(
          (m) => m.to === acme.email && m.subject.startsWith("Overdue")
        )
        assert.deepStrictEqual(
          reminders.map((m) => m.subject),
          [`Overdue: invoice ${ofAcme!.number} for 2026-10`]
        )
      }).pipe(Effect.provide(S.layers), Effect.provide(TestClock.layer()))
  )
})
