/**
 * `Quote.quote` on the reference card's plans with per-customer terms, each case computed by hand
 * in its comments: coupons (percentage, amount, stacking order, durations), a minimum commitment's
 * true-up, negotiated prices and plans, the volume discount after coupons, tax, and the typed
 * errors of bad terms and missing transactions.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import {
  CustomerTerms,
  Decimal,
  Invoice,
  Metric,
  Period,
  PriceBook,
  type PricingModel,
  Quote,
  Tax,
  Usage
} from "../../src/index.ts"

const d = Decimal.unsafe
const book = PriceBook.referenceCard
const october = Schema.decodeSync(Period.Period)("2026-10")
const taxed = { tax: { policy: Tax.referenceCard, profile: {} } } as const

const usage = (figures: Partial<Record<keyof typeof Metric.defaults, string>> = {}) =>
  Usage.metrics(Metric.defaultCatalog, figures)

const coupon = (
  code: string,
  discount: CustomerTerms.CouponDiscount,
  duration: CustomerTerms.CouponDuration = { _tag: "Forever" },
  start = "2026-01"
): CustomerTerms.Coupon => ({
  code,
  description: `coupon ${code}`,
  discount,
  startPeriod: Schema.decodeSync(Period.Period)(start),
  duration
})
const tenPercent = coupon("ten", { _tag: "PercentOff", rate: d("0.1") })
const hundredOff = coupon("hundred", { _tag: "AmountOff", amount: d("100") })

const quote = (
  plan: keyof typeof book.plans,
  terms: CustomerTerms.CustomerTerms,
  figures: Partial<Record<keyof typeof Metric.defaults, string>> = {}
) =>
  Effect.flatMap(usage(figures), (u) =>
    Quote.quote(book.plans[plan], u, { ...Quote.bookSettings(book), ...taxed, terms, period: october })
  )

const money = (q: Quote.Quote) => ({
  subtotal: q.subtotal,
  discount: q.discount,
  taxable: q.taxable,
  tax: q.tax,
  total: q.total
})

// Quotes reconcile like invoices: a quote is the money of an invoice.
const reconciles = (q: Quote.Quote) =>
  assert.deepStrictEqual(
    Invoice.reconciliationErrors({
      ...q,
      id: "00000000-0000-4000-8000-000000000001",
      number: null,
      customerId: "00000000-0000-4000-8000-000000000002",
      plan: "standard",
      period: october,
      priceBookId: book.id,
      status: "draft",
      netDays: 30,
      createdAt: Period.end(october),
      issuedAt: null,
      dueAt: null,
      paidAt: null,
      overdueAt: null,
      cancelledAt: null,
      paymentReference: null,
      cancellationReason: null
    } as Invoice.Invoice),
    []
  )

describe("Quote.quote: a plan, usage and options, with no ids", () => {
  it.effect("the card's standard plan at 30 accounts: $2,000 + 20 × $150 = $5,000, 8% tax, $5,400.00", () =>
    Effect.gen(function* () {
      const q = yield* quote("standard", {}, { accounts: "30" })
      assert.deepStrictEqual(money(q), {
        subtotal: 500000n,
        discount: 0n,
        taxable: 500000n,
        tax: 40000n,
        total: 540000n
      })
      assert.deepStrictEqual(q.discounts, [])
      reconciles(q)
    })
  )

  it.effect("without a tax policy a quote has no tax: $2,000.00", () =>
    Effect.gen(function* () {
      const q = yield* Quote.quote(book.plans.standard, yield* usage(), Quote.bookSettings(book))
      assert.deepStrictEqual([q.tax, q.taxLines, q.total], [0n, [], 200000n])
    })
  )

  it.effect("each line keeps its exact amount and breakdown: 2.02 GB × $0.25 = $0.505 → $0.51", () =>
    Effect.gen(function* () {
      const q = yield* quote("standard", {}, { storage_gb: "102.02" })
      const storage = q.lines.find((l) => l.code === "storage")!
      assert.strictEqual(Decimal.format(storage.preciseAmount!), "0.505")
      assert.strictEqual(storage.amount, 51n)
      assert.deepStrictEqual(
        storage.breakdown.map((r) => [r.kind, Decimal.format(r.units), Decimal.format(r.unitPrice!)]),
        [["units", "2.02", "0.25"]]
      )
    })
  )
})

describe("Quote.quote: coupons", () => {
  it.effect("10% off $5,000 = $500 → $4,500 (under the volume threshold) → tax $360 → $4,860.00", () =>
    Effect.gen(function* () {
      const q = yield* quote("standard", { coupons: [tenPercent] }, { accounts: "30" })
      assert.deepStrictEqual(money(q), {
        subtotal: 500000n,
        discount: 50000n,
        taxable: 450000n,
        tax: 36000n,
        total: 486000n
      })
      assert.deepStrictEqual(
        q.discounts.map((x) => [x.kind, x.code, x.amount]),
        [["coupon", "ten", 50000n]]
      )
      assert.strictEqual(q.discountDescription, "Coupon ten: 10% off (coupon ten)")
      reconciles(q)
    })
  )

  it.effect("coupons stack in the order listed, each on what is left", () =>
    Effect.gen(function* () {
      // 10% of $5,000 = $500 → $4,500; $100 → $4,400; tax 8% = $352 → $4,752.00.
      const a = yield* quote("standard", { coupons: [tenPercent, hundredOff] }, { accounts: "30" })
      assert.deepStrictEqual([a.discount, a.total], [60000n, 475200n])
      // $100 first → $4,900; 10% of $4,900 = $490 → $4,410; tax $352.80 → $4,762.80.
      const b = yield* quote("standard", { coupons: [hundredOff, tenPercent] }, { accounts: "30" })
      assert.deepStrictEqual([b.discount, b.total], [59000n, 476280n])
      assert.deepStrictEqual(
        b.discounts.map((x) => x.amount),
        [10000n, 49000n]
      )
    })
  )

  it.effect("an amount coupon larger than the bill takes the bill to zero, never below", () =>
    Effect.gen(function* () {
      const huge = coupon("huge", { _tag: "AmountOff", amount: d("3000") })
      // $2,000 idle standard; min($3,000, $2,000) = $2,000 off; a second coupon finds nothing left.
      const q = yield* quote("standard", { coupons: [huge, tenPercent] })
      assert.deepStrictEqual(money(q), {
        subtotal: 200000n,
        discount: 200000n,
        taxable: 0n,
        tax: 0n,
        total: 0n
      })
      assert.deepStrictEqual(
        q.discounts.map((x) => x.code),
        ["huge"]
      )
      reconciles(q)
    })
  )

  it.effect("coupons come before the volume discount, which is earned on what is left", () =>
    Effect.gen(function* () {
      // fintech $8,000; 10% = $800 → $7,200; capped 5% of $7,200 = $360 (cap $2,200) → $6,840;
      // tax 8% = $547.20 → $7,387.20.
      const q = yield* quote("fintech", { coupons: [tenPercent] })
      assert.deepStrictEqual(money(q), {
        subtotal: 800000n,
        discount: 116000n,
        taxable: 684000n,
        tax: 54720n,
        total: 738720n
      })
      assert.deepStrictEqual(
        q.discounts.map((x) => [x.kind, x.amount]),
        [
          ["coupon", 80000n],
          ["volume", 36000n]
        ]
      )
      assert.strictEqual(q.lines[0]!.discount, 116000n)
      reconciles(q)
    })
  )

  it("a coupon applies from its start period for its duration", () => {
    const twoMonths = coupon(
      "two",
      { _tag: "PercentOff", rate: d("0.1") },
      { _tag: "Periods", count: 2 },
      "2026-09"
    )
    const at = (p: string) => CustomerTerms.isActive(twoMonths, Schema.decodeSync(Period.Period)(p))
    assert.deepStrictEqual(["2026-08", "2026-09", "2026-10", "2026-11"].map(at), [false, true, true, false])
    const yearEnd = coupon(
      "ye",
      { _tag: "PercentOff", rate: d("0.1") },
      { _tag: "Periods", count: 3 },
      "2026-11"
    )
    assert.isTrue(CustomerTerms.isActive(yearEnd, Schema.decodeSync(Period.Period)("2027-01")))
    assert.isFalse(CustomerTerms.isActive(yearEnd, Schema.decodeSync(Period.Period)("2027-02")))
  })

  it.effect("an expired coupon is not on the quote", () =>
    Effect.gen(function* () {
      const past = coupon(
        "past",
        { _tag: "PercentOff", rate: d("0.5") },
        { _tag: "Periods", count: 1 },
        "2026-01"
      )
      const q = yield* quote("standard", { coupons: [past] })
      assert.deepStrictEqual([q.discount, q.discounts], [0n, []])
    })
  )

  it.effect("terms with coupons need a period: InvalidTerms", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        Quote.quote(book.plans.standard, yield* usage(), {
          ...Quote.bookSettings(book),
          terms: { coupons: [tenPercent] }
        })
      )
      assert.deepStrictEqual(
        [error._tag, error.code, (error as Quote.InvalidTerms).reason],
        ["InvalidTerms", "TERMS.INVALID", "period-required"]
      )
    })
  )
})

describe("Quote.quote: minimum commitment", () => {
  it.effect("an idle standard month against a $3,000 commitment: a $1,000 true-up line → $3,240.00", () =>
    Effect.gen(function* () {
      const q = yield* quote("standard", { commitment: { minimum: d("3000") } })
      // $2,000 of charges < $3,000: true-up $1,000; subtotal $3,000; tax $240.
      assert.deepStrictEqual(money(q), {
        subtotal: 300000n,
        discount: 0n,
        taxable: 300000n,
        tax: 24000n,
        total: 324000n
      })
      const trueUp = q.lines.at(-1)!
      assert.deepStrictEqual(
        [trueUp.kind, trueUp.code, trueUp.amount, trueUp.position],
        ["commitment", "commitment_true_up", 100000n, 8]
      )
      assert.strictEqual(trueUp.description, "Minimum commitment true-up (minimum $3,000.00)")
      reconciles(q)
    })
  )

  it.effect("usage above the commitment: no true-up line", () =>
    Effect.gen(function* () {
      // $2,000 + 10 accounts × $150 = $3,500 ≥ $3,000.
      const q = yield* quote("standard", { commitment: { minimum: d("3000") } }, { accounts: "20" })
      assert.isFalse(q.lines.some((l) => l.kind === "commitment"))
      assert.strictEqual(q.subtotal, 350000n)
    })
  )

  it.effect("the true-up is discounted with the rest: 10% off $3,000 = $300", () =>
    Effect.gen(function* () {
      const q = yield* quote("standard", {
        commitment: { minimum: d("3000"), description: "Committed spend" },
        coupons: [tenPercent]
      })
      assert.deepStrictEqual([q.subtotal, q.discount, q.total], [300000n, 30000n, 291600n])
      assert.strictEqual(q.lines.at(-1)!.description, "Committed spend")
      reconciles(q)
    })
  )
})

describe("Quote.quote: negotiated prices", () => {
  it.effect("accounts at a negotiated $100: 20 over × $100 = $2,000, marked negotiated", () =>
    Effect.gen(function* () {
      const q = yield* quote(
        "standard",
        {
          prices: [
            { _tag: "NegotiatedUsage", charge: "accounts", model: { _tag: "PerUnit", unitPrice: d("100") } }
          ]
        },
        { accounts: "30" }
      )
      const accounts = q.lines.find((l) => l.code === "accounts")!
      assert.deepStrictEqual([accounts.amount, accounts.pricing], [200000n, "negotiated: 100 per unit"])
      assert.strictEqual(q.subtotal, 400000n)
    })
  )

  it.effect("a negotiated platform fee and included quantity", () =>
    Effect.gen(function* () {
      const q = yield* quote(
        "standard",
        {
          prices: [
            { _tag: "NegotiatedFlat", charge: "platform", amount: d("1500") },
            {
              _tag: "NegotiatedUsage",
              charge: "accounts",
              model: { _tag: "PerUnit", unitPrice: d("150") },
              included: d("25")
            }
          ]
        },
        { accounts: "30" }
      )
      // $1,500 + (30 − 25) × $150 = $2,250.
      assert.strictEqual(q.subtotal, 225000n)
      assert.strictEqual(q.lines[0]!.pricing, "negotiated: flat")
    })
  )

  it.effect("a whole negotiated plan replaces the book's plan", () =>
    Effect.gen(function* () {
      const plan: PriceBook.Plan = {
        charges: [
          { _tag: "Flat", code: "enterprise", description: "Enterprise agreement", amount: d("12000") }
        ]
      }
      const q = yield* quote("standard", { plan }, { accounts: "500" })
      assert.deepStrictEqual(
        q.lines.map((l) => [l.code, l.amount, l.pricing]),
        [["enterprise", 1200000n, "negotiated: flat"]]
      )
    })
  )

  it.effect("terms that do not fit the plan are InvalidTerms, naming the charge", () =>
    Effect.gen(function* () {
      const cases: ReadonlyArray<[CustomerTerms.NegotiatedPrice, string]> = [
        [{ _tag: "NegotiatedFlat", charge: "nope", amount: d("1") }, "unknown-charge"],
        [{ _tag: "NegotiatedFlat", charge: "accounts", amount: d("1") }, "flat-price-on-usage-charge"],
        [
          { _tag: "NegotiatedUsage", charge: "platform", model: { _tag: "PerUnit", unitPrice: d("1") } },
          "usage-price-on-flat-charge"
        ],
        [
          {
            _tag: "NegotiatedUsage",
            charge: "accounts",
            model: { _tag: "Percentage", rate: d("0.01"), feePerTransaction: d("1") }
          },
          "included-on-per-transaction-charge"
        ]
      ]
      for (const [price, reason] of cases) {
        const error = yield* Effect.flip(quote("standard", { prices: [price] }))
        assert.deepStrictEqual(
          [error._tag, (error as Quote.InvalidTerms).reason, (error as Quote.InvalidTerms).charge],
          ["InvalidTerms", reason, price.charge]
        )
      }
    })
  )
})

describe("Quote.quote: charges priced per transaction", () => {
  const payments = "payments" as Metric.MetricCode
  const card: PricingModel.PricingModel = {
    _tag: "Percentage",
    rate: d("0.029"),
    feePerTransaction: d("0.30"),
    freeTransactions: 1
  }
  const plan: PriceBook.Plan = {
    charges: [
      {
        _tag: "Usage",
        code: "processing",
        description: "Card processing",
        metric: payments,
        included: d("0"),
        model: card
      }
    ]
  }
  const totals = (total: string): Usage.Metrics => new Map([[payments, d(total)]])

  it.effect("prices each transaction: the first free, then 2.9% + $0.30 each", () =>
    Effect.gen(function* () {
      // 100 free; 50 → 1.45 + 0.30 = 1.75; 20 → 0.58 + 0.30 = 0.88. Total $2.63.
      const q = yield* Quote.quote(plan, totals("170"), {
        currency: "USD",
        transactions: new Map([[payments, [d("100"), d("50"), d("20")]]])
      })
      const line = q.lines[0]!
      assert.deepStrictEqual(
        [line.amount, Decimal.format(line.billable), Decimal.format(line.quantity)],
        [263n, "70", "170"]
      )
    })
  )

  it.effect(
    "without the transactions, or with transactions that do not add up: TransactionsUnavailable",
    () =>
      Effect.gen(function* () {
        const missing = yield* Effect.flip(Quote.quote(plan, totals("170"), { currency: "USD" }))
        assert.deepStrictEqual(
          [missing._tag, (missing as Quote.TransactionsUnavailable).reason],
          ["TransactionsUnavailable", "missing"]
        )
        const off = yield* Effect.flip(
          Quote.quote(plan, totals("170"), {
            currency: "USD",
            transactions: new Map([[payments, [d("100")]]])
          })
        )
        assert.deepStrictEqual(
          [(off as Quote.TransactionsUnavailable).reason, off.code],
          ["do-not-add-up", "PRICING.TRANSACTIONS_UNAVAILABLE"]
        )
      })
  )

  it("a usage charge priced per transaction may not have an included quantity", () => {
    const error = Effect.runSync(
      Effect.flip(
        PriceBook.decode({
          ...Schema.encodeSync(PriceBook.PriceBook)(book),
          plans: {
            ...Schema.encodeSync(PriceBook.PriceBook)(book).plans,
            standard: {
              ...Schema.encodeSync(PriceBook.PriceBook)(book).plans.standard,
              charges: [
                {
                  _tag: "Usage",
                  code: "processing",
                  description: "Card processing",
                  metric: "payments",
                  included: "100",
                  model: { _tag: "Percentage", rate: "0.029", feePerTransaction: "0.30" }
                }
              ]
            }
          }
        })
      )
    )
    assert.match(error.message, /priced per transaction has no included quantity/)
  })

  it("the metrics whose transactions a customer's pricing needs", () => {
    assert.deepStrictEqual([...Quote.transactionMetrics(plan, {})], [payments])
    assert.deepStrictEqual([...Quote.transactionMetrics(book.plans.standard, {})], [])
    const negotiated = Quote.transactionMetrics(book.plans.standard, {
      prices: [{ _tag: "NegotiatedUsage", charge: "api_calls", model: card }]
    })
    assert.deepStrictEqual([...negotiated], ["api_calls"])
  })
})
