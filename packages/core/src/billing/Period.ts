/**
 * Billing periods: calendar months in UTC, written `YYYY-MM`. A period is the half-open interval
 * [first instant of the month, first instant of the next month).
 */
import { DateTime, Schema } from "effect"

/** A billing period such as `2026-10`. */
export const Period = Schema.String.check(
  Schema.isPattern(/^(19|20|21)\d{2}-(0[1-9]|1[0-2])$/u, { message: "expected a month such as 2026-10" })
)
  .pipe(Schema.brand("Period"))
  .annotate({ identifier: "Period", description: "a calendar month in UTC, YYYY-MM" })
export type Period = typeof Period.Type

const pad = (n: number, width: number): string => n.toString().padStart(width, "0")

/** The period of a year and month (1-12). */
export const make = (year: number, month: number): Period => {
  const d = new Date(Date.UTC(year, month - 1, 1))
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}` as Period
}

/** Year and month (1-12) of a period. */
export const parts = (period: Period): { readonly year: number; readonly month: number } => ({
  year: Number(period.slice(0, 4)),
  month: Number(period.slice(5, 7))
})

/** The first instant of the period. */
export const start = (period: Period): DateTime.Utc => {
  const { year, month } = parts(period)
  return DateTime.makeUnsafe(Date.UTC(year, month - 1, 1))
}

/** The first instant after the period (exclusive end). */
export const end = (period: Period): DateTime.Utc => start(next(period))

/** The period that contains an instant. */
export const ofDateTime = (at: DateTime.DateTime): Period => {
  const p = DateTime.toParts(DateTime.toUtc(at))
  return make(p.year, p.month)
}

/** Whether an instant falls inside the period. */
export const contains = (period: Period, at: DateTime.DateTime): boolean => ofDateTime(at) === period

/** The month after. */
export const next = (period: Period): Period => {
  const { year, month } = parts(period)
  return make(year, month + 1)
}

/** The month before. */
export const previous = (period: Period): Period => {
  const { year, month } = parts(period)
  return make(year, month - 1)
}

/** The `count` periods ending with `period`, oldest first (12 gives the last year). */
export const trailing = (period: Period, count: number): Array<Period> => {
  const { year, month } = parts(period)
  return Array.from({ length: count }, (_, i) => make(year, month - (count - 1) + i))
}
