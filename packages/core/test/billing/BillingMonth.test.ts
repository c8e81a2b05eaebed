/**
 * A whole billing month walked with TestClock: usage arrives through October stamped by the clock,
 * the month closes on the 1st, the invoice is priced and issued, and the clock walks on past the
 * due date and the customer's overdue grace until the invoice is overdue and then paid.
 */
import { assert, describe, it } from "@effect/vitest"
import { BigDecimal, DateTime, Effect } from "effect"
import { TestClock } from "effect/testing"
import {
  Customer,
  type Ids,
  Invoice,
  InvoiceLifecycle,
  Invoicing,
  Metric,
  Period,
  PriceBook,
  Tax,
  Usage
} from "../../src/index.ts"
import { customerId, invoiceId } from "../fixtures.ts"

describe("a billing month under TestClock", () => {
  it.effect(
    "October's usage becomes an invoice on November 1st, overdue on December 7th (due plus the 5-day grace)",
    () =>
      Effect.gen(function* () {
        yield* TestClock.setTime(DateTime.toEpochMillis(DateTime.makeUnsafe("2026-10-01T00:00:00Z")))
        const events: Array<Usage.UsageEvent> = []
        // Every day of October: 50,000 API calls, one scan, and the storage high-water mark grows.
        for (let day = 1; day <= 31; day++) {
          const now = yield* DateTime.now
          const stamp = (metric: keyof typeof Metric.defaults, quantity: string, subject?: string) =>
            new Usage.UsageEvent({
              id: `${metric}-${day}` as Ids.UsageEventId,
              customerId,
              metric: Metric.code(metric),
              occurredAt: now,
              quantity: BigDecimal.fromStringUnsafe(quantity),
              ...(subject === undefined ? {} : { subject })
            })
          events.push(
            stamp("api_calls", "50000"),
            stamp("compliance_scans", "1"),
            stamp("storage_gb", `${100 + day}`)
          )
          if (day % 10 === 0) events.push(stamp("accounts", "1", `acct-${day}`))
          yield* TestClock.adjust("1 day")
        }
        const closedAt = yield* DateTime.now
        assert.strictEqual(DateTime.formatIso(closedAt), "2026-11-01T00:00:00.000Z")
        const period = Period.previous(Period.ofDateTime(closedAt))
        assert.strictEqual(period, "2026-10")

        const usage = yield* Usage.aggregate({ catalog: Metric.defaultCatalog, customerId, period, events })
        // 31 × 50,000 = 1,550,000 calls; 31 scans; peak 131 GB; 3 distinct accounts.
        assert.strictEqual(BigDecimal.format(usage.get(Metric.code("api_calls"))!), "1550000")
        assert.strictEqual(BigDecimal.format(usage.get(Metric.code("storage_gb"))!), "131")

        const draft = yield* Invoicing.priceInvoice({
          invoiceId,
          customerId,
          plan: "standard",
          taxProfile: {},
          period,
          priceBook: PriceBook.referenceCard,
          taxRules: Tax.referenceCard,
          usage,
          createdAt: closedAt
        })
        // $2,000 + 550,000 calls × $0.0004 = $220 + 31 GB × $0.25 = $7.75 → $2,227.75; tax 8% = $178.22.
        assert.strictEqual(draft.subtotal, 222775n)
        assert.strictEqual(draft.tax, 17822n)
        assert.strictEqual(draft.total, 240597n)
        assert.deepStrictEqual(Invoice.reconciliationErrors(draft), [])

        const issued = yield* InvoiceLifecycle.issue(draft, {
          number: Invoice.formatNumber(2026, 1),
          at: yield* DateTime.now
        })
        yield* TestClock.adjust("30 days")
        assert.isFalse(
          InvoiceLifecycle.isPastDue(issued, yield* DateTime.now),
          "due at the end of day 30, not yet past"
        )
        yield* TestClock.adjust("1 day")
        const graceDays = Customer.defaultOverdueGraceDays
        const pastDue = yield* DateTime.now
        assert.isTrue(InvoiceLifecycle.isPastDue(issued, pastDue))
        // Past due, but within the customer's overdue grace: no dunning yet.
        assert.isFalse(InvoiceLifecycle.isOverdueAt(issued, pastDue, graceDays))
        const early = yield* Effect.flip(InvoiceLifecycle.markOverdue(issued, { at: pastDue, graceDays }))
        assert.strictEqual(early._tag, "InvoiceNotYetDue")
        yield* TestClock.adjust(`${graceDays} days`)
        const now = yield* DateTime.now
        assert.isTrue(InvoiceLifecycle.isOverdueAt(issued, now, graceDays))
        const overdue = yield* InvoiceLifecycle.markOverdue(issued, { at: now, graceDays })
        assert.strictEqual(DateTime.formatIso(overdue.overdueAt!), "2026-12-07T00:00:00.000Z")
        yield* TestClock.adjust("3 days")
        const paid = yield* InvoiceLifecycle.markPaid(overdue, {
          at: yield* DateTime.now,
          reference: "ach-2026-12"
        })
        assert.strictEqual(paid.status, "paid")
        assert.strictEqual(DateTime.formatIso(paid.paidAt!), "2026-12-10T00:00:00.000Z")
      })
  )
})
