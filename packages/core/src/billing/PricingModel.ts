/**
 * Pricing models as a tagged union, each priced by a pure function from a billable quantity to an
 * exact decimal amount in major units. Nothing here rounds: the invoice rounds each line once, by
 * the price book's named mode.
 *
 * - `PerUnit`: quantity × unit price.
 * - `Package`: whole packages of `size` units (a started package is charged in full).
 * - `Graduated`: each unit priced by the band it falls in (tax-bracket style); a band's flat fee is
 *   charged once the band holds any unit.
 * - `Volume`: every unit priced by the one band the total quantity falls in, plus that band's flat
 *   fee. Volume pricing can make more units cost less at a band edge; that is the model, not a bug.
 * - `Percentage`: a rate (a fraction: `"0.013"` is 1.3%) of a monetary metric (say, payment
 *   volume), with an optional minimum and maximum charge per period once there is any usage. With
 *   any of its per-transaction fields (Lago's percentage model: a fee, a minimum and a maximum per
 *   transaction, the first N transactions free, a free amount) it is priced transaction by
 *   transaction, from each event's quantity: see {@link priceTransactions}.
 *
 * Bands cover (previous `upTo`, `upTo`]; the last band has `upTo: null` (unbounded).
 *
 * Every price comes with its breakdown ({@link priceDetailed}): the rows whose exact amounts add up
 * to the price, which an invoice line keeps to explain itself.
 */
import { BigDecimal, Schema } from "effect"
import * as Decimal from "../money/Decimal.ts"
import { NonNegativeDecimal, PositiveDecimal, Rate } from "../money/Decimal.ts"
import * as Breakdown from "./Breakdown.ts"

/** One band of a graduated or volume model. */
export const Band = Schema.Struct({
  upTo: Schema.NullOr(PositiveDecimal),
  unitPrice: NonNegativeDecimal,
  flatFee: Schema.optionalKey(NonNegativeDecimal)
})
export type Band = typeof Band.Type

const validBands = Schema.makeFilter<ReadonlyArray<Band>>((bands) => {
  if (bands.length === 0) return "needs at least one band"
  for (let i = 0; i < bands.length; i++) {
    const upTo = bands[i]!.upTo
    const last = i === bands.length - 1
    if (last && upTo !== null) return "the last band must be unbounded (upTo: null)"
    if (!last && upTo === null) return "only the last band may be unbounded"
    const prev = i > 0 ? bands[i - 1]!.upTo : null
    if (upTo !== null && prev !== null && !BigDecimal.isGreaterThan(upTo, prev)) {
      return "band limits (upTo) must strictly increase"
    }
  }
  return undefined
})

/** Bands in order, the last unbounded. */
export const Bands = Schema.Array(Band).check(validBands)

/** quantity × unitPrice. */
export const PerUnit = Schema.TaggedStruct("PerUnit", { unitPrice: NonNegativeDecimal })
/** ⌈quantity / size⌉ × price. */
export const Package = Schema.TaggedStruct("Package", {
  size: PositiveDecimal.check(
    Schema.makeFilter(
      (d: BigDecimal.BigDecimal) => BigDecimal.isInteger(d) || "package size must be whole units"
    )
  ),
  price: NonNegativeDecimal
})
/** Each unit at its own band's price. */
export const Graduated = Schema.TaggedStruct("Graduated", { bands: Bands })
/** All units at the price of the band the total falls in. */
export const Volume = Schema.TaggedStruct("Volume", { bands: Bands })
const ordered = (low: BigDecimal.BigDecimal | undefined, high: BigDecimal.BigDecimal | undefined): boolean =>
  low === undefined || high === undefined || BigDecimal.isLessThanOrEqualTo(low, high)

/**
 * rate × quantity, clamped to [minimum, maximum] per period once there is usage. `rate` is a
 * FRACTION (`"0.013"` is 1.3%). The per-transaction fields make it priced transaction by
 * transaction (see {@link priceTransactions}); a charge with them needs each event's quantity.
 */
