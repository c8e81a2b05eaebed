/**
 * Dates in the user's locale and time zone; billing periods are UTC calendar months, and say so.
 */
import { DateTime } from "effect"

const date = (locale?: string) => new Intl.DateTimeFormat(locale, { dateStyle: "medium" })
const dateTime = (locale?: string) =>
  new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" })

/** A day in the user's time zone ("Nov 28, 2026"). */
export const formatDate = (at: DateTime.DateTime, locale?: string): string =>
  date(locale).format(DateTime.toDateUtc(at))

/** An instant in the user's time zone ("Nov 28, 2026, 9:14 PM"). */
export const formatDateTime = (at: DateTime.DateTime, locale?: string): string =>
  dateTime(locale).format(DateTime.toDateUtc(at))

/** The UTC month of a period ("2026-10" → "October 2026"). */
export const formatPeriod = (period: string, locale?: string): string => {
  const [year, month] = period.split("-").map(Number)
  return new Intl.DateTimeFormat(locale, { month: "long", year: "numeric", timeZone: "UTC" }).format(
    new Date(Date.UTC(year!, month! - 1, 1))
  )
}

/** A period with its time zone named, as billing uses it ("October 2026 (UTC)"). */
export const formatPeriodUtc = (period: string, locale?: string): string =>
  `${formatPeriod(period, locale)} (UTC)`

/** A short month label for charts ("Oct 26"). */
export const formatMonthShort = (period: string, locale?: string): string => {
  const [year, month] = period.split("-").map(Number)
  return new Intl.DateTimeFormat(locale, { month: "short", year: "2-digit", timeZone: "UTC" }).format(
    new Date(Date.UTC(year!, month! - 1, 1))
  )
}
