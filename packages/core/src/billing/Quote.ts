/**
 * `quote(plan, usage, options)`: the pure price of a plan for a period's usage, with no ids, no
 * dates and no invoice: lines (each with its exact amount and breakdown), discounts, tax and
 * total. `Invoicing.priceInvoice` and the billing run price through it.
 *
 * The order of operations is fixed, and every rounding is named (the `rounding` mode, by the one
 * rounding function `Money.round`):
 *
 * 1. the plan: the customer's negotiated plan if its terms have one, else the given plan, with
 *    negotiated prices replacing single charges (by code);
 * 2. each charge is priced exactly (with its breakdown), then rounded ONCE to minor units: a line;
 * 3. minimum commitment: when the lines add up to less than the commitment (rounded), a true-up
 *    line adds the difference;
 * 4. subtotal = Σ lines (exact integers);
 * 5. coupons active in the period, in the order the terms list them, each on what is left after
 *    the ones before: a percentage coupon's rate of it (rounded), an amount coupon's amount
 *    (rounded), never more than what is left;
 * 6. the book's volume discount rule, on what is left after the coupons (rounded by its rule), so
 *    a volume discount is computed on what the customer actually pays (the literal all-units rule
 *    is earned by the subtotal before coupons, so a coupon never costs it and raises the bill);
 * 7. discount = coupons + volume, allocated over the lines by largest remainder;
 * 8. tax per component on (subtotal − discount), each rounded;
 * 9. total = subtotal − discount + tax.
 *
 * Every amount (each line, the subtotal, the total) must stay within `Money.maxMinor`; one beyond
 * it is an `AmountOutOfRange` naming it, never an invoice the database cannot store.
 *
 * Each step is monotone in the amount it is given, so more usage never lowers a total under
 * monotone models and the capped volume rule, a commitment never lowers a bill, and coupons never
 * make a total negative (laws in `test/laws`, and `PriceBookLaws.check`).
 */
import { BigDecimal, Effect, Schema } from "effect"
import type { Currency } from "../money/Currency.ts"
import * as Decimal from "../money/Decimal.ts"
import * as Money from "../money/Money.ts"
import type { MetricCode } from "../usage/Metric.ts"
import type { Metrics, Transactions } from "../usage/Usage.ts"
import * as Breakdown from "./Breakdown.ts"
import * as CustomerTerms from "./CustomerTerms.ts"
import * as Discount from "./Discount.ts"
import type { InvoiceDiscount, InvoiceLine, InvoiceTaxLine } from "./Invoice.ts"
import type { Period } from "./Period.ts"
import type { Charge, Plan, PriceBook } from "./PriceBook.ts"
import * as PricingModel from "./PricingModel.ts"
import * as Tax from "./Tax.ts"

/** A usage charge names a metric that the metrics do not contain. */
export class MissingMetric extends Schema.TaggedError<MissingMetric>()("MissingMetric", {
  charge: Schema.String,
  metric: Schema.String
}) {
  /** Stable error code. */
  readonly code = "PRICING.MISSING_METRIC"
}

/**
 * A charge priced per transaction was quoted without its metric's transactions, or with
 * transactions that do not add up to the metric's total (the metric must aggregate by `sum`).
 */
export class TransactionsUnavailable extends Schema.TaggedError<TransactionsUnavailable>()(
  "TransactionsUnavailable",
  {
    charge: Schema.String,
    metric: Schema.String,
    reason: Schema.Literals(["missing", "do-not-add-up"])
  }
) {
  /** Stable error code. */
  readonly code = "PRICING.TRANSACTIONS_UNAVAILABLE"
}

/** A customer's terms cannot be applied to the plan (a wrong charge code, say). */
export class InvalidTerms extends Schema.TaggedError<InvalidTerms>()("InvalidTerms", {
  reason: Schema.Literals([
    "unknown-charge",
    "flat-price-on-usage-charge",
    "usage-price-on-flat-charge",
    "included-on-per-transaction-charge",
    "period-required"
  ]),
  charge: Schema.optionalKey(Schema.String)
}) {
  /** Stable error code. */
  readonly code = "TERMS.INVALID"
}

/** Why a quote could not be priced. */
export type QuoteError =
  | MissingMetric
  | TransactionsUnavailable
  | InvalidTerms
  | Tax.UnknownTaxJurisdiction
  | Money.AmountOutOfRange

