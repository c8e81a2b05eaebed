/**
 * Generators of per-customer terms: coupons (percentage or amount, forever or for some periods,
 * active in a given period or not), minimum commitments, and negotiated prices for a plan's
 * charges. Everything they produce is valid by the `CustomerTerms` Schema.
 */
import { Arbitrary } from "effect"
import type * as CustomerTerms from "../billing/CustomerTerms.ts"
import * as Period from "../billing/Period.ts"
import type * as PriceBook from "../billing/PriceBook.ts"
import type * as PricingModel from "../billing/PricingModel.ts"
import { decimal, fee, rate } from "./DecimalArbitrary.ts"
import { pricingModel } from "./PricingArbitrary.ts"
import { boolean, int, oneOf, optional, subset } from "./Primitives.ts"

/** What a coupon takes off: a rate of 0..100%, or an amount of 0..`maxAmount` (default 20,000). */
export const couponDiscount = (maxAmount = "20000"): Arbitrary.Arbitrary<CustomerTerms.CouponDiscount> =>
  oneOf(
    Arbitrary.map(rate, (r): CustomerTerms.CouponDiscount => ({ _tag: "PercentOff", rate: r })),
    Arbitrary.map(
      decimal({ max: maxAmount, maxScale: 2 }),
      (amount): CustomerTerms.CouponDiscount => ({ _tag: "AmountOff", amount })
    )
  )

/**
 * A coupon active in `period`: it started 0..24 periods before it, and lasts forever or long
 * enough to cover it. Its code is `coupon_<n>`.
 */
export const activeCoupon = (
  period: Period.Period,
  n: number,
  maxAmount?: string
): Arbitrary.Arbitrary<CustomerTerms.Coupon> =>
  Arbitrary.map(
    Arbitrary.all({
      discount: couponDiscount(maxAmount),
      ago: int(0, 24),
      forever: boolean,
      extra: int(0, 12)
    }),
    ({ discount, ago, forever, extra }): CustomerTerms.Coupon => {
      const { year, month } = Period.parts(period)
      return {
        code: `coupon_${n}`,
        description: `Generated coupon ${n}`,
        discount,
        startPeriod: Period.make(year, month - ago),
        duration: forever ? { _tag: "Forever" } : { _tag: "Periods", count: ago + 1 + extra }
      }
    }
  )

/** 0..`max` (default 3) coupons active in `period`, with distinct codes. */
export const activeCoupons = (
  period: Period.Period,
  options: { readonly max?: number | undefined; readonly maxAmount?: string | undefined } = {}
): Arbitrary.Arbitrary<ReadonlyArray<CustomerTerms.Coupon>> =>
  Arbitrary.flatMap(int(0, options.max ?? 3), (n) =>
    Arbitrary.all(Array.from({ length: n }, (_, i) => activeCoupon(period, i + 1, options.maxAmount)))
  )

/** A minimum commitment of 0..`max` (default 50,000) per period. */
export const commitment = (max = "50000"): Arbitrary.Arbitrary<CustomerTerms.Commitment> =>
  Arbitrary.map(decimal({ max, maxScale: 2 }), (minimum) => ({ minimum }))

/**
 * Negotiated prices for a subset of a plan's charges: a new amount for a flat charge, a new model
 * (from `model`, default any quantity-priced model) and sometimes a new included quantity for a
 * usage charge.
 */
export const negotiatedPrices = (
  plan: PriceBook.Plan,
  model: Arbitrary.Arbitrary<PricingModel.PricingModel> = pricingModel
): Arbitrary.Arbitrary<ReadonlyArray<CustomerTerms.NegotiatedPrice>> =>
  Arbitrary.flatMap(subset(plan.charges), (charges) =>
    Arbitrary.all(
      charges.map(
        (charge): Arbitrary.Arbitrary<CustomerTerms.NegotiatedPrice> =>
          charge._tag === "Flat"
            ? Arbitrary.map(fee, (amount) => ({
                _tag: "NegotiatedFlat" as const,
                charge: charge.code,
                amount
              }))
            : Arbitrary.map(
                Arbitrary.all({ model, included: optional(decimal({ max: "100000", maxScale: 2 })) }),
                ({ model, included }): CustomerTerms.NegotiatedPrice => ({
                  _tag: "NegotiatedUsage",
                  charge: charge.code,
                  model,
                  ...(included === undefined ? {} : { included })
                })
              )
      )
    )
  )

/** Options of {@link customerTerms}. */
export interface TermsOptions {
  /** Also negotiate prices of this plan's charges (none unless given). */
  readonly plan?: PriceBook.Plan | undefined
  readonly maxCoupons?: number | undefined
  readonly maxCouponAmount?: string | undefined
  readonly maxCommitment?: string | undefined
}

/** Terms for `period`: active coupons, maybe a commitment, and negotiated prices when a plan is given. */
export const customerTerms = (
  period: Period.Period,
  options: TermsOptions = {}
): Arbitrary.Arbitrary<CustomerTerms.CustomerTerms> =>
  Arbitrary.map(
    Arbitrary.all({
      coupons: activeCoupons(period, { max: options.maxCoupons, maxAmount: options.maxCouponAmount }),
      commitment: optional(commitment(options.maxCommitment)),
      prices:
        options.plan === undefined
          ? Arbitrary.Constant<ReadonlyArray<CustomerTerms.NegotiatedPrice>>([])
          : negotiatedPrices(options.plan)
    }),
    ({ coupons, commitment, prices }): CustomerTerms.CustomerTerms => ({
      ...(coupons.length === 0 ? {} : { coupons }),
      ...(commitment === undefined ? {} : { commitment }),
      ...(prices.length === 0 ? {} : { prices })
    })
  )
