/**
 * Money in integer minor units of a currency, the one rounding function that turns an exact decimal
 * into money, and the allocations that split an amount without losing a cent (largest remainder,
 * and the house-monotone D'Hondt apportionment).
 *
 * Amounts are `bigint` minor units (cents for USD), so sums never overflow and never drift. Unit
 * prices, rates and quantities stay exact decimals until {@link round} names how they become money.
 */
import { BigDecimal, Effect, Schema, SchemaTransformation } from "effect"
import { Currency, exponent } from "./Currency.ts"
import * as Decimal from "./Decimal.ts"

/** An amount of money: integer minor units of one currency. */
export interface Money {
  readonly currency: Currency
  readonly minor: bigint
}

/**
 * The largest amount of money SecureBase handles, in minor units: 2^53 − 1 (9,007,199,254,740,991;
 * about $90 trillion in cents). Every amount of an invoice stays within it, so it fits PostgreSQL's
 * `bigint` (2^63 − 1) with room for any sum of lines, and stays exact even for a client that reads
 * the amount's string as a JSON number. Larger is refused with {@link AmountOutOfRange}.
 */
export const maxMinor: bigint = 2n ** 53n - 1n

/** An amount beyond {@link maxMinor} (either sign): an invoice cannot hold it. */
export class AmountOutOfRange extends Schema.TaggedError<AmountOutOfRange>()("AmountOutOfRange", {
  /** Which amount (`line api_calls`, `subtotal`, `total`, ...). */
  what: Schema.String,
  /** The amount, in minor units, as an integer string. */
  minor: Schema.String,
  currency: Currency
}) {
  /** Stable error code. */
  readonly code = "AMOUNT.OUT_OF_RANGE"
  override get message(): string {
    return `${this.what} of ${this.minor} ${this.currency} minor units exceeds the limit of ${maxMinor}`
  }
}

/** Whether an amount in minor units is within ±{@link maxMinor}. */
export const isWithinRange = (minor: bigint): boolean => minor <= maxMinor && minor >= -maxMinor

/** Succeeds with `money` when it is within ±{@link maxMinor}; names it as `what` otherwise. */
export const ensureWithinRange = (what: string, money: Money): Effect.Effect<Money, AmountOutOfRange> =>
  isWithinRange(money.minor)
    ? Effect.succeed(money)
    : Effect.fail(new AmountOutOfRange({ what, minor: money.minor.toString(), currency: money.currency }))

/**
 * Integer minor units within ±{@link maxMinor}. Decodes from an integer string (`"200000"`) or a
 * safe integer (`200000`); encodes to a string so no JSON reader ever rounds a large amount through
 * a float.
 */
export const MinorUnits = Schema.Union([
  Schema.String.check(
    Schema.isPattern(/^-?\d{1,30}$/, { message: "expected an integer amount in minor units" })
  ),
  Schema.Int
])
  .pipe(
    Schema.decodeTo(
      Schema.BigInt.check(
        Schema.isBetweenBigInt(
          { minimum: -maxMinor, maximum: maxMinor },
          { message: `must be within ±${maxMinor} minor units` }
        )
      ),
      SchemaTransformation.transform<bigint, string | number>({
        decode: (v) => BigInt(v),
        encode: (v) => v.toString()
      })
    )
  )
  .annotate({ identifier: "MinorUnits", description: "integer amount in the currency's minor unit (cents)" })

/** The Schema of {@link Money}. */
export const Money = Schema.Struct({ currency: Currency, minor: MinorUnits }).annotate({
  identifier: "Money"
})

/** Money has a fixed currency; mixing two is a programming error, not a user error. */
export class CurrencyMismatch extends Schema.TaggedError<CurrencyMismatch>()("CurrencyMismatch", {
  expected: Currency,
  actual: Currency
}) {
  /** Stable error code. */
  readonly code = "MONEY.CURRENCY_MISMATCH"
}

/**
 * The named rounding modes. `half-up` is commercial rounding (halves away from zero) and the
 * default everywhere; `half-even` is banker's rounding; `up`/`down` are away from / toward zero.
 */
export const RoundingMode = Schema.Literals([
  "half-up",
  "half-even",
  "half-down",
  "up",
  "down",
  "ceiling",
  "floor"
])
export type RoundingMode = typeof RoundingMode.Type

/** The rounding mode used when none is named: half-up to the currency's minor unit. */
export const defaultRounding: RoundingMode = "half-up"