/** How to price a plan: the book's settings, and optionally tax, terms, period and transactions. */
export interface QuoteOptions {
  readonly currency: Currency
  /** The one rounding mode of every amount (default half-up). */
  readonly rounding?: Money.RoundingMode | undefined
  /** The volume discount rule (default none). */
  readonly discount?: Discount.DiscountRule | undefined
  /** The tax policy and the customer's profile; without them the quote has no tax. */
  readonly tax?: { readonly policy: Tax.TaxRules; readonly profile: Tax.TaxProfile } | undefined
  /** The customer's terms (default list prices). */
  readonly terms?: CustomerTerms.CustomerTerms | undefined
  /** The period priced: required when the terms hold coupons (they apply to periods). */
  readonly period?: Period | undefined
  /** Each transaction's quantity, for metrics of charges priced per transaction. */
  readonly transactions?: Transactions | undefined
}

/** The settings of a price book that a quote needs: its currency, rounding mode and discount rule. */
export const bookSettings = (
  book: PriceBook
): Pick<QuoteOptions, "currency" | "rounding" | "discount"> & { readonly currency: Currency } => ({
  currency: book.currency,
  rounding: book.rounding,
  discount: book.discount
})

/** A priced quote: the money of an invoice, without ids, dates or lifecycle. */
export interface Quote {
  readonly currency: Currency
  readonly lines: ReadonlyArray<InvoiceLine>
  readonly subtotal: bigint
  readonly discounts: ReadonlyArray<InvoiceDiscount>
  readonly discount: bigint
  readonly discountDescription: string | null
  readonly taxable: bigint
  readonly taxLines: ReadonlyArray<InvoiceTaxLine>
  readonly tax: bigint
  readonly taxExemption: string | null
  readonly total: bigint
}

/** The exact price of one charge, the quantities behind it, and its breakdown. */
export interface PricedCharge {
  readonly quantity: Decimal.Decimal
  readonly included: Decimal.Decimal
  readonly billable: Decimal.Decimal
  readonly exact: Decimal.Decimal
  readonly breakdown: Breakdown.Breakdown
}

/**
 * The exact (unrounded) price of one charge and the quantities behind it. A charge priced per
 * transaction is priced from `transactions`, which must add up to the metric's total.
 */
export const priceCharge = (
  charge: Charge,
  usage: Metrics,
  transactions?: Transactions
): Effect.Effect<PricedCharge, MissingMetric | TransactionsUnavailable> => {
  if (charge._tag === "Flat") {
    return Effect.succeed({
      quantity: Decimal.one,
      included: Decimal.zero,
      billable: Decimal.one,
      exact: charge.amount,
      breakdown: [
        Breakdown.row("flat", "flat charge", {
          units: Decimal.one,
          unitPrice: charge.amount,
          amount: charge.amount
        })
      ]
    })
  }
  const quantity = usage.get(charge.metric)
  if (quantity === undefined)
    return Effect.fail(new MissingMetric({ charge: charge.code, metric: charge.metric }))
  if (PricingModel.isPerTransaction(charge.model) && charge.model._tag === "Percentage") {
    const list = transactions?.get(charge.metric)
    if (list === undefined)
      return Effect.fail(
        new TransactionsUnavailable({ charge: charge.code, metric: charge.metric, reason: "missing" })
      )
    const sum = list.reduce((a, t) => BigDecimal.sum(a, t), Decimal.zero)
    if (!BigDecimal.equals(sum, quantity))
      return Effect.fail(
        new TransactionsUnavailable({ charge: charge.code, metric: charge.metric, reason: "do-not-add-up" })
      )
    const priced = PricingModel.priceTransactions(charge.model, list)
    const free = priced.breakdown
      .filter((r) => r.kind === "free")
      .reduce((a, r) => BigDecimal.sum(a, r.units), Decimal.zero)
    return Effect.succeed({
      quantity,
      included: Decimal.zero,
      billable: BigDecimal.subtract(quantity, free),
      exact: priced.amount,
      breakdown: priced.breakdown
    })
  }
  const over = BigDecimal.subtract(quantity, charge.included)
  const billable = BigDecimal.isNegative(over) ? Decimal.zero : over
  const priced = PricingModel.priceDetailed(charge.model, billable)
  return Effect.succeed({
    quantity,
    included: charge.included,
    billable,
    exact: priced.amount,
    breakdown: priced.breakdown
  })
}

