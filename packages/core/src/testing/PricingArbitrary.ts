/**
 * Generators of pricing data: valid bands, each pricing model, usage and flat charges, plans,
 * discount rules and whole price books. Everything they produce is accepted by the core's Schemas
 * (a price book generator that produced invalid books would test the validator, not the pricing).
 */
import { Arbitrary, BigDecimal } from "effect"
import type * as Discount from "../billing/Discount.ts"
import * as Entitlements from "../billing/Entitlements.ts"
import type * as PriceBook from "../billing/PriceBook.ts"
import type * as PricingModel from "../billing/PricingModel.ts"
import type { PriceBookId } from "../Ids.ts"
import type { Currency } from "../money/Currency.ts"
import type * as Money from "../money/Money.ts"
import * as Metric from "../usage/Metric.ts"
import { decimal, fee, positive, rate, unitPrice } from "./DecimalArbitrary.ts"
import { currency as anyCurrency, roundingMode } from "./MoneyArbitrary.ts"
import { element, int, nonEmpty, oneOf, optional } from "./Primitives.ts"

/** Options of {@link bands}: how many bands at most (default 4) and the widest band (default 10^6). */
export interface BandsOptions {
  readonly maxBands?: number | undefined
  readonly maxWidth?: string | undefined
}

const band = (
  upTo: BigDecimal.BigDecimal | null,
  unitPrice: BigDecimal.BigDecimal,
  flatFee: BigDecimal.BigDecimal | undefined
): PricingModel.Band => (flatFee === undefined ? { upTo, unitPrice } : { upTo, unitPrice, flatFee })

/**
 * Valid graduated/volume bands: 1..maxBands bands whose limits strictly increase (each band is a
 * positive width wide), the last unbounded, each with a unit price and sometimes a flat fee.
 */
export const bands = (options: BandsOptions = {}): Arbitrary.Arbitrary<ReadonlyArray<PricingModel.Band>> => {
  const width = positive({ max: options.maxWidth ?? "1000000", maxScale: 2 })
  const one = Arbitrary.all({ width, unitPrice, flatFee: optional(decimal({ max: "1000", maxScale: 2 })) })
  return Arbitrary.map(Arbitrary.array(one, { minLength: 1, maxLength: options.maxBands ?? 4 }), (raw) => {
    // Limits are running sums of positive widths, so they strictly increase by construction.
    let upTo = BigDecimal.fromBigInt(0n)
    return raw.map((b, i) => {
      upTo = BigDecimal.sum(upTo, b.width)
      return band(i === raw.length - 1 ? null : BigDecimal.normalize(upTo), b.unitPrice, b.flatFee)
    })
  })
}

/** A per-unit model at any {@link unitPrice}. */
export const perUnitModel: Arbitrary.Arbitrary<PricingModel.PricingModel> = Arbitrary.map(unitPrice, (p) => ({
  _tag: "PerUnit" as const,
  unitPrice: p
}))

/** A package model: whole packages of 1..10,000 units at a price of 0..5,000. */
export const packageModel: Arbitrary.Arbitrary<PricingModel.PricingModel> = Arbitrary.map(
  Arbitrary.all({
    size: positive({ max: "10000", maxScale: 0 }),
    price: decimal({ max: "5000", maxScale: 4 })
  }),
  ({ size, price }) => ({ _tag: "Package" as const, size, price })
)

/** A graduated model over {@link bands}. */
export const graduatedModel = (options: BandsOptions = {}): Arbitrary.Arbitrary<PricingModel.PricingModel> =>
  Arbitrary.map(bands(options), (bs) => ({ _tag: "Graduated" as const, bands: bs }))

/** A volume model over {@link bands}. */
export const volumeModel = (options: BandsOptions = {}): Arbitrary.Arbitrary<PricingModel.PricingModel> =>
  Arbitrary.map(bands(options), (bs) => ({ _tag: "Volume" as const, bands: bs }))