export const Percentage = Schema.TaggedStruct("Percentage", {
  rate: Rate,
  /** The least charge of a period with usage (major units). */
  minimum: Schema.optionalKey(NonNegativeDecimal),
  /** The most charge of a period (major units). */
  maximum: Schema.optionalKey(NonNegativeDecimal),
  /** A fixed fee added to every paid transaction (Lago's `fixed_amount`). */
  feePerTransaction: Schema.optionalKey(NonNegativeDecimal),
  /** The least charge of a paid transaction, fee included (`per_transaction_min_amount`). */
  minimumPerTransaction: Schema.optionalKey(NonNegativeDecimal),
  /** The most charge of a paid transaction, fee included (`per_transaction_max_amount`). */
  maximumPerTransaction: Schema.optionalKey(NonNegativeDecimal),
  /** The period's first N transactions are free (`free_units_per_events`). */
  freeTransactions: Schema.optionalKey(Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))),
  /**
   * An amount of the period's first transactions that is free (`free_units_per_total_aggregation`),
   * used up by whole transactions: see {@link priceTransactions}.
   */
  freeAmount: Schema.optionalKey(NonNegativeDecimal)
}).check(
  Schema.makeFilter(
    (p: {
      readonly minimum?: BigDecimal.BigDecimal
      readonly maximum?: BigDecimal.BigDecimal
      readonly minimumPerTransaction?: BigDecimal.BigDecimal
      readonly maximumPerTransaction?: BigDecimal.BigDecimal
    }) => {
      if (!ordered(p.minimum, p.maximum)) return "minimum must not exceed maximum"
      if (!ordered(p.minimumPerTransaction, p.maximumPerTransaction))
        return "minimumPerTransaction must not exceed maximumPerTransaction"
      return undefined
    }
  )
)
export type Percentage = typeof Percentage.Type

/** The pricing models. */
export const PricingModel = Schema.Union([PerUnit, Package, Graduated, Volume, Percentage]).annotate({
  identifier: "PricingModel"
})
export type PricingModel = typeof PricingModel.Type

const { multiply, sum, subtract, min, max, isGreaterThan, isZero, isLessThanOrEqualTo } = BigDecimal

const ceilDiv = (q: BigDecimal.BigDecimal, size: BigDecimal.BigDecimal): BigDecimal.BigDecimal =>
  BigDecimal.ceil(BigDecimal.divideUnsafe(q, size))

/** A price and the breakdown whose amounts add up to it exactly. */
export interface Priced {
  readonly amount: BigDecimal.BigDecimal
  readonly breakdown: Breakdown.Breakdown
}

const nothing: Priced = { amount: Decimal.zero, breakdown: [] }

/** Whether a model is priced transaction by transaction (a percentage with per-transaction fields). */
export const isPerTransaction = (model: PricingModel): boolean =>
  model._tag === "Percentage" &&
  (model.feePerTransaction !== undefined ||
    model.minimumPerTransaction !== undefined ||
    model.maximumPerTransaction !== undefined ||
    model.freeTransactions !== undefined ||
    model.freeAmount !== undefined)

// Labels are short and fixed: the numbers are in the row's fields, and renderers format them
// (formatting them here for every line priced would cost more than the pricing).

// The period's minimum and maximum of a percentage, as an adjustment row when they bite.
const clampPeriod = (model: Percentage, priced: Priced): Priced => {
  let amount = priced.amount
  if (model.minimum !== undefined) amount = max(amount, model.minimum)
  if (model.maximum !== undefined) amount = min(amount, model.maximum)
  const adjustment = subtract(amount, priced.amount)
  if (isZero(adjustment)) return priced
  const which = BigDecimal.isPositive(adjustment) ? "minimum" : "maximum"
  return {
    amount,
    breakdown: [
      ...priced.breakdown,
      Breakdown.row("adjustment", `${which} per period`, { units: Decimal.one, amount: adjustment })
    ]
  }
}

/**
 * The exact price (major units, unrounded) of `quantity` billable units under a model, with its
 * breakdown. Zero units always cost zero, with an empty breakdown. A per-transaction model priced
 * from a quantity alone sees it as one transaction; invoices price such models from the events
 * ({@link priceTransactions}).
 */
