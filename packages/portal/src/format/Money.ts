/**
 * Money and quantities as people read them, exactly. An amount arrives as integer minor units
 * (a bigint); it is written as a decimal string by moving the point (never by dividing a float,
 * which rounds large amounts wrong) and `Intl.NumberFormat` formats that string as an exact decimal
 * in the user's locale, with the currency.
 */
import { Currency } from "@securebase/core"
import { BigDecimal } from "effect"

/** `amount` minor units of `currency` as an exact decimal string: 123456n USD → "1234.56". */
export const toDecimalString = (amount: bigint, exponent: number): string => {
  const negative = amount < 0n
  const digits = (negative ? -amount : amount).toString().padStart(exponent + 1, "0")
  const body = exponent === 0 ? digits : `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`
  return negative ? `-${body}` : body
}

const exponentOf = (currency: string): number =>
  currency in Currency.minorUnitExponents ? Currency.exponent(currency as Currency.Currency) : 2

/** `amount` minor units of `currency`, formatted for `locale` (the user's by default): 123456n USD → "$1,234.56". */
export const formatMoney = (amount: bigint, currency: string, locale?: string): string => {
  const exponent = exponentOf(currency)
  return new Intl.NumberFormat(locale, {
    style: "currency",
    currency,
    minimumFractionDigits: exponent,
    maximumFractionDigits: exponent
  }).format(toDecimalString(amount, exponent) as `${number}`)
}

/** An amount in major units as a float, for a chart's geometry only (never for display or sums). */
export const chartAmount = (amount: bigint, currency: string): number =>
  Number(toDecimalString(amount, exponentOf(currency)))

/** An exact decimal as a plain string (no exponent notation). */
export const decimalString = (d: BigDecimal.BigDecimal): string => {
  const n = BigDecimal.normalize(d)
  if (n.scale <= 0) return (n.value * 10n ** BigInt(-n.scale)).toString()
  return toDecimalString(n.value, n.scale)
}

/** A quantity, formatted exactly for `locale` with up to `digits` fraction digits. */
export const formatQuantity = (d: BigDecimal.BigDecimal, locale?: string, digits = 4): string =>
  new Intl.NumberFormat(locale, { maximumFractionDigits: digits }).format(decimalString(d) as `${number}`)

/** A rate such as 0.08 as a percentage ("8%"), exactly. */
export const formatPercent = (rate: BigDecimal.BigDecimal, locale?: string): string =>
  new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 4 }).format(
    decimalString(rate) as `${number}`
  )

/**
 * An exact amount in major units (a breakdown's precise amount, a unit price), formatted with the
 * currency and every fraction digit it has, never fewer than the currency's own: 0.0004 USD →
 * "$0.0004", 12.5 USD → "$12.50".
 */
export const formatPreciseMoney = (d: BigDecimal.BigDecimal, currency: string, locale?: string): string => {
  const exponent = exponentOf(currency)
  const scale = Math.max(0, BigDecimal.normalize(d).scale)
  return new Intl.NumberFormat(locale, {
    style: "currency",
    currency,
    minimumFractionDigits: exponent,
    maximumFractionDigits: Math.min(100, Math.max(exponent, scale))
  }).format(decimalString(d) as `${number}`)
}
