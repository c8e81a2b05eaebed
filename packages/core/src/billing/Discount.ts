/**
 * Volume discounts as data. The reference card gives "5% for bills over $5,000"; read literally
 * (5% off everything once over the threshold) a $5,000.01 bill would cost $4,750.01, less than a
 * $5,000.00 one. The default rule caps the discount so the discounted subtotal never falls below
 * the threshold, which keeps the discounted subtotal non-decreasing in the subtotal.
 *
 * With threshold $5,000 and rate 5%:
 *
 * | subtotal   | Capped (default)     | AllUnits (literal)  | Marginal            |
 * |------------|----------------------|---------------------|---------------------|
 * | $5,000.00  | $0.00 → $5,000.00    | $0.00 → $5,000.00   | $0.00 → $5,000.00   |
 * | $5,000.01  | $0.01 → $5,000.00    | $250.00 → $4,750.01 | $0.00 → $5,000.01   |
 * | $5,200.00  | $200.00 → $5,000.00  | $260.00 → $4,940.00 | $10.00 → $5,190.00  |
 * | $10,000.00 | $500.00 → $9,500.00  | $500.00 → $9,500.00 | $250.00 → $9,750.00 |
 *
 * Capped equals AllUnits from threshold / (1 − rate) ($5,263.16) up.
 */
import { BigDecimal, Schema } from "effect"
import * as Decimal from "../money/Decimal.ts"
import { NonNegativeDecimal, Rate } from "../money/Decimal.ts"
import * as Money from "../money/Money.ts"

const volumeFields = { threshold: NonNegativeDecimal, rate: Rate }

/** No discount. */
export const NoDiscount = Schema.TaggedStruct("NoDiscount", {})
/** `rate` of the subtotal above `threshold`, capped so the result never drops below the threshold. */
export const CappedVolume = Schema.TaggedStruct("CappedVolume", volumeFields)
/** `rate` of the whole subtotal once above `threshold` (the card read literally; not monotone). */
export const AllUnitsVolume = Schema.TaggedStruct("AllUnitsVolume", volumeFields)
/** `rate` of only the part of the subtotal above `threshold`. */
export const MarginalVolume = Schema.TaggedStruct("MarginalVolume", volumeFields)

/** A discount rule. */
export const DiscountRule = Schema.Union([NoDiscount, CappedVolume, AllUnitsVolume, MarginalVolume]).annotate(
  {
    identifier: "DiscountRule"
  }
)
export type DiscountRule = typeof DiscountRule.Type

/** The reference card's rule: 5% over $5,000, capped at the threshold. */
export const referenceCard: DiscountRule = {
  _tag: "CappedVolume",
  threshold: Decimal.unsafe("5000"),
  rate: Decimal.unsafe("0.05")
}

/**
 * The discount (never negative, never above the subtotal) that a rule gives a subtotal, rounded by
 * the named mode. `qualifying` is the amount that earns the all-units rule (the bill before
 * coupons, when coupons come first; the subtotal by default): under that rule a coupon that took
 * the bill below the threshold would cost the whole discount and raise the total, so a coupon
 * never decides whether it is earned. The capped and marginal rules need no such care: their
 * discounted amount never decreases as the subtotal grows.
 */
export const compute = (
  rule: DiscountRule,
  subtotal: Money.Money,
  mode: Money.RoundingMode,
  qualifying: Money.Money = subtotal
): Money.Money => {
  const zero = Money.zero(subtotal.currency)
  if (rule._tag === "NoDiscount") return zero
  const threshold = Money.round(rule.threshold, subtotal.currency, mode)
  if (rule._tag === "AllUnitsVolume")
    return qualifying.minor <= threshold.minor
      ? zero
      : Money.round(BigDecimal.multiply(Money.toDecimal(subtotal), rule.rate), subtotal.currency, mode)
  if (subtotal.minor <= threshold.minor) return zero
  const s = Money.toDecimal(subtotal)
  switch (rule._tag) {
    case "MarginalVolume":
      return Money.round(
        BigDecimal.multiply(Money.toDecimal(Money.subtract(subtotal, threshold)), rule.rate),
        subtotal.currency,
        mode
      )
    case "CappedVolume":
      return Money.min(
        Money.round(BigDecimal.multiply(s, rule.rate), subtotal.currency, mode),
        Money.subtract(subtotal, threshold)
      )
  }
}

/** A line for the invoice: "Volume discount 5% over $5,000.00". */
export const describe = (rule: DiscountRule, currency: Money.Money["currency"]): string | null => {
  if (rule._tag === "NoDiscount") return null
  const threshold = Money.format(Money.round(rule.threshold, currency))
  const rate = Decimal.formatPercent(rule.rate)
  switch (rule._tag) {
    case "CappedVolume":
      return `Volume discount ${rate} over ${threshold} (never below ${threshold})`
    case "AllUnitsVolume":
      return `Volume discount ${rate} on bills over ${threshold}`
    case "MarginalVolume":
      return `Volume discount ${rate} of the amount over ${threshold}`
  }
}