export const priceDetailed = (model: PricingModel, quantity: BigDecimal.BigDecimal): Priced => {
  if (isZero(quantity)) return nothing
  switch (model._tag) {
    case "PerUnit": {
      const amount = multiply(quantity, model.unitPrice)
      return {
        amount,
        breakdown: [Breakdown.row("units", "units", { units: quantity, unitPrice: model.unitPrice, amount })]
      }
    }
    case "Package": {
      const packages = ceilDiv(quantity, model.size)
      const amount = multiply(packages, model.price)
      return {
        amount,
        breakdown: [
          Breakdown.row("packages", `started packages of ${Decimal.format(model.size)} units`, {
            units: packages,
            unitPrice: model.price,
            amount
          })
        ]
      }
    }
    case "Graduated": {
      let total = Decimal.zero
      let lower = Decimal.zero
      const rows: Array<Breakdown.BreakdownRow> = []
      for (const [i, band] of model.bands.entries()) {
        if (!isGreaterThan(quantity, lower)) break
        const upper = band.upTo === null ? quantity : min(quantity, band.upTo)
        const units = subtract(upper, lower)
        const amount = sum(multiply(units, band.unitPrice), band.flatFee ?? Decimal.zero)
        total = sum(total, amount)
        rows.push(
          Breakdown.row("band", `band ${i + 1}`, {
            from: lower,
            to: band.upTo,
            units,
            unitPrice: band.unitPrice,
            flatFee: band.flatFee,
            amount
          })
        )
        if (band.upTo === null) break
        lower = band.upTo
      }
      return { amount: total, breakdown: rows }
    }
    case "Volume": {
      const index = model.bands.findIndex((b) => b.upTo === null || isLessThanOrEqualTo(quantity, b.upTo))
      const band = model.bands[index]!
      const from = index === 0 ? Decimal.zero : model.bands[index - 1]!.upTo!
      const amount = sum(multiply(quantity, band.unitPrice), band.flatFee ?? Decimal.zero)
      return {
        amount,
        breakdown: [
          Breakdown.row("band", `band ${index + 1}, every unit`, {
            from,
            to: band.upTo,
            units: quantity,
            unitPrice: band.unitPrice,
            flatFee: band.flatFee,
            amount
          })
        ]
      }
    }
    case "Percentage": {
      if (isPerTransaction(model)) return priceTransactions(model, [quantity])
      const amount = multiply(quantity, model.rate)
      return clampPeriod(model, {
        amount,
        breakdown: [
          Breakdown.row("rate", "rate of the amount", { units: quantity, unitPrice: model.rate, amount })
        ]
      })
    }
  }
}

/** The exact price (major units, unrounded) of `quantity` billable units under a model. */
export const price = (model: PricingModel, quantity: BigDecimal.BigDecimal): BigDecimal.BigDecimal =>
  priceDetailed(model, quantity).amount

/**
 * Prices a percentage transaction by transaction (Lago's percentage model), in the order given
 * (the billing run passes them by time, then idempotency key):
 *
 * 1. Free phase: while it lasts, a transaction that fits in what is left of `freeAmount` is free
 *    whole (no rate, no fee, no minimum), and each of the first `freeTransactions` transactions is
 *    free. It ends at whichever limit is reached first. The transaction that does not fit in the
 *    rest of the free amount pays on its part above it, and ends the free phase.
 * 2. Each paid transaction costs rate × its (paid) amount + `feePerTransaction`, clamped to
 *    [`minimumPerTransaction`, `maximumPerTransaction`].
 * 3. The period's sum is clamped to [`minimum`, `maximum`] once there is any transaction.
 *
 * No transactions cost zero. Unlike Lago, a transaction exactly equal to the rest of the free
 * amount is free whole (Lago charges its fee on a zero amount).
 */
