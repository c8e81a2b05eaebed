/**
 * Per-customer terms, as data stored with the customer and priced by the core: negotiated prices
 * (a whole negotiated plan, or new prices for single charges), coupons, and a minimum commitment.
 * Amounts are exact decimals in major units of the customer's currency.
 *
 * How they are priced (see `Quote.quote` for the whole order of operations):
 *
 * - A negotiated plan replaces the book's plan; negotiated prices then replace the model (or the
 *   flat amount) of single charges, by charge code. A line priced by a negotiated price says so.
 * - A minimum commitment adds a true-up line when the charges add up to less than the minimum
 *   (the difference, rounded by the book's mode); it never lowers a bill.
 * - Coupons active in the period (from `startPeriod`, for `duration`) stack in the order listed,
 *   each on what the ones before it left: a percentage coupon takes its rate of that amount, an
 *   amount coupon at most that amount. So coupons never make a total negative.
 */
import { Schema } from "effect"
import { NonNegativeDecimal, Rate } from "../money/Decimal.ts"
import * as Period from "./Period.ts"
import { ChargeCode, Plan } from "./PriceBook.ts"
import { PricingModel } from "./PricingModel.ts"

/** A coupon code such as `launch2026`. */
export const CouponCode = Schema.String.check(
  Schema.isPattern(/^[a-z0-9][a-z0-9_-]{0,62}$/u, { message: "expected a coupon code such as launch2026" })
)
export type CouponCode = typeof CouponCode.Type

/** `rate` (a FRACTION: "0.1" is 10%) off what is left to pay. */
export const PercentOff = Schema.TaggedStruct("PercentOff", { rate: Rate })
/** A fixed amount off (major units), never more than what is left to pay. */
export const AmountOff = Schema.TaggedStruct("AmountOff", { amount: NonNegativeDecimal })
/** What a coupon takes off. */
export const CouponDiscount = Schema.Union([PercentOff, AmountOff]).annotate({ identifier: "CouponDiscount" })
export type CouponDiscount = typeof CouponDiscount.Type

/** Applies in every period from the start on. */
export const Forever = Schema.TaggedStruct("Forever", {})
/** Applies in `count` consecutive periods from the start. */
export const Periods = Schema.TaggedStruct("Periods", {
  count: Schema.Int.check(Schema.isGreaterThanOrEqualTo(1))
})
/** How long a coupon applies. */
export const CouponDuration = Schema.Union([Forever, Periods]).annotate({ identifier: "CouponDuration" })
export type CouponDuration = typeof CouponDuration.Type

/** A coupon granted to a customer. */
export const Coupon = Schema.Struct({
  code: CouponCode,
  description: Schema.NonEmptyString,
  discount: CouponDiscount,
  /** The first period it applies to. */
  startPeriod: Period.Period,
  duration: CouponDuration
}).annotate({ identifier: "Coupon" })
export type Coupon = typeof Coupon.Type

/** A negotiated price of one usage charge: its model and, optionally, its included quantity. */
export const NegotiatedUsage = Schema.TaggedStruct("NegotiatedUsage", {
  charge: ChargeCode,
  model: PricingModel,
  included: Schema.optionalKey(NonNegativeDecimal)
})
/** A negotiated amount of one flat charge. */
export const NegotiatedFlat = Schema.TaggedStruct("NegotiatedFlat", {
  charge: ChargeCode,
  amount: NonNegativeDecimal
})
/** A negotiated price of one charge. */
export const NegotiatedPrice = Schema.Union([NegotiatedUsage, NegotiatedFlat]).annotate({
  identifier: "NegotiatedPrice"
})
export type NegotiatedPrice = typeof NegotiatedPrice.Type

/** A minimum spend per period (major units): a true-up line makes up any shortfall. */
export const Commitment = Schema.Struct({
  minimum: NonNegativeDecimal,
  description: Schema.optionalKey(Schema.NonEmptyString)
}).annotate({ identifier: "Commitment" })
export type Commitment = typeof Commitment.Type

const unique = (values: ReadonlyArray<string>) => new Set(values).size === values.length

/** A customer's terms; every part is optional, and `{}` is list prices. */
export const CustomerTerms = Schema.Struct({
  /** A whole negotiated plan, used instead of the book's plan. */
  plan: Schema.optionalKey(Plan),
  /** Negotiated prices of single charges, by charge code. */
  prices: Schema.optionalKey(Schema.Array(NegotiatedPrice)),
  /** Coupons, applied in this order. */
  coupons: Schema.optionalKey(Schema.Array(Coupon)),
  commitment: Schema.optionalKey(Commitment)
})
  .check(
    Schema.makeFilter(
      (t: {
        readonly prices?: ReadonlyArray<{ readonly charge: string }>
        readonly coupons?: ReadonlyArray<{ readonly code: string }>
      }) => {
        if (!unique((t.prices ?? []).map((p) => p.charge))) return "at most one negotiated price per charge"
        if (!unique((t.coupons ?? []).map((c) => c.code))) return "coupon codes must be unique"
        return undefined
      }
    )
  )
  .annotate({ identifier: "CustomerTerms" })
export type CustomerTerms = typeof CustomerTerms.Type

/** List prices: no negotiated prices, coupons or commitment. */
export const none: CustomerTerms = {}

/** Whether a coupon applies in a period. */
export const isActive = (coupon: Coupon, period: Period.Period): boolean => {
  if (period < coupon.startPeriod) return false
  if (coupon.duration._tag === "Forever") return true
  const from = Period.parts(coupon.startPeriod)
  const at = Period.parts(period)
  return (at.year - from.year) * 12 + (at.month - from.month) < coupon.duration.count
}

/** The coupons of the terms that apply in a period, in the order they are applied. */
export const activeCoupons = (terms: CustomerTerms, period: Period.Period): ReadonlyArray<Coupon> =>
  (terms.coupons ?? []).filter((c) => isActive(c, period))

/** Decodes terms from JSON-shaped data, with errors that name the offending field. */
export const decode = Schema.decodeUnknownEffect(CustomerTerms)