/**
 * The plan a customer is priced by: its negotiated plan (else `plan`) with its negotiated prices
 * applied, and which charges they changed.
 */
export const negotiatedPlan = (
  plan: Plan,
  terms: CustomerTerms.CustomerTerms
): Effect.Effect<{ readonly plan: Plan; readonly negotiated: ReadonlySet<string> }, InvalidTerms> =>
  Effect.suspend(() => {
    const base = terms.plan ?? plan
    const negotiated = new Set<string>(terms.plan === undefined ? [] : base.charges.map((c) => c.code))
    const charges: Array<Charge> = [...base.charges]
    for (const price of terms.prices ?? []) {
      const i = charges.findIndex((c) => c.code === price.charge)
      if (i < 0) return Effect.fail(new InvalidTerms({ reason: "unknown-charge", charge: price.charge }))
      const charge = charges[i]!
      if (price._tag === "NegotiatedFlat") {
        if (charge._tag !== "Flat")
          return Effect.fail(new InvalidTerms({ reason: "flat-price-on-usage-charge", charge: price.charge }))
        charges[i] = { ...charge, amount: price.amount }
      } else {
        if (charge._tag !== "Usage")
          return Effect.fail(new InvalidTerms({ reason: "usage-price-on-flat-charge", charge: price.charge }))
        const included = price.included ?? charge.included
        if (PricingModel.isPerTransaction(price.model) && !BigDecimal.isZero(included))
          return Effect.fail(
            new InvalidTerms({ reason: "included-on-per-transaction-charge", charge: price.charge })
          )
        charges[i] = { ...charge, model: price.model, included }
      }
      negotiated.add(price.charge)
    }
    return Effect.succeed({ plan: { charges: charges as unknown as Plan["charges"] }, negotiated })
  })

/**
 * The metrics whose transactions a customer's pricing needs: those of the charges priced per
 * transaction in the plan, the terms' negotiated plan and their negotiated prices.
 */
export const transactionMetrics = (
  plan: Plan,
  terms: CustomerTerms.CustomerTerms
): ReadonlySet<MetricCode> => {
  const out = new Set<MetricCode>()
  const charges = [...plan.charges, ...(terms.plan?.charges ?? [])]
  for (const c of charges) if (c._tag === "Usage" && PricingModel.isPerTransaction(c.model)) out.add(c.metric)
  for (const p of terms.prices ?? []) {
    if (p._tag !== "NegotiatedUsage" || !PricingModel.isPerTransaction(p.model)) continue
    const charge = charges.find((c) => c.code === p.charge)
    if (charge?._tag === "Usage") out.add(charge.metric)
  }
  return out
}

const couponDescription = (coupon: CustomerTerms.Coupon, currency: Currency): string =>
  coupon.discount._tag === "PercentOff"
    ? `Coupon ${coupon.code}: ${Decimal.formatPercent(coupon.discount.rate)} off (${coupon.description})`
    : `Coupon ${coupon.code}: ${Money.format(Money.round(coupon.discount.amount, currency))} off (${coupon.description})`

