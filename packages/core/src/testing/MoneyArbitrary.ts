/**
 * Generators of currencies, rounding modes and money: integer minor units for amounts, and exact
 * decimal amounts with more decimals than the currency has, for the rounding laws.
 */
import { Arbitrary, type BigDecimal } from "effect"
import { Currency } from "../money/Currency.ts"
import * as Money from "../money/Money.ts"
import { decimal } from "./DecimalArbitrary.ts"
import { bigint, element } from "./Primitives.ts"

/** Any supported currency (USD, JPY with no minor unit, BHD with three decimals, ...). */
export const currency: Arbitrary.Arbitrary<Currency> = element(Currency.literals)

/** Any named rounding mode. */
export const roundingMode: Arbitrary.Arbitrary<Money.RoundingMode> = element(Money.RoundingMode.literals)

/** Bounds of {@link minorUnits} and {@link money}, in minor units (default 0..10^12). */
export interface AmountOptions {
  readonly min?: bigint | undefined
  readonly max?: bigint | undefined
}

/** An amount in minor units in [min, max] (default 0..10^12, ten billion dollars). */
export const minorUnits = (options: AmountOptions = {}): Arbitrary.Arbitrary<bigint> =>
  bigint(options.min ?? 0n, options.max ?? 10n ** 12n)

/** Money of a currency (any currency when none is given) in [min, max] minor units. */
export const money = (
  options: AmountOptions & { readonly currency?: Currency | undefined } = {}
): Arbitrary.Arbitrary<Money.Money> =>
  Arbitrary.map(
    Arbitrary.all({
      currency: options.currency === undefined ? currency : Arbitrary.Constant(options.currency),
      minor: minorUnits(options)
    }),
    ({ currency, minor }) => Money.make(currency, minor)
  )

/**
 * An exact amount in major units between −1,000,000 and 1,000,000 with up to 8 decimals: more
 * than any currency's minor unit, so it has to be rounded to become money.
 */
export const exactAmount: Arbitrary.Arbitrary<BigDecimal.BigDecimal> = decimal({
  min: "-1000000",
  max: "1000000",
  maxScale: 8
})
