/**
 * `Repricing.diff`: each customer's month under the current and a proposed policy, computed by
 * hand: a standard platform fee raised $2,000 → $2,200, a gov-federal one lowered $25,000 →
 * $24,000, an unchanged fintech plan, and a customer no policy can price.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import { Customer, Decimal, type Ids, Period, PriceBook, Pricing, Repricing } from "../../src/index.ts"

const period = Schema.decodeSync(Period.Period)("2026-10")
const customer = (
  n: number,
  plan: Customer.Customer["plan"],
  currency: Customer.Customer["currency"] = "USD"
) =>
  new Customer.Customer({
    id: `0b7c2a4e-3f1d-4c55-9a1e-00000000d00${n}` as Ids.CustomerId,
    name: `Customer ${n}`,
    email: `c${n}@example.test`,
    plan,
    status: "active",
    taxProfile: {},
    netDays: 30,
    currency
  })
const platform = (amount: string) => ({
  _tag: "Flat" as const,
  code: "platform",
  description: "Platform subscription",
  amount: Decimal.unsafe(amount)
})
const proposedBook = Effect.runSync(
  PriceBook.withCharge(
    PriceBook.withId(PriceBook.referenceCard, "securebase-2027" as never),
    "standard",
    platform("2200")
  ).pipe(Effect.flatMap((book) => PriceBook.withCharge(book, "gov-federal", platform("24000"))))
)
const proposed = Pricing.withPriceBook(Pricing.referenceCard, proposedBook)
const months = [
  customer(1, "standard"),
  customer(2, "fintech"),
  customer(3, "gov-federal"),
  customer(4, "standard", "JPY")
].map((c) => ({ customer: c, events: [] }))

describe("Repricing.diff", () => {
  it.effect("reports each customer's old and new totals, and a summary", () =>
    Effect.gen(function* () {
      const d = yield* Repricing.diff(period, months, proposed)
      assert.deepStrictEqual(
        d.customers.map((c) => [c.customer.name, c.oldTotal, c.newTotal, c.delta, c.change, c.failure]),
        [
          // $2,000 + 8% = $2,160.00 → $2,200 + 8% = $2,376.00: +$216.00.
          ["Customer 1", 216000n, 237600n, 21600n, "up", null],
          // $8,000 − 5% + 8% = $8,208.00 both times.
          ["Customer 2", 820800n, 820800n, 0n, "unchanged", null],
          // $25,000 − $1,250 + 8% = $25,650.00 → $24,000 − $1,200 + 8% = $24,624.00: −$1,026.00.
          ["Customer 3", 2565000n, 2462400n, -102600n, "down", null],
          ["Customer 4", null, null, null, "failed", "current: PRICING.NO_BOOK_FOR_CURRENCY"]
        ]
      )
      // Revenue before tax: $2,000 + $7,600 + $23,750 = $33,350 → $2,200 + $7,600 + $22,800 = $32,600.
      assert.deepStrictEqual(d.summary, {
        customers: 4,
        up: 1,
        down: 1,
        unchanged: 1,
        failed: 1,
        revenue: [{ currency: "USD", old: 3335000n, new: 3260000n, delta: -75000n }]
      })
      const text = Repricing.render(d)
      assert.include(
        text,
        "Customer 1 (0b7c2a4e-3f1d-4c55-9a1e-00000000d001): $2,160.00 -> $2,376.00  +$216.00"
      )
      assert.include(
        text,
        "Customer 3 (0b7c2a4e-3f1d-4c55-9a1e-00000000d003): $25,650.00 -> $24,624.00  -$1,026.00"
      )
      assert.include(text, "4 customers: 1 up, 1 down, 1 unchanged, 1 failed")
      assert.include(text, "revenue before tax (USD): $33,350.00 -> $32,600.00  -$750.00")
    })
  )

  it.effect("a customer only the proposed policy cannot price is failed, naming the side", () =>
    Effect.gen(function* () {
      const onlyEuro = yield* Pricing.make({
        priceBooks: [PriceBook.withCurrency(PriceBook.referenceCard, "EUR")]
      })
      const d = yield* Repricing.diff(period, months.slice(0, 1), onlyEuro)
      assert.deepStrictEqual(
        d.customers.map((c) => [c.change, c.failure]),
        [["failed", "proposed: PRICING.NO_BOOK_FOR_CURRENCY"]]
      )
      assert.deepStrictEqual(d.summary.revenue, [])
    })
  )
})
