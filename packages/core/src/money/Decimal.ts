/**
 * Exact decimals for unit prices, rates and quantities (effect `BigDecimal`), with the Schema that
 * decodes them from strings such as `"0.0004"` so a price book never passes through a float.
 */
import { BigDecimal, Schema, SchemaTransformation } from "effect"

const decimalPattern = /^-?\d{1,30}(\.\d{1,30})?$/u

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

// The `u` flag lets the JSON Schema of a price book carry each pattern, so an editor checks a
// decimal string as it is typed; the patterns mean the same with or without it.
const decimalCheck = Schema.isPattern(decimalPattern, {
  message: "expected a decimal number such as 12.5 or 0.0004"
})

const toBigDecimal = SchemaTransformation.transform({
  decode: (s: string) => BigDecimal.fromStringUnsafe(s),
  encode: (d: BigDecimal.BigDecimal) => plain(d)
})

// Each decimal Schema is built from its own string Schema: the checks and descriptions of the
// string side are what its JSON Schema (and an editor) sees; the checks of the decoded side are
// what `Schema.is` sees. Both say the same thing.
const decimalString = (
  identifier: string,
  description: string,
  ...checks: ReadonlyArray<ReturnType<typeof Schema.isPattern>>
) =>
  // Annotated before its checks, so the description sits at the top of the generated JSON Schema
  // (where an editor shows it), not inside an `allOf` branch.
  Schema.String.annotate({ description, title: identifier })
    .check(decimalCheck, ...checks)
    .pipe(Schema.decodeTo(Schema.BigDecimal, toBigDecimal))

/** A decimal written as a string (`"12.5"`, `"0.0004"`), decoded exactly, never through `number`. */
export const Decimal = decimalString("Decimal", 'an exact decimal written as a string, e.g. "0.0004"')
export type Decimal = BigDecimal.BigDecimal

const nonNegativeMessage = { message: "must not be negative" }

/** A decimal that is zero or more. */
export const NonNegativeDecimal = decimalString(
  "NonNegativeDecimal",
  'an exact decimal, zero or more, written as a string, e.g. "0.0004"',
  // "-0" is zero, so it is not refused.
  Schema.isPattern(/^([^-]|-0*(\.0*)?$)/u, nonNegativeMessage)
).check(Schema.isGreaterThanOrEqualToBigDecimal(BigDecimal.fromBigInt(0n), nonNegativeMessage))

/** A decimal that is strictly positive. */
export const PositiveDecimal = decimalString(
  "PositiveDecimal",
  'an exact decimal greater than zero, written as a string, e.g. "100"',
  Schema.isPattern(/^[^-]/u, { message: "must be greater than zero" }),
  Schema.isPattern(/[1-9]/u, { message: "must be greater than zero" })
).check(Schema.isGreaterThanBigDecimal(BigDecimal.fromBigInt(0n), { message: "must be greater than zero" }))

const rateMessage = { message: "must be a rate between 0 and 1 (a fraction: 0.08 is 8%, 0.013 is 1.3%)" }

/**
 * A rate: a FRACTION between 0 and 1 inclusive, never a percentage. `"0.08"` is 8%, `"0.013"` is
 * 1.3%; `"1.3"` is refused (it would be 130%), and `"0.013"` never means 0.013%.
 */
export const Rate = decimalString(
  "Rate",
  'a fraction between 0 and 1 written as a string, NOT a percentage: "0.08" is 8%, "0.013" is 1.3%',
  Schema.isPattern(/^(0*(\.\d+)?|0*1(\.0+)?)$/u, rateMessage)
).check(
  Schema.isBetweenBigDecimal(
    { minimum: BigDecimal.fromBigInt(0n), maximum: BigDecimal.fromBigInt(1n) },
    rateMessage
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
