/**
 * The pure parts of the billing run: pricing from events, the records an issued invoice leaves
 * (its e-mail, rendered with InvoiceText, and its `invoice.issued` audit event), notification ids
 * and the outbox's backoff. The run itself, its claims and its crash and concurrency behaviour are
 * tested against PostgreSQL in packages/adapters/test/billing.
 */
import { assert, describe, it } from "@effect/vitest"
import { BigDecimal, DateTime, Duration, Effect, Schema } from "effect"
import {
  Customer,
  CustomerPricing,
  Decimal,
  Delivery,
  type Ids,
  Invoice,
  InvoiceLifecycle,
  InvoiceText,
  IssueInvoice,
  Metric,
  Notification,
  Period,
  PriceBook,
  Pricing,
  Usage
} from "../../src/index.ts"
import { customerId } from "../fixtures.ts"

const customer = new Customer.Customer({
  id: customerId,
  name: "Acme Analytics",
  email: "billing@acme.test",
  plan: "standard",
  status: "active",
  taxProfile: {},
  netDays: 30
})
const period = Schema.decodeSync(Period.Period)("2026-10")
const at = DateTime.makeUnsafe("2026-11-01T00:00:00Z")
const events = Array.from(
  { length: 31 },
  (_, d) =>
    new Usage.UsageEvent({
      id: `calls-${d}` as Ids.UsageEventId,
      customerId,
      metric: Metric.code("api_calls"),
      occurredAt: DateTime.add(Period.start(period), { days: d }),
      quantity: BigDecimal.fromBigInt(50_000n)
    })
)

