/**
 * ISO 4217 currencies and their minor-unit exponents.
 *
 * The exponent decides where every rounding of a currency lands (cents for USD, whole yen for JPY,
 * fils for BHD), so it is data, never an assumption of "two decimals".
 */
import { Schema } from "effect"

/** Minor-unit exponents of the currencies SecureBase prices in. */
export const minorUnitExponents = {
  USD: 2,
  EUR: 2,
  GBP: 2,
  CAD: 2,
  AUD: 2,
  CHF: 2,
  JPY: 0,
  KRW: 0,
  BHD: 3,
  KWD: 3
} as const

/** A supported ISO 4217 currency code. */
export const Currency = Schema.Literals(
  Object.keys(minorUnitExponents) as Array<keyof typeof minorUnitExponents>
).annotate({ identifier: "Currency", description: "ISO 4217 currency code" })
export type Currency = typeof Currency.Type

/** The number of decimal places of the currency's minor unit (2 for USD cents). */
export const exponent = (currency: Currency): number => minorUnitExponents[currency]
