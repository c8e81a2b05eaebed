/**
 * Exact decimals for unit prices, rates and quantities (effect `BigDecimal`), with the Schema that
 * decodes them from strings such as `"0.0004"` so a price book never passes through a float.
 */
import { BigDecimal, Schema, SchemaTransformation } from "effect"

const decimalPattern = /^-?\d{1,30}(\.\d{1,30})?$/

// `BigDecimal.format` switches to exponent notation ("1e+16") once the normalized scale reaches ±16,
// which the pattern above rejects: encoding must write every digit so a decoded value round-trips.
const plain = (d: BigDecimal.BigDecimal): string => {
  const n = BigDecimal.normalize(d)
  if (n.scale <= 0) return (n.value * 10n ** BigInt(-n.scale)).toString()
  const negative = n.value < 0n
  const digits = (negative ? -n.value : n.value).toString().padStart(n.scale + 1, "0")
  const body = `${digits.slice(0, digits.length - n.scale)}.${digits.slice(digits.length - n.scale)}`
  return negative ? `-${body}` : body
}

/** A decimal written as a string (`"12.5"`, `"0.0004"`), decoded exactly, never through `number`. */
export const Decimal = Schema.String.check(
  Schema.isPattern(decimalPattern, { message: "expected a decimal number such as 12.5 or 0.0004" })
)
  .pipe(
    Schema.decodeTo(
      Schema.BigDecimal,
      SchemaTransformation.transform({
        decode: (s: string) => BigDecimal.fromStringUnsafe(s),
        encode: (d: BigDecimal.BigDecimal) => plain(d)
      })
    )
  )
  .annotate({ identifier: "Decimal", description: 'an exact decimal written as a string, e.g. "0.0004"' })
export type Decimal = BigDecimal.BigDecimal

/** A decimal that is zero or more. */
export const NonNegativeDecimal = Decimal.check(
  Schema.isGreaterThanOrEqualToBigDecimal(BigDecimal.fromBigInt(0n), { message: "must not be negative" })
)

/** A decimal that is strictly positive. */
export const PositiveDecimal = Decimal.check(
  Schema.isGreaterThanBigDecimal(BigDecimal.fromBigInt(0n), { message: "must be greater than zero" })
)

/** A rate between 0 and 1 inclusive, such as `"0.08"` for 8%. */
export const Rate = Decimal.check(
  Schema.isBetweenBigDecimal(
    { minimum: BigDecimal.fromBigInt(0n), maximum: BigDecimal.fromBigInt(1n) },
    { message: "must be a rate between 0 and 1 (0.08 is 8%)" }
  )
)

/** Parses a decimal literal known at compile time; throws on a malformed literal. */
export const unsafe = (s: string): BigDecimal.BigDecimal => {
  if (!decimalPattern.test(s)) throw new RangeError(`not a decimal literal: ${s}`)
  return BigDecimal.fromStringUnsafe(s)
}

/** Zero. */
export const zero: BigDecimal.BigDecimal = BigDecimal.fromBigInt(0n)

/** One. */
export const one: BigDecimal.BigDecimal = BigDecimal.fromBigInt(1n)

/** Formats a decimal as a plain string ("0.0004", "12"). */
export const format = (d: BigDecimal.BigDecimal): string => plain(d)

/** Formats a rate as a percentage ("8%", "5.5%"). */
export const formatPercent = (rate: BigDecimal.BigDecimal): string =>
  `${format(BigDecimal.multiply(rate, BigDecimal.fromBigInt(100n)))}%`

/** a + b. */
export const add = (a: BigDecimal.BigDecimal, b: BigDecimal.BigDecimal): BigDecimal.BigDecimal =>
  BigDecimal.sum(a, b)

/** Formats a decimal with thousands separators ("1,240,000", "2,345.67"). */
export const formatGrouped = (d: BigDecimal.BigDecimal): string => {
  const [whole = "", frac] = format(d).split(".")
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",")
  return frac === undefined ? grouped : `${grouped}.${frac}`
}