describe("CustomerPricing and IssueInvoice (no database)", () => {
  it.effect("a plan that exists only in a test book is priced by editing data alone", () =>
    Effect.gen(function* () {
      const card = PriceBook.referenceCard
      const book = PriceBook.withPlan(PriceBook.withId(card, "test-book" as never), "scale-up", {
        name: "Scale-up",
        entitlements: { ...card.plans.standard.entitlements, maxApiKeys: 7 },
        charges: [
          { _tag: "Flat", code: "platform", description: "Scale-up plan", amount: Decimal.unsafe("500") },
          {
            _tag: "Usage",
            code: "api_calls",
            description: "API calls",
            metric: Metric.code("api_calls"),
            included: Decimal.unsafe("1000000"),
            model: { _tag: "PerUnit", unitPrice: Decimal.unsafe("0.001") }
          }
        ]
      })
      const policy = Pricing.withPriceBook(Pricing.referenceCard, book)
      const onScaleUp = new Customer.Customer({ ...customer, plan: "scale-up" })
      const draft = yield* CustomerPricing.priceFromEvents(onScaleUp, period, events, { at }).pipe(
        Effect.provideService(Pricing.Pricing, policy)
      )
      // $500 + 550,000 calls over the included million × $0.001 = $1,050.00 + 8% = $1,134.00.
      assert.deepStrictEqual(
        [draft.plan, draft.priceBookId, draft.subtotal, draft.total],
        ["scale-up", "test-book", 105000n, 113400n]
      )
      assert.strictEqual(
        (yield* Pricing.entitlementsOf("scale-up").pipe(Effect.provideService(Pricing.Pricing, policy)))
          .maxApiKeys,
        7
      )
      // Under the shipped book the same customer's plan is unknown: a typed error.
      const error = yield* Effect.flip(CustomerPricing.priceFromEvents(onScaleUp, period, events, { at }))
      assert.deepStrictEqual(error._tag === "UnknownPlan" ? [error.code, error.plan] : error, [
        "PRICING.UNKNOWN_PLAN",
        "scale-up"
      ])
    })
  )

  it.effect("prices a month of events into a draft that reconciles", () =>
    Effect.gen(function* () {
      const draft = yield* CustomerPricing.priceFromEvents(customer, period, events, { at })
      assert.strictEqual(draft.status, "draft")
      assert.strictEqual(draft.number, null)
      // $2,000 + 550,000 calls over the included million × $0.0004 = $2,220.00 + 8% = $2,397.60.
      assert.strictEqual(draft.total, 239760n)
      assert.deepStrictEqual(Invoice.reconciliationErrors(draft), [])
    })
  )

  it.effect(
    "an issued invoice's e-mail is its InvoiceText; its audit event names number, total and due date",
    () =>
      Effect.gen(function* () {
        const draft = yield* CustomerPricing.priceFromEvents(customer, period, events, { at })
        const invoice = yield* InvoiceLifecycle.issue(draft, { number: Invoice.formatNumber(2026, 42), at })
        const { notification, audit } = yield* IssueInvoice.issuedRecords(invoice, customer, { at })
        assert.isNotNull(notification)
        assert.strictEqual(notification!.subject, "Invoice INV-2026-000042 for 2026-10")
        assert.strictEqual(notification!.recipient, "billing@acme.test")
        assert.include(notification!.text, InvoiceText.render(invoice, { customerName: customer.name }))
        assert.deepStrictEqual(notification!.data, {
          invoiceId: invoice.id,
          invoiceNumber: "INV-2026-000042"
        })
        assert.strictEqual(audit.action, "invoice.issued")
        assert.deepStrictEqual(audit.payload, {
          number: "INV-2026-000042",
          period: "2026-10",
          currency: "USD",
          total: "239760",
          dueAt: "2026-12-01T00:00:00.000Z",
          notificationId: notification!.id
        })
        const silent = yield* IssueInvoice.issuedRecords(invoice, customer, { at, notify: false })
        assert.isNull(silent.notification)
        assert.strictEqual(silent.audit.payload.notificationId, null)
      })
  )

  it.effect("a customer is priced by the book of its currency, with its terms", () =>
    Effect.gen(function* () {
      const eur = PriceBook.withId(
        PriceBook.withCurrency(PriceBook.referenceCard, "EUR"),
        "card-eur" as never
      )
      const policy = Pricing.withPriceBook(Pricing.referenceCard, eur)
      const european = new Customer.Customer({
        ...customer,
        currency: "EUR",
        terms: {
          coupons: [
            {
              code: "welcome",
              description: "Welcome",
              discount: { _tag: "AmountOff", amount: Decimal.unsafe("20") },
              startPeriod: period,
              duration: { _tag: "Periods", count: 1 }
            }
          ]
        }
      })
      const draft = yield* CustomerPricing.priceFromEvents(european, period, events, { at }).pipe(
        Effect.provideService(Pricing.Pricing, policy)
      )
      // €2,000 + €220 of calls = €2,220; €20 off → €2,200; 8% = €176 → €2,376.00.
      assert.deepStrictEqual(
        [draft.currency, draft.priceBookId, draft.discount, draft.total],
        ["EUR", "card-eur", 2000n, 237600n]
      )
      assert.deepStrictEqual(Invoice.reconciliationErrors(draft), [])
    })
  )

  it.effect("a customer whose currency has no book fails with a typed error", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        CustomerPricing.priceFromEvents(
          new Customer.Customer({ ...customer, currency: "JPY" }),
          period,
          events,
          {
            at
          }
        )
      )
      assert.deepStrictEqual(
        [error._tag, (error as { code?: string }).code],
        ["NoPriceBookForCurrency", "PRICING.NO_BOOK_FOR_CURRENCY"]
      )
    })
  )

  it.effect("a charge priced per transaction is priced from each event of the period", () =>
    Effect.gen(function* () {
      // A negotiated price for API calls: 0.01% of each day's calls + $1 a day, first 30 days free.
      const negotiated = new Customer.Customer({
        ...customer,
        terms: {
          prices: [
            {
              _tag: "NegotiatedUsage",
              charge: "api_calls",
              included: Decimal.zero,
              model: {
                _tag: "Percentage",
                rate: Decimal.unsafe("0.0001"),
                feePerTransaction: Decimal.one,
                freeTransactions: 30
              }
            }
          ]
        }
      })
      const draft = yield* CustomerPricing.priceFromEvents(negotiated, period, events, { at })
      // 31 daily events of 50,000 calls: 30 free, the last pays 50,000 × 0.0001 + 1 = $6.
      const calls = draft.lines.find((l) => l.code === "api_calls")!
      assert.deepStrictEqual(
        [calls.amount, calls.pricing],
        [600n, "negotiated: 0.01% per transaction, + 1 each, first 30 free"]
      )
      assert.strictEqual(draft.subtotal, 200600n)
    })
  )

  it.effect("notification ids are distinct version-4 UUIDs", () =>
    Effect.gen(function* () {
      const ids = yield* Effect.all(Array.from({ length: 200 }, () => Notification.makeId))
      assert.strictEqual(new Set(ids).size, 200)
      for (const id of ids)
        assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    })
  )

  it("the outbox's backoff doubles from its base and stops at its cap", () => {
    const waits = [1, 2, 3, 10, 11, 12].map((n) =>
      Duration.toMillis(Delivery.backoff(Delivery.defaultRetrySchedule, n))
    )
    assert.deepStrictEqual(waits, [60_000, 120_000, 240_000, 21_600_000, 21_600_000, 21_600_000])
  })
})
