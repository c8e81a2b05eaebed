/**
 * Per-transaction percentage pricing (Lago's percentage charge model), on cases computed by hand:
 * the expected values of Lago's own `percentage_service_spec.rb` (rate 1.3%, a 2.00 fee, 3 free
 * transactions and 250 free, transactions 50, 100, 250 and 400), and per-transaction minimums and
 * maximums. Each case shows its arithmetic. Breakdown rows add up to the price exactly.
 */
import { assert, describe, it } from "@effect/vitest"
import { BigDecimal, Effect, Schema } from "effect"
import { Breakdown, Decimal, PricingModel } from "../../src/index.ts"

const d = Decimal.unsafe
const txs = (...xs: ReadonlyArray<string>) => xs.map(d)
const lago = ["50", "100", "250", "400"] as const

const percentage = (fields: Partial<Omit<PricingModel.Percentage, "_tag">>): PricingModel.Percentage => ({
  _tag: "Percentage",
  rate: d("0.013"),
  ...fields
})

const priced = (model: PricingModel.Percentage, transactions: ReadonlyArray<string>) => {
  const p = PricingModel.priceTransactions(model, txs(...transactions))
  // Every breakdown adds up to its price, exactly.
  assert.isTrue(BigDecimal.equals(Breakdown.total(p.breakdown), p.amount), "breakdown adds up")
  return p
}
const amountOf = (model: PricingModel.Percentage, transactions: ReadonlyArray<string>) =>
  Decimal.format(priced(model, transactions).amount)

describe("PricingModel.priceTransactions: Lago's percentage spec", () => {
  it("a 2.00 fee, 3 free transactions and 250 free: (800 − 250) × 1.3% + 2 paid × 2.00 = 11.15", () => {
    // 50 and 100 fit in the 250 free (100 left); 250 does not: it pays on 250 − 100 = 150 and ends
    // the free phase. Paid: 150 + 400 = 550 × 0.013 = 7.15, fees 2 × 2.00 = 4.00.
    const model = percentage({ feePerTransaction: d("2"), freeTransactions: 3, freeAmount: d("250") })
    assert.strictEqual(amountOf(model, lago), "11.15")
    assert.deepStrictEqual(
      priced(model, lago).breakdown.map((r) => [r.kind, Decimal.format(r.units), Decimal.format(r.amount)]),
      [
        ["free", "250", "0"],
        ["rate", "550", "7.15"],
        ["fees", "2", "4"]
      ]
    )
  })

  it("without free transactions, the same 250 free: 11.15", () => {
    assert.strictEqual(
      amountOf(percentage({ feePerTransaction: d("2"), freeAmount: d("250") }), lago),
      "11.15"
    )
  })

  it("3 free transactions, no free amount: (800 − 400) × 1.3% + 1 × 2.00 = 7.20", () => {
    // 50, 100 and 250 are free; 400 pays 5.20 + 2.00.
    assert.strictEqual(amountOf(percentage({ feePerTransaction: d("2"), freeTransactions: 3 }), lago), "7.2")
  })

  it("no free units: 800 × 1.3% + 4 × 2.00 = 18.40", () => {
    assert.strictEqual(amountOf(percentage({ feePerTransaction: d("2") }), lago), "18.4")
  })

  it("500 free but only 3 free transactions: the count ends the free phase first, 7.20", () => {
    // 50, 100, 250 are free (100 of the 500 left unused); 400 pays 5.20 + 2.00.
    const model = percentage({ feePerTransaction: d("2"), freeTransactions: 3, freeAmount: d("500") })
    assert.strictEqual(amountOf(model, lago), "7.2")
  })

  it("more free transactions than transactions: 0", () => {
    assert.strictEqual(amountOf(percentage({ freeTransactions: 5 }), ["50", "100", "250"]), "0")
  })

  it("a zero rate with a 2.00 fee: 4 × 2.00 = 8.00", () => {
    assert.strictEqual(amountOf(percentage({ rate: d("0"), feePerTransaction: d("2") }), lago), "8")
  })

  it("no transactions cost nothing, with an empty breakdown", () => {
    const p = priced(percentage({ feePerTransaction: d("2"), minimumPerTransaction: d("1") }), [])
    assert.strictEqual(Decimal.format(p.amount), "0")
    assert.deepStrictEqual(p.breakdown, [])
  })

  it("regression: transactions that all carry nothing are no usage, so the period minimum does not bite (a law found it)", () => {
    // As a quantity priced whole: 0 × rate with a $1 minimum per period is 0, not 1.
    const model = percentage({ rate: d("0"), minimum: d("1"), feePerTransaction: d("0") })
    assert.strictEqual(amountOf(model, ["0"]), "0")
    assert.strictEqual(amountOf(model, ["0", "0"]), "0")
    // One transaction with an amount is usage: the minimum applies.
    assert.strictEqual(amountOf(model, ["0", "5"]), "1")
  })
})