const bigDecimalMode: Record<RoundingMode, BigDecimal.RoundingMode> = {
  "half-up": "half-from-zero",
  "half-even": "half-even",
  "half-down": "half-to-zero",
  up: "from-zero",
  down: "to-zero",
  ceiling: "ceil",
  floor: "floor"
}

/** Makes money from integer minor units. */
export const make = (currency: Currency, minor: bigint): Money => ({ currency, minor })

/** Zero of a currency. */
export const zero = (currency: Currency): Money => ({ currency, minor: 0n })

/**
 * THE rounding function: an exact decimal amount in major units (dollars) becomes money in minor
 * units (cents) by the named mode. Every place where a price, a discount or a tax becomes money
 * goes through here.
 */
export const round = (
  amount: BigDecimal.BigDecimal,
  currency: Currency,
  mode: RoundingMode = defaultRounding
): Money => {
  const e = exponent(currency)
  const rounded = BigDecimal.round(amount, { scale: e, mode: bigDecimalMode[mode] })
  return { currency, minor: BigDecimal.scale(rounded, e).value }
}

/** The exact decimal value of money in major units (12345 cents → 123.45). */
export const toDecimal = (money: Money): BigDecimal.BigDecimal =>
  BigDecimal.make(money.minor, exponent(money.currency))

/**
 * Parses an amount in major units ("5000.00") exactly; fails when it has more decimals than the
 * currency's minor unit, because that amount is not money.
 */
export const fromMajor = (currency: Currency, amount: string): Money | undefined => {
  const parsed = /^(-?)(\d+)(?:\.(\d+))?$/.exec(amount)
  if (parsed === null) return undefined
  const [, sign, whole, frac = ""] = parsed
  const e = exponent(currency)
  if (frac.length > e) return undefined
  const minor = BigInt(`${whole}${frac.padEnd(e, "0")}`)
  return { currency, minor: sign === "-" ? -minor : minor }
}

/** Major-unit literal known at compile time ("2000.00" USD); throws if it is not money. */
export const unsafeMajor = (currency: Currency, amount: string): Money => {
  const money = fromMajor(currency, amount)
  if (money === undefined) throw new RangeError(`not an amount of ${currency}: ${amount}`)
  return money
}

const same = (a: Money, b: Money): void => {
  if (a.currency !== b.currency) throw new CurrencyMismatch({ expected: a.currency, actual: b.currency })
}

/** a + b (same currency). */
export const add = (a: Money, b: Money): Money => {
  same(a, b)
  return { currency: a.currency, minor: a.minor + b.minor }
}

/** a − b (same currency). */
export const subtract = (a: Money, b: Money): Money => {
  same(a, b)
  return { currency: a.currency, minor: a.minor - b.minor }
}

/** The sum of amounts of one currency (zero when empty). */
export const sum = (currency: Currency, amounts: Iterable<Money>): Money => {
  let minor = 0n
  for (const m of amounts) {
    if (m.currency !== currency) throw new CurrencyMismatch({ expected: currency, actual: m.currency })
    minor += m.minor
  }
  return { currency, minor }
}

/** The smaller of two amounts. */
export const min = (a: Money, b: Money): Money => {
  same(a, b)
  return a.minor <= b.minor ? a : b
}

/** The larger of two amounts. */
export const max = (a: Money, b: Money): Money => {
  same(a, b)
  return a.minor >= b.minor ? a : b
}

/** Three-way comparison: -1, 0 or 1. */
export const compare = (a: Money, b: Money): -1 | 0 | 1 => {
  same(a, b)
  return a.minor < b.minor ? -1 : a.minor > b.minor ? 1 : 0
}

/** Whether two amounts are the same money. */
export const equals = (a: Money, b: Money): boolean => a.currency === b.currency && a.minor === b.minor

/**
 * Splits `total` into parts proportional to `weights`, by the largest-remainder method: every part
 * is whole minor units, the parts add up to `total` exactly, and the leftover cents go to the parts
 * with the largest remainders (ties to the earlier part). All-zero weights split evenly.
 */