/** A percentage model: a rate with an optional minimum and maximum charge, minimum ≤ maximum. */
export const percentageModel: Arbitrary.Arbitrary<PricingModel.PricingModel> = Arbitrary.map(
  Arbitrary.all({
    rate,
    a: optional(decimal({ max: "10000", maxScale: 2 })),
    b: optional(decimal({ max: "10000", maxScale: 2 }))
  }),
  ({ rate, a, b }) => {
    // Two independent bounds, ordered, so the min ≤ max check holds without discarding.
    const [minimum, maximum] =
      a !== undefined && b !== undefined && BigDecimal.isGreaterThan(a, b) ? [b, a] : [a, b]
    return {
      _tag: "Percentage" as const,
      rate,
      ...(minimum === undefined ? {} : { minimum }),
      ...(maximum === undefined ? {} : { maximum })
    }
  }
)

/**
 * A percentage priced per transaction (Lago's model): a rate, and some of a fee, a minimum and a
 * maximum per transaction (minimum ≤ maximum), free transactions, a free amount, and a period
 * minimum and maximum. Charges with it need each transaction's quantity.
 */
export const perTransactionModel: Arbitrary.Arbitrary<PricingModel.PricingModel> = Arbitrary.map(
  Arbitrary.all({
    rate,
    fee: optional(decimal({ max: "5", maxScale: 2 })),
    a: optional(decimal({ max: "50", maxScale: 2 })),
    b: optional(decimal({ max: "50", maxScale: 2 })),
    freeTransactions: optional(int(0, 5)),
    freeAmount: optional(decimal({ max: "1000", maxScale: 2 })),
    periodMaximum: optional(decimal({ max: "100000", maxScale: 2 }))
  }),
  (p) => {
    const [low, high] =
      p.a !== undefined && p.b !== undefined && BigDecimal.isGreaterThan(p.a, p.b) ? [p.b, p.a] : [p.a, p.b]
    // At least one per-transaction field, so the model is priced per transaction.
    const fee =
      p.fee ??
      (low === undefined &&
      high === undefined &&
      p.freeTransactions === undefined &&
      p.freeAmount === undefined
        ? BigDecimal.fromBigInt(0n)
        : undefined)
    return {
      _tag: "Percentage" as const,
      rate: p.rate,
      ...(fee === undefined ? {} : { feePerTransaction: fee }),
      ...(low === undefined ? {} : { minimumPerTransaction: low }),
      ...(high === undefined ? {} : { maximumPerTransaction: high }),
      ...(p.freeTransactions === undefined ? {} : { freeTransactions: p.freeTransactions }),
      ...(p.freeAmount === undefined ? {} : { freeAmount: p.freeAmount }),
      ...(p.periodMaximum === undefined ? {} : { maximum: p.periodMaximum })
    }
  }
)

/** Any pricing model: per-unit, package, graduated, volume or percentage. */
export const pricingModel: Arbitrary.Arbitrary<PricingModel.PricingModel> = oneOf(
  perUnitModel,
  packageModel,
  graduatedModel(),
  volumeModel(),
  percentageModel
)

/** A flat monthly fee charge with the given code. */
export const flatCharge = (code: string): Arbitrary.Arbitrary<PriceBook.FlatCharge> =>
  Arbitrary.map(fee, (amount) => ({ _tag: "Flat" as const, code, description: `Flat fee ${code}`, amount }))

/** Options of {@link usageCharge}: the metrics it may charge for (default: the reference card's). */
export interface ChargeOptions {
  readonly metrics?: ReadonlyArray<Metric.MetricCode> | undefined
  readonly model?: Arbitrary.Arbitrary<PricingModel.PricingModel> | undefined
}

const defaultMetrics: ReadonlyArray<Metric.MetricCode> = Array.from(Metric.defaultCatalog.keys())

/** A usage charge with the given code: a metric, an included quantity (often zero) and a model. */
export const usageCharge = (
  code: string,
  options: ChargeOptions = {}
): Arbitrary.Arbitrary<PriceBook.UsageCharge> =>
  Arbitrary.map(
    Arbitrary.all({
      metric: element(options.metrics ?? defaultMetrics),
      included: oneOf(Arbitrary.Constant(BigDecimal.fromBigInt(0n)), decimal({ max: "100000", maxScale: 2 })),
      model: options.model ?? pricingModel
    }),
    ({ metric, included, model }) => ({
      _tag: "Usage" as const,
      code,
      description: `Usage of ${metric}`,
      metric,
      included,
      model
    })
  )