/** Prices a plan for a period's usage; see the module comment for the order of operations. */
export const quote = Effect.fnUntraced(function* (plan: Plan, usage: Metrics, options: QuoteOptions) {
  const currency = options.currency
  const mode = options.rounding ?? Money.defaultRounding
  const terms = options.terms ?? CustomerTerms.none
  const effective = yield* negotiatedPlan(plan, terms)

  // 1–2. Lines, each rounded once.
  const lines: Array<Omit<InvoiceLine, "discount">> = []
  for (const charge of effective.plan.charges) {
    const p = yield* priceCharge(charge, usage, options.transactions)
    const pricing = charge._tag === "Flat" ? "flat" : PricingModel.describe(charge.model)
    lines.push({
      position: lines.length + 1,
      code: charge.code,
      description: charge.description,
      kind: charge._tag === "Flat" ? "flat" : "usage",
      metric: charge._tag === "Flat" ? null : charge.metric,
      quantity: BigDecimal.normalize(p.quantity),
      included: BigDecimal.normalize(p.included),
      billable: BigDecimal.normalize(p.billable),
      pricing: effective.negotiated.has(charge.code) ? `negotiated: ${pricing}` : pricing,
      preciseAmount: BigDecimal.normalize(p.exact),
      breakdown: p.breakdown,
      amount: (yield* Money.ensureWithinRange(`line ${charge.code}`, Money.round(p.exact, currency, mode)))
        .minor
    })
  }

  // 3. The commitment's true-up.
  const charged = lines.reduce((a, l) => a + l.amount, 0n)
  if (terms.commitment !== undefined) {
    const minimum = Money.round(terms.commitment.minimum, currency, mode)
    if (minimum.minor > charged) {
      const shortfall = Money.make(currency, minimum.minor - charged)
      const exact = Money.toDecimal(shortfall)
      lines.push({
        position: lines.length + 1,
        code: "commitment_true_up",
        description:
          terms.commitment.description ?? `Minimum commitment true-up (minimum ${Money.format(minimum)})`,
        kind: "commitment",
        metric: null,
        quantity: Decimal.one,
        included: Decimal.zero,
        billable: Decimal.one,
        pricing: `minimum commitment ${Money.format(minimum)}`,
        preciseAmount: exact,
        breakdown: [
          Breakdown.row(
            "commitment",
            `minimum ${Money.format(minimum)} less charges ${Money.format(Money.make(currency, charged))}`,
            { units: Decimal.one, amount: exact }
          )
        ],
        amount: shortfall.minor
      })
    }
  }

  // 4. Subtotal.
  const subtotal = yield* Money.ensureWithinRange(
    "subtotal",
    Money.make(
      currency,
      lines.reduce((a, l) => a + l.amount, 0n)
    )
  )

  // 5. Coupons, in order, each on what is left.
  const coupons = terms.coupons ?? []
  if (coupons.length > 0 && options.period === undefined)
    return yield* new InvalidTerms({ reason: "period-required" })
  const discounts: Array<InvoiceDiscount> = []
  let left = subtotal
  for (const coupon of options.period === undefined
    ? []
    : CustomerTerms.activeCoupons(terms, options.period)) {
    const wanted =
      coupon.discount._tag === "PercentOff"
        ? Money.round(BigDecimal.multiply(Money.toDecimal(left), coupon.discount.rate), currency, mode)
        : Money.round(coupon.discount.amount, currency, mode)
    const off = Money.min(wanted, left)
    if (off.minor === 0n) continue
    discounts.push({
      kind: "coupon",
      code: coupon.code,
      description: couponDescription(coupon, currency),
      amount: off.minor
    })
    left = Money.subtract(left, off)
  }

  // 6. The volume discount on what the coupons left.
  const rule = options.discount ?? { _tag: "NoDiscount" }
  // The all-units rule is earned by the bill before coupons (a coupon never costs the discount).
  const volume = Discount.compute(rule, left, mode, subtotal)
  if (volume.minor > 0n)
    discounts.push({
      kind: "volume",
      code: "volume",
      description: Discount.describe(rule, currency) ?? "Volume discount",
      amount: volume.minor
    })

  // 7. The discount, allocated over the lines.
  const discount = Money.make(
    currency,
    discounts.reduce((a, d) => a + d.amount, 0n)
  )
  const shares =
    lines.length > 0
      ? Money.allocate(
          discount,
          lines.map((l) => l.amount)
        )
      : []

  // 8–9. Tax and total.
  const taxable = Money.subtract(subtotal, discount)
  const tax =
    options.tax === undefined
      ? { lines: [], total: Money.zero(currency), exemption: null }
      : yield* Tax.compute(options.tax.policy, options.tax.profile, taxable, mode)
  // Tax and each tax line are at most the total (rates are non-negative), so this bounds them too.
  const total = yield* Money.ensureWithinRange("total", Money.add(taxable, tax.total))
  return {
    currency,
    lines: lines.map((l, i): InvoiceLine => ({ ...l, discount: shares[i]!.minor })),
    subtotal: subtotal.minor,
    discounts,
    discount: discount.minor,
    discountDescription: discounts.length === 0 ? null : discounts.map((d) => d.description).join("; "),
    taxable: taxable.minor,
    taxLines: tax.lines.map(
      (t): InvoiceTaxLine => ({
        jurisdiction: t.jurisdiction,
        name: t.name,
        rate: t.rate,
        taxable: t.taxable.minor,
        amount: t.amount.minor
      })
    ),
    tax: tax.total.minor,
    taxExemption:
      tax.exemption === null ? null : `${tax.exemption.reason} (certificate ${tax.exemption.certificate})`,
    total: total.minor
  } satisfies Quote as Quote
})