export const priceTransactions = (
  model: Percentage,
  transactions: ReadonlyArray<BigDecimal.BigDecimal>
): Priced => {
  if (transactions.length === 0) return nothing
  const fee = model.feePerTransaction ?? Decimal.zero
  // A zero limit is no limit at all (as Lago reads it): 0 free transactions and 100 free is 100 free.
  let freeCount = model.freeTransactions === 0 ? undefined : model.freeTransactions
  let freeAmount = model.freeAmount !== undefined && isZero(model.freeAmount) ? undefined : model.freeAmount
  let freePhase = freeCount !== undefined || freeAmount !== undefined
  let freeTransactions = 0
  let freeUnits = Decimal.zero
  let paidTransactions = 0
  let paidUnits = Decimal.zero
  let raised = Decimal.zero
  let lowered = Decimal.zero
  for (const t of transactions) {
    let paid = t
    if (freePhase) {
      if (freeAmount === undefined || isLessThanOrEqualTo(t, freeAmount)) {
        // Free whole.
        freeTransactions++
        freeUnits = sum(freeUnits, t)
        if (freeAmount !== undefined) freeAmount = subtract(freeAmount, t)
        if (freeCount !== undefined) freeCount--
        freePhase =
          (freeCount === undefined || freeCount > 0) && (freeAmount === undefined || !isZero(freeAmount))
        continue
      }
      // Crosses the rest of the free amount: pays on the part above it.
      freeUnits = sum(freeUnits, freeAmount)
      paid = subtract(t, freeAmount)
      freeAmount = Decimal.zero
      freePhase = false
    }
    paidTransactions++
    paidUnits = sum(paidUnits, paid)
    const raw = sum(multiply(paid, model.rate), fee)
    if (model.minimumPerTransaction !== undefined && BigDecimal.isLessThan(raw, model.minimumPerTransaction))
      raised = sum(raised, subtract(model.minimumPerTransaction, raw))
    else if (model.maximumPerTransaction !== undefined && isGreaterThan(raw, model.maximumPerTransaction))
      lowered = sum(lowered, subtract(model.maximumPerTransaction, raw))
  }
  const rows: Array<Breakdown.BreakdownRow> = []
  if (freeTransactions > 0)
    rows.push(
      Breakdown.row("free", `${freeTransactions} free transaction${freeTransactions === 1 ? "" : "s"}`, {
        units: freeUnits,
        amount: Decimal.zero
      })
    )
  else if (isGreaterThan(freeUnits, Decimal.zero))
    rows.push(Breakdown.row("free", "free amount", { units: freeUnits, amount: Decimal.zero }))
  const rated = multiply(paidUnits, model.rate)
  if (paidTransactions > 0)
    rows.push(
      Breakdown.row(
        "rate",
        `rate of ${paidTransactions} paid transaction${paidTransactions === 1 ? "" : "s"}`,
        {
          units: paidUnits,
          unitPrice: model.rate,
          amount: rated
        }
      )
    )
  const fees = multiply(BigDecimal.fromBigInt(BigInt(paidTransactions)), fee)
  if (paidTransactions > 0 && !isZero(fee))
    rows.push(
      Breakdown.row("fees", "fee per transaction", {
        units: BigDecimal.fromBigInt(BigInt(paidTransactions)),
        unitPrice: fee,
        amount: fees
      })
    )
  if (!isZero(raised))
    rows.push(Breakdown.row("adjustment", "minimum per transaction", { units: Decimal.one, amount: raised }))
  if (!isZero(lowered))
    rows.push(Breakdown.row("adjustment", "maximum per transaction", { units: Decimal.one, amount: lowered }))
  const amount = sum(sum(rated, fees), sum(raised, lowered))
  // The period's minimum and maximum bite once there is usage, as for a quantity priced whole:
  // transactions that all carry nothing are no usage (found by the law comparing the two).
  const used = transactions.some((t) => !isZero(t))
  return used ? clampPeriod(model, { amount, breakdown: rows }) : { amount, breakdown: rows }
}

/** A short human description of a model ("$0.0004 per unit", "graduated, 3 bands"). */
export const describe = (model: PricingModel): string => {
  switch (model._tag) {
    case "PerUnit":
      return `${Decimal.format(model.unitPrice)} per unit`
    case "Package":
      return `${Decimal.format(model.price)} per ${Decimal.format(model.size)} units`
    case "Graduated":
      return `graduated, ${model.bands.length} band${model.bands.length === 1 ? "" : "s"}`
    case "Volume":
      return `volume, ${model.bands.length} band${model.bands.length === 1 ? "" : "s"}`
    case "Percentage": {
      const parts = [
        `${Decimal.formatPercent(model.rate)}${isPerTransaction(model) ? " per transaction" : ""}`
      ]
      if (model.feePerTransaction !== undefined)
        parts.push(`+ ${Decimal.format(model.feePerTransaction)} each`)
      if (model.minimumPerTransaction !== undefined)
        parts.push(`min ${Decimal.format(model.minimumPerTransaction)} each`)
      if (model.maximumPerTransaction !== undefined)
        parts.push(`max ${Decimal.format(model.maximumPerTransaction)} each`)
      if (model.freeTransactions !== undefined && model.freeTransactions > 0)
        parts.push(`first ${model.freeTransactions} free`)
      if (model.freeAmount !== undefined && !isZero(model.freeAmount))
        parts.push(`first ${Decimal.formatGrouped(model.freeAmount)} free`)
      if (model.minimum !== undefined) parts.push(`min ${Decimal.format(model.minimum)} per period`)
      if (model.maximum !== undefined) parts.push(`max ${Decimal.format(model.maximum)} per period`)
      return parts.join(", ")
    }
  }
}