/**
 * A plan's charges: 0..2 flat fees then 1..6 usage charges (so never empty), with unique codes
 * assigned by position.
 */
export const plan = (options: ChargeOptions = {}): Arbitrary.Arbitrary<PriceBook.Plan> =>
  Arbitrary.flatMap(Arbitrary.all([int(0, 2), int(1, 6)]), ([flats, usages]) =>
    Arbitrary.map(
      Arbitrary.all([
        ...Array.from({ length: flats }, (_, i) => flatCharge(`flat_${i + 1}`)),
        ...Array.from({ length: usages }, (_, i) => usageCharge(`usage_${i + 1}`, options))
      ]),
      (charges): PriceBook.Plan => ({ charges: nonEmpty(charges) })
    )
  )

const volumeRule = (tag: "CappedVolume" | "AllUnitsVolume" | "MarginalVolume") =>
  Arbitrary.map(
    Arbitrary.all({
      threshold: decimal({ max: "20000", maxScale: 2 }),
      rate: decimal({ max: "0.5", maxScale: 3 })
    }),
    ({ threshold, rate }): Discount.DiscountRule => ({ _tag: tag, threshold, rate })
  )

/** The default volume discount: a rate of 0..50% above a threshold of 0..$20,000, capped. */
export const cappedVolume: Arbitrary.Arbitrary<Discount.DiscountRule> = volumeRule("CappedVolume")

/** The literal "rate of everything once over the threshold" rule (not monotone). */
export const allUnitsVolume: Arbitrary.Arbitrary<Discount.DiscountRule> = volumeRule("AllUnitsVolume")

/** The marginal rule: a rate of only the part of the subtotal above the threshold. */
export const marginalVolume: Arbitrary.Arbitrary<Discount.DiscountRule> = volumeRule("MarginalVolume")

/** Any discount rule, including none. */
export const discountRule: Arbitrary.Arbitrary<Discount.DiscountRule> = oneOf(
  Arbitrary.Constant<Discount.DiscountRule>({ _tag: "NoDiscount" }),
  cappedVolume,
  allUnitsVolume,
  marginalVolume
)

/** Options of {@link priceBook}: fix any part of the book, generate the rest. */
export interface PriceBookOptions extends ChargeOptions {
  readonly currency?: Currency | undefined
  readonly rounding?: Money.RoundingMode | undefined
  readonly discount?: Arbitrary.Arbitrary<Discount.DiscountRule> | undefined
}

const fixed = <A>(value: A | undefined, otherwise: Arbitrary.Arbitrary<A>): Arbitrary.Arbitrary<A> =>
  value === undefined ? otherwise : Arbitrary.Constant(value)

/**
 * A whole price book, valid by the `PriceBook` Schema: a currency, a rounding mode, a discount
 * rule and the four reference plan codes (with the reference entitlements), each with generated
 * charges whose usage charges name metrics of the catalogue.
 */
export const priceBook = (options: PriceBookOptions = {}): Arbitrary.Arbitrary<PriceBook.PriceBook> => {
  const planArb = plan(options)
  return Arbitrary.map(
    Arbitrary.all({
      currency: fixed(options.currency, anyCurrency),
      rounding: fixed(options.rounding, roundingMode),
      discount: options.discount ?? discountRule,
      standard: planArb,
      fintech: planArb,
      healthcare: planArb,
      gov: planArb
    }),
    (b): PriceBook.PriceBook => ({
      id: "generated" as PriceBookId,
      name: "Generated price book",
      currency: b.currency,
      rounding: b.rounding,
      discount: b.discount,
      plans: {
        standard: { name: "Standard", entitlements: Entitlements.referenceCard.standard, ...b.standard },
        fintech: { name: "Fintech", entitlements: Entitlements.referenceCard.fintech, ...b.fintech },
        healthcare: {
          name: "Healthcare",
          entitlements: Entitlements.referenceCard.healthcare,
          ...b.healthcare
        },
        "gov-federal": {
          name: "Gov-Federal",
          entitlements: Entitlements.referenceCard["gov-federal"],
          ...b.gov
        }
      }
    })
  )
}

/** Any plan code of `book`. */
export const planCodeOf = (book: PriceBook.PriceBook): Arbitrary.Arbitrary<PriceBook.PlanCode> =>
  element(Object.keys(book.plans))
