/**
 * Laws of the pricing models, over generated models and quantities: what each model promises
 * (linear, monotone, whole packages, clamped percentages) and how they relate to each other.
 */
import { assert, describe, it } from "@effect/vitest"
import { Arbitrary, BigDecimal } from "effect"
import { Breakdown, PricingModel } from "../../src/index.ts"
import { DecimalArbitrary, PricingArbitrary, Primitives, UsageArbitrary } from "../../src/testing/index.ts"

const runs = { arbitrary: { runs: 200 } }
const { quantity } = DecimalArbitrary
const price = PricingModel.price
const eq = (a: BigDecimal.BigDecimal, b: BigDecimal.BigDecimal) =>
  assert.isTrue(BigDecimal.equals(a, b), `${BigDecimal.format(a)} ≠ ${BigDecimal.format(b)}`)
const le = (a: BigDecimal.BigDecimal, b: BigDecimal.BigDecimal) =>
  assert.isTrue(BigDecimal.isLessThanOrEqualTo(a, b), `${BigDecimal.format(a)} > ${BigDecimal.format(b)}`)

describe("laws: PricingModel.price", () => {
  it.prop(
    "zero units cost zero under every model",
    { model: PricingArbitrary.pricingModel },
    ({ model }) => eq(price(model, BigDecimal.fromBigInt(0n)), BigDecimal.fromBigInt(0n)),
    runs
  )

  it.prop(
    "per-unit is linear: price(a + b) = price(a) + price(b)",
    { model: PricingArbitrary.perUnitModel, a: quantity, b: quantity },
    ({ model, a, b }) =>
      eq(price(model, BigDecimal.sum(a, b)), BigDecimal.sum(price(model, a), price(model, b))),
    runs
  )

  it.prop(
    "graduated with one band equals volume with the same band",
    { bands: PricingArbitrary.bands({ maxBands: 1 }), q: quantity },
    ({ bands, q }) => eq(price({ _tag: "Graduated", bands }, q), price({ _tag: "Volume", bands }, q)),
    runs
  )

  it.prop(
    "graduated, per-unit, package and percentage are monotone: more units never cost less",
    {
      model: Arbitrary.filter(PricingArbitrary.pricingModel, (m) => m._tag !== "Volume"),
      a: quantity,
      extra: quantity
    },
    ({ model, a, extra }) => le(price(model, a), price(model, BigDecimal.sum(a, extra))),
    runs
  )

  it.prop(
    "graduated never charges less than its cheapest band nor more than its dearest, per unit (fees aside)",
    { bands: PricingArbitrary.bands(), q: quantity },
    ({ bands, q }) => {
      const noFees = bands.map((b) => ({ upTo: b.upTo, unitPrice: b.unitPrice }))
      const prices = noFees.map((b) => b.unitPrice)
      const p = price({ _tag: "Graduated", bands: noFees }, q)
      le(
        BigDecimal.multiply(
          q,
          prices.reduce((a, b) => BigDecimal.min(a, b))
        ),
        p
      )
      le(
        p,
        BigDecimal.multiply(
          q,
          prices.reduce((a, b) => BigDecimal.max(a, b))
        )
      )
    },
    runs
  )

  it.prop(
    "package price is a whole number of packages and never below per-unit at price / size",
    { model: PricingArbitrary.packageModel, q: quantity },
    ({ model, q }) => {
      if (model._tag !== "Package") return
      const p = price(model, q)
      const packages = BigDecimal.isZero(model.price)
        ? BigDecimal.fromBigInt(0n)
        : BigDecimal.divideUnsafe(p, model.price)
      assert.isTrue(BigDecimal.isInteger(packages), "a fraction of a package")
      le(BigDecimal.divideUnsafe(BigDecimal.multiply(q, model.price), model.size), p)
      // ...and at most one package more than the exact proportion.
      le(
        p,
        BigDecimal.sum(BigDecimal.divideUnsafe(BigDecimal.multiply(q, model.price), model.size), model.price)
      )
    },
    runs
  )

  it.prop(
    "percentage respects its minimum and maximum once there is usage, and is rate × quantity between them",
    {
      model: PricingArbitrary.percentageModel,
      q: DecimalArbitrary.positive({ max: "1000000", maxScale: 3 })
    },
    ({ model, q }) => {
      if (model._tag !== "Percentage") return
      const p = price(model, q)
      if (model.minimum !== undefined) le(model.minimum, p)
      if (model.maximum !== undefined) le(p, model.maximum)
      const raw = BigDecimal.multiply(q, model.rate)
      const inside =
        (model.minimum === undefined || BigDecimal.isGreaterThanOrEqualTo(raw, model.minimum)) &&
        (model.maximum === undefined || BigDecimal.isLessThanOrEqualTo(raw, model.maximum))
      if (inside) eq(p, raw)
    },
    runs
  )
})

describe("laws: breakdowns and per-transaction pricing", () => {
  const sumOf = (xs: ReadonlyArray<BigDecimal.BigDecimal>) =>
    xs.reduce((a, x) => BigDecimal.sum(a, x), BigDecimal.fromBigInt(0n))

  it.prop(
    "every model's breakdown adds up exactly to its price",
    {
      model: Primitives.oneOf(PricingArbitrary.pricingModel, PricingArbitrary.perTransactionModel),
      q: quantity
    },
    ({ model, q }) => {
      const p = PricingModel.priceDetailed(model, q)
      eq(Breakdown.total(p.breakdown), p.amount)
      eq(p.amount, price(model, q))
    },
    runs
  )

  it.prop(
    "per transaction: a transaction added anywhere in the period never lowers the price",
    {
      model: PricingArbitrary.perTransactionModel,
      transactions: UsageArbitrary.transactionList(),
      extra: DecimalArbitrary.decimal({ max: "10000", maxScale: 2 }),
      at: Primitives.int(0, 20)
    },
    ({ model, transactions, extra, at }) => {
      if (model._tag !== "Percentage") return
      const i = Math.min(at, transactions.length)
      const more = [...transactions.slice(0, i), extra, ...transactions.slice(i)]
      le(
        PricingModel.priceTransactions(model, transactions).amount,
        PricingModel.priceTransactions(model, more).amount
      )
      const p = PricingModel.priceTransactions(model, more)
      eq(Breakdown.total(p.breakdown), p.amount)
    },
    runs
  )

  it.prop(
    "per transaction with no fee, no free units and no per-transaction clamp is the period percentage of the sum",
    { model: PricingArbitrary.percentageModel, transactions: UsageArbitrary.transactionList() },
    ({ model, transactions }) => {
      if (model._tag !== "Percentage") return
      // A zero fee makes the model per-transaction without changing what it charges.
      const perTransaction = { ...model, feePerTransaction: BigDecimal.fromBigInt(0n) }
      eq(
        PricingModel.priceTransactions(perTransaction, transactions).amount,
        price(model, sumOf(transactions))
      )
    },
    runs
  )

  it.prop(
    "per transaction, each paid transaction costs between its minimum and maximum",
    { model: PricingArbitrary.perTransactionModel, transactions: UsageArbitrary.transactionList() },
    ({ model, transactions }) => {
      if (model._tag !== "Percentage" || model.maximum !== undefined) return
      const n = BigInt(transactions.length)
      const p = PricingModel.priceTransactions(model, transactions).amount
      if (model.maximumPerTransaction !== undefined)
        le(p, BigDecimal.multiply(model.maximumPerTransaction, BigDecimal.fromBigInt(n)))
      le(BigDecimal.fromBigInt(0n), p)
    },
    runs
  )
})