describe("PricingModel.priceTransactions: per-transaction minimum and maximum", () => {
  // 1% + 0.30 per transaction, at least 0.50 and at most 5.00 each.
  const card = percentage({
    rate: d("0.01"),
    feePerTransaction: d("0.30"),
    minimumPerTransaction: d("0.50"),
    maximumPerTransaction: d("5")
  })

  it("10, 100 and 1,000: 0.40 → 0.50, 1.30, 10.30 → 5.00; 6.80 in all", () => {
    assert.strictEqual(amountOf(card, ["10", "100", "1000"]), "6.8")
    // rate 1,110 × 1% = 11.10, fees 3 × 0.30 = 0.90, minimum +0.10, maximum −5.30: 6.80.
    assert.deepStrictEqual(
      priced(card, ["10", "100", "1000"]).breakdown.map((r) => [
        r.kind,
        r.description,
        Decimal.format(r.amount)
      ]),
      [
        ["rate", "rate of 3 paid transactions", "11.1"],
        ["fees", "fee per transaction", "0.9"],
        ["adjustment", "minimum per transaction", "0.1"],
        ["adjustment", "maximum per transaction", "-5.3"]
      ]
    )
  })

  it("the same transaction in another order costs the same without a free phase", () => {
    assert.strictEqual(amountOf(card, ["1000", "10", "100"]), "6.8")
  })

  it("a free amount used up partway: 100 free, transactions 60 and 70 pay on 0 and 30", () => {
    // 60 is free (40 left); 70 pays on 70 − 40 = 30: 0.30 + 0.30 = 0.60 ≥ 0.50. Total 0.60.
    assert.strictEqual(amountOf({ ...card, freeAmount: d("100") }, ["60", "70"]), "0.6")
  })

  it("a transaction exactly equal to what is left of the free amount is free whole (Lago charges its fee)", () => {
    // 40 + 60 = 100 free: both free; Lago would charge 60's fee on a zero amount (0.30 → min 0.50).
    assert.strictEqual(amountOf({ ...card, freeAmount: d("100") }, ["40", "60"]), "0")
  })

  it("a zero free count or amount means none free", () => {
    assert.strictEqual(
      amountOf({ ...card, freeTransactions: 0, freeAmount: d("0") }, ["10"]),
      amountOf(card, ["10"])
    )
  })

  it("the period's minimum and maximum apply to the sum: at most 6.00 a month", () => {
    const capped = { ...card, maximum: d("6") }
    assert.strictEqual(amountOf(capped, ["10", "100", "1000"]), "6")
    assert.strictEqual(amountOf({ ...card, minimum: d("10") }, ["10"]), "10")
  })
})