export const allocate = (total: Money, weights: ReadonlyArray<bigint>): Array<Money> => {
  if (weights.length === 0) throw new RangeError("allocate needs at least one weight")
  if (weights.some((w) => w < 0n)) throw new RangeError("allocation weights must not be negative")
  const ws = weights.every((w) => w === 0n) ? weights.map(() => 1n) : weights
  const negative = total.minor < 0n
  const amount = negative ? -total.minor : total.minor
  const weightSum = ws.reduce((a, b) => a + b, 0n)
  const shares = ws.map((w) => (amount * w) / weightSum)
  const remainders = ws.map((w, i) => ({ i, r: (amount * w) % weightSum }))
  let leftover = amount - shares.reduce((a, b) => a + b, 0n)
  remainders.sort((a, b) => (a.r === b.r ? a.i - b.i : a.r > b.r ? -1 : 1))
  for (const { i } of remainders) {
    if (leftover === 0n) break
    shares[i] = shares[i]! + 1n
    leftover -= 1n
  }
  return shares.map((s) => ({ currency: total.currency, minor: negative ? -s : s }))
}

/**
 * Apportions `house` whole minor units (≥ 0) among parts proportional to `weights` by D'Hondt
 * (Jefferson's divisor method): the same seats as handing out units one at a time to the part with
 * the highest `w / (s + 1)`, ties to the earlier part. Unlike {@link allocate} (largest remainder,
 * which suffers the Alabama paradox for three or more parts) it is house-monotone: no part ever
 * shrinks as `house` grows, so differences of cumulative apportionments are never negative. When
 * `house` is the weights' sum, every part is exactly its weight.
 *
 * Computed in O(parts²) whatever the size of `house`: the lower quotas `floor(house · w / Σw)` are
 * the seats of every quotient `w / k ≥ Σw / house`, which the greedy hands out before any other,
 * so it starts from them and has at most parts − 1 units left to hand out one by one, compared by
 * exact bigint cross-multiplication.
 */
export const apportion = (house: bigint, weights: ReadonlyArray<bigint>): Array<bigint> => {
  if (house < 0n) throw new RangeError("apportion needs a house of zero or more")
  if (weights.some((w) => w < 0n)) throw new RangeError("apportionment weights must not be negative")
  const total = weights.reduce((a, b) => a + b, 0n)
  if (total === 0n) {
    if (house === 0n) return weights.map(() => 0n)
    throw new RangeError("apportionment weights must not all be zero")
  }
  const seats = weights.map((w) => (house * w) / total)
  let left = house - seats.reduce((a, b) => a + b, 0n)
  while (left > 0n) {
    let best = -1
    for (let i = 0; i < weights.length; i++) {
      if (weights[i] === 0n) continue
      // w_i / (s_i + 1) > w_best / (s_best + 1), strictly, so a tie stays with the earlier part.
      if (best < 0 || weights[i]! * (seats[best]! + 1n) > weights[best]! * (seats[i]! + 1n)) best = i
    }
    seats[best] = seats[best]! + 1n
    left -= 1n
  }
  return seats
}

const symbols: Partial<Record<Currency, string>> = { USD: "$", EUR: "€", GBP: "£", JPY: "¥" }

/** Human form with grouping, exact digits and the currency's symbol or code: "$5,000.00". */
export const format = (money: Money): string => {
  const e = exponent(money.currency)
  const negative = money.minor < 0n
  const digits = (negative ? -money.minor : money.minor).toString().padStart(e + 1, "0")
  const whole = digits.slice(0, digits.length - e).replace(/\B(?=(\d{3})+(?!\d))/g, ",")
  const frac = e > 0 ? `.${digits.slice(digits.length - e)}` : ""
  const symbol = symbols[money.currency]
  const body = symbol === undefined ? `${money.currency} ${whole}${frac}` : `${symbol}${whole}${frac}`
  return negative ? `-${body}` : body
}

/**
 * An exact amount in major units (a unit price, a breakdown amount before rounding) with the
 * currency's symbol or code, grouping, and at least the currency's minor digits: "$0.0003",
 * "$15,000.00", "-$1.50". Nothing is rounded: "$0.04995" stays as it is.
 */
export const formatExact = (currency: Currency, amount: BigDecimal.BigDecimal): string => {
  const e = exponent(currency)
  const negative = BigDecimal.isNegative(amount)
  const plain = Decimal.format(BigDecimal.abs(amount))
  const [whole = "0", frac = ""] = plain.split(".")
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",")
  const digits = frac.padEnd(e, "0")
  const body = `${grouped}${digits === "" ? "" : `.${digits}`}`
  const symbol = symbols[currency]
  const text = symbol === undefined ? `${currency} ${body}` : `${symbol}${body}`
  return negative ? `-${text}` : text
}
