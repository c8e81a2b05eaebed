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
 * - `Percentage`: a rate of a monetary metric (say, payment volume), with an optional minimum and
 *   maximum charge once there is any usage.
 *
 * Bands cover (previous `upTo`, `upTo`]; the last band has `upTo: null` (unbounded).
 */
import { BigDecimal, Schema } from "effect"
import * as Decimal from "../money/Decimal.ts"
import { NonNegativeDecimal, PositiveDecimal, Rate } from "../money/Decimal.ts"

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
/** rate × quantity, clamped to [minimum, maximum] once there is usage. */
export const Percentage = Schema.TaggedStruct("Percentage", {
  rate: Rate,
  minimum: Schema.optionalKey(NonNegativeDecimal),
  maximum: Schema.optionalKey(NonNegativeDecimal)
}).check(
  Schema.makeFilter(
    (p: { readonly minimum?: BigDecimal.BigDecimal; readonly maximum?: BigDecimal.BigDecimal }) =>
      p.minimum === undefined ||
      p.maximum === undefined ||
      BigDecimal.isLessThanOrEqualTo(p.minimum, p.maximum) ||
      "minimum must not exceed maximum"
  )
)

/** The pricing models. */
export const PricingModel = Schema.Union([PerUnit, Package, Graduated, Volume, Percentage]).annotate({
  identifier: "PricingModel"
})
export type PricingModel = typeof PricingModel.Type

const { multiply, sum, subtract, min, max, isGreaterThan, isZero, isLessThanOrEqualTo } = BigDecimal

const ceilDiv = (q: BigDecimal.BigDecimal, size: BigDecimal.BigDecimal): BigDecimal.BigDecimal =>
  BigDecimal.ceil(BigDecimal.divideUnsafe(q, size))

/**
 * The exact price (major units, unrounded) of `quantity` billable units under a model. Zero units
 * always cost zero.
 */
export const price = (model: PricingModel, quantity: BigDecimal.BigDecimal): BigDecimal.BigDecimal => {
  if (isZero(quantity)) return Decimal.zero
  switch (model._tag) {
    case "PerUnit":
      return multiply(quantity, model.unitPrice)
    case "Package":
      return multiply(ceilDiv(quantity, model.size), model.price)
    case "Graduated": {
      let total = Decimal.zero
      let lower = Decimal.zero
      for (const band of model.bands) {
        if (!isGreaterThan(quantity, lower)) break
        const upper = band.upTo === null ? quantity : min(quantity, band.upTo)
        const units = subtract(upper, lower)
        total = sum(total, multiply(units, band.unitPrice))
        if (band.flatFee !== undefined) total = sum(total, band.flatFee)
        if (band.upTo === null) break
        lower = band.upTo
      }
      return total
    }
    case "Volume": {
      const band = model.bands.find((b) => b.upTo === null || isLessThanOrEqualTo(quantity, b.upTo))!
      return sum(multiply(quantity, band.unitPrice), band.flatFee ?? Decimal.zero)
    }
    case "Percentage": {
      let amount = multiply(quantity, model.rate)
      if (model.minimum !== undefined) amount = max(amount, model.minimum)
      if (model.maximum !== undefined) amount = min(amount, model.maximum)
      return amount
    }
  }
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
    case "Percentage":
      return `${Decimal.formatPercent(model.rate)}`
  }
}