describe("PricingModel: schema and descriptions", () => {
  const decode = (model: unknown) =>
    Effect.runSync(Effect.flip(Schema.decodeUnknownEffect(PricingModel.PricingModel)(model))).message

  it("refuses a per-transaction minimum above the maximum, and a negative free count", () => {
    assert.match(
      decode({ _tag: "Percentage", rate: "0.01", minimumPerTransaction: "5", maximumPerTransaction: "1" }),
      /minimumPerTransaction must not exceed maximumPerTransaction/
    )
    assert.match(decode({ _tag: "Percentage", rate: "0.01", freeTransactions: -1 }), /0/)
  })

  it("refuses a rate written as a percentage: 1.3 is not 1.3%", () => {
    assert.match(decode({ _tag: "Percentage", rate: "1.3" }), /fraction: 0\.08 is 8%/)
  })

  it("describes a per-transaction percentage with all its terms", () => {
    assert.strictEqual(
      PricingModel.describe(
        percentage({ feePerTransaction: d("0.3"), maximumPerTransaction: d("5"), freeTransactions: 10 })
      ),
      "1.3% per transaction, + 0.3 each, max 5 each, first 10 free"
    )
    assert.isTrue(PricingModel.isPerTransaction(percentage({ freeAmount: d("1") })))
    assert.isFalse(PricingModel.isPerTransaction(percentage({ minimum: d("1") })))
  })

  it("a per-transaction model priced from a quantity alone sees one transaction", () => {
    const model = percentage({ feePerTransaction: d("2") })
    assert.strictEqual(Decimal.format(PricingModel.price(model, d("100"))), "3.3")
  })
})

describe("PricingModel.priceDetailed: breakdowns", () => {
  it("graduated: one row per band entered, with its fee", () => {
    const p = PricingModel.priceDetailed(
      {
        _tag: "Graduated",
        bands: [
          { upTo: d("100"), unitPrice: d("1") },
          { upTo: d("200"), unitPrice: d("0.5"), flatFee: d("10") },
          { upTo: null, unitPrice: d("0.1") }
        ]
      },
      d("150")
    )
    // 100 × 1 + (50 × 0.5 + 10) = 135; the third band is not entered.
    assert.strictEqual(Decimal.format(p.amount), "135")
    assert.deepStrictEqual(
      p.breakdown.map((r) => [
        r.description,
        r.from && Decimal.format(r.from),
        r.to && Decimal.format(r.to),
        Decimal.format(r.units),
        Decimal.format(r.amount)
      ]),
      [
        ["band 1", "0", "100", "100", "100"],
        ["band 2", "100", "200", "50", "35"]
      ]
    )
  })

  it("volume: one row, every unit at the band the total falls in", () => {
    const p = PricingModel.priceDetailed(
      {
        _tag: "Volume",
        bands: [
          { upTo: d("100"), unitPrice: d("1") },
          { upTo: null, unitPrice: d("0.5"), flatFee: d("3") }
        ]
      },
      d("150")
    )
    // 150 × 0.5 + 3 = 78.
    assert.strictEqual(Decimal.format(p.amount), "78")
    assert.deepStrictEqual(
      p.breakdown.map((r) => [r.kind, Decimal.format(r.units), r.to]),
      [["band", "150", null]]
    )
  })

  it("package: the count of started packages at the package price", () => {
    const p = PricingModel.priceDetailed({ _tag: "Package", size: d("100"), price: d("50") }, d("101"))
    assert.deepStrictEqual(
      p.breakdown.map((r) => [
        r.kind,
        Decimal.format(r.units),
        Decimal.format(r.unitPrice!),
        Decimal.format(r.amount)
      ]),
      [["packages", "2", "50", "100"]]
    )
  })

  it("percentage per period: the rate row and the minimum's adjustment", () => {
    const p = PricingModel.priceDetailed({ _tag: "Percentage", rate: d("0.02"), minimum: d("5") }, d("100"))
    // 100 × 2% = 2, raised to the 5 minimum: +3.
    assert.deepStrictEqual(
      p.breakdown.map((r) => [r.kind, Decimal.format(r.amount)]),
      [
        ["rate", "2"],
        ["adjustment", "3"]
      ]
    )
  })
})
