/**
 * Generators of exact decimals in a range: quantities, unit prices, rates. Each value is built
 * from an integer and a scale (never from a float), so every decimal the generator can produce is
 * one a price book could write, and shrinking heads for fewer decimals and smaller magnitudes.
 */
import { Arbitrary, BigDecimal } from "effect"
import * as Decimal from "../money/Decimal.ts"
import { bigint, int } from "./Primitives.ts"

/** Bounds of {@link decimal}: a closed range written as decimal strings, and the most decimals. */
export interface DecimalOptions {
  readonly min?: string | undefined
  readonly max?: string | undefined
  readonly maxScale?: number | undefined
}

const scaled = (d: BigDecimal.BigDecimal, scale: number, round: "ceil" | "floor"): bigint => {
  const shifted = BigDecimal.multiply(d, BigDecimal.make(10n ** BigInt(scale), 0))
  const whole = round === "ceil" ? BigDecimal.ceil(shifted) : BigDecimal.floor(shifted)
  return BigDecimal.scale(whole, 0).value
}

/**
 * An exact decimal in [min, max] (default 0..1,000,000) with at most `maxScale` decimals
 * (default 6), normalized; shrinks toward fewer decimals and toward `min`.
 */
export const decimal = (options: DecimalOptions = {}): Arbitrary.Arbitrary<BigDecimal.BigDecimal> => {
  const min = Decimal.unsafe(options.min ?? "0")
  const max = Decimal.unsafe(options.max ?? "1000000")
  const maxScale = options.maxScale ?? 6
  if (BigDecimal.isGreaterThan(min, max)) throw new RangeError("decimal: min exceeds max")
  // Precompiled per scale: a dependent generator is re-derived on every shrink otherwise.
  const byScale = Array.from({ length: maxScale + 1 }, (_, scale) =>
    Arbitrary.map(bigint(scaled(min, scale, "ceil"), scaled(max, scale, "floor")), (v) =>
      BigDecimal.normalize(BigDecimal.make(v, scale))
    )
  )
  return Arbitrary.flatMap(int(0, maxScale), (scale) => byScale[scale]!)
}

/** A non-negative usage quantity: 0..10,000,000 with up to 3 decimals (GB, hours, calls). */
export const quantity: Arbitrary.Arbitrary<BigDecimal.BigDecimal> = decimal({ max: "10000000", maxScale: 3 })

/** A whole, non-negative quantity 0..10,000,000 (calls, scans, accounts). */
export const wholeQuantity: Arbitrary.Arbitrary<BigDecimal.BigDecimal> = decimal({
  max: "10000000",
  maxScale: 0
})

/** A unit price 0..1,000 in major units with up to 6 decimals ("0.0004", "150", "0.000125"). */
export const unitPrice: Arbitrary.Arbitrary<BigDecimal.BigDecimal> = decimal({ max: "1000", maxScale: 6 })

/** A fixed fee or flat price 0..50,000 in major units with up to 2 decimals. */
export const fee: Arbitrary.Arbitrary<BigDecimal.BigDecimal> = decimal({ max: "50000", maxScale: 2 })

/** A rate 0..1 with up to 4 decimals ("0.08" is 8%). */
export const rate: Arbitrary.Arbitrary<BigDecimal.BigDecimal> = decimal({ min: "0", max: "1", maxScale: 4 })

/** A strictly positive decimal up to `max` (default 1,000,000) with up to `maxScale` decimals. */
export const positive = (
  options: Omit<DecimalOptions, "min"> = {}
): Arbitrary.Arbitrary<BigDecimal.BigDecimal> => {
  const maxScale = options.maxScale ?? 6
  // The least positive value with `maxScale` decimals, so no generated zero is ever discarded.
  const least = maxScale === 0 ? "1" : `0.${"1".padStart(maxScale, "0")}`
  return decimal({ ...options, min: least, maxScale })
}
