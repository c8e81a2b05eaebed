/**
 * Proration of flat charges when a customer's plan changes inside a month (pure maths, no I/O).
 *
 * SecureBase bills a month in arrears, so a month with plan changes is split into segments, one
 * per plan in force, measured in whole UTC days: a change effective at an instant belongs to the
 * day it falls on, and the new plan is charged from the start of that day (a change at the first
 * instant of a month has no old-plan segment). The days of the segments add up to the days of the
 * month.
 *
 * Each plan's flat fee for the month, first rounded to minor units by the book's rounding, is
 * split over the month's days by the largest-remainder method (`Money.allocate`, the named
 * rounding of this module: whole cents, parts adding up exactly, leftover cents to the largest
 * remainders, ties to the earlier day). A segment is charged its plan's share of its days.
 *
 * Stated as Stripe states an upgrade, a change from A to B on day d of an n-day month is a
 * **credit** of A's share of the days d..n and a **charge** of B's share of the same days, on top
 * of A's whole fee: the invoice shows the resulting segments, each "plan, days x/n". For example,
 * $500.00 (standard) to $2,500.00 (fintech) on 16 November (30 days, 15 used): A's fee by day is
 * 20 × $16.67 then 10 × $16.66 (= $500.00), so the standard segment (days 1-15) is $250.05 and
 * the credit of days 16-30 is $249.95; B's fee by day is 10 × $83.34 then 20 × $83.33, so the
 * charge of days 16-30 is $1,249.95; the month's flat fees are $250.05 + $1,249.95 = $1,500.00,
 * which is $500.00 − $249.95 + $1,249.95 to the cent.
 * For an unchanged plan the credit and the charge cancel exactly, and no cent is lost.
 */
import { DateTime } from "effect"
import * as Money from "../money/Money.ts"
import * as Period from "./Period.ts"

const dayMillis = 86_400_000

/** The number of days of a month (28 to 31). */
export const daysIn = (period: Period.Period): number =>
  // The calendar's answer: the day of the month of its last day (UTC months are whole days).
  DateTime.getPartUtc(DateTime.subtract(Period.end(period), { days: 1 }), "day")

/**
 * The day of the month (0-based) on which a change effective at `at` starts to be charged:
 * 0 before or at the month's start, `daysIn` at or after its end.
 */
export const dayOf = (period: Period.Period, at: DateTime.Utc): number => {
  const offset = DateTime.toEpochMillis(at) - DateTime.toEpochMillis(Period.start(period))
  return Math.min(daysIn(period), Math.max(0, Math.floor(offset / dayMillis)))
}

/** A plan in force, as the history records it. */
export interface PlanChange<P> {
  readonly effectiveAt: DateTime.Utc
  readonly to: P
}

/** A part of a month charged on one plan: days `[fromDay, toDay)` of the month. */
export interface Segment<P> {
  readonly plan: P
  readonly fromDay: number
  readonly toDay: number
  /** The exact instants the plan was in force within the month (for pricing usage by when it occurred). */
  readonly from: DateTime.Utc
  readonly to: DateTime.Utc
}

/**
 * The month's segments: `initial` is the plan in force at the month's start, `changes` the later
 * changes (any order; those outside the month are ignored, as are changes to the plan already in
 * force). Segments of zero days (two changes on one day) are dropped; the last change of a day
 * wins. The segments' days add up to the month's.
 */
export const segments = <P>(
  period: Period.Period,
  initial: P,
  changes: ReadonlyArray<PlanChange<P>>
): ReadonlyArray<Segment<P>> => {
  const start = Period.start(period)
  const end = Period.end(period)
  const inMonth = changes
    .filter((c) => DateTime.isGreaterThan(c.effectiveAt, start) && DateTime.isLessThan(c.effectiveAt, end))
    .toSorted((a, b) => DateTime.toEpochMillis(a.effectiveAt) - DateTime.toEpochMillis(b.effectiveAt))
  const out: Array<Segment<P>> = []
  let current = { plan: initial, fromDay: 0, from: start }
  for (const change of inMonth) {
    if (change.to === current.plan) continue
    const day = dayOf(period, change.effectiveAt)
    if (day > current.fromDay) out.push({ ...current, toDay: day, to: change.effectiveAt })
    current = {
      plan: change.to,
      fromDay: day,
      from: day > current.fromDay ? change.effectiveAt : current.from
    }
  }
  out.push({ ...current, toDay: daysIn(period), to: end })
  // Merge neighbours on the same plan (A → B → A within one day leaves A throughout).
  return out.reduce<Array<Segment<P>>>((acc, s) => {
    const last = acc.at(-1)
    if (last !== undefined && last.plan === s.plan)
      acc[acc.length - 1] = { ...last, toDay: s.toDay, to: s.to }
    else acc.push(s)
    return acc
  }, [])
}

/** A whole month's fee split over its days (largest remainder): whole minor units adding up to `fee`. */
export const byDay = (fee: Money.Money, days: number): ReadonlyArray<Money.Money> =>
  Money.allocate(
    fee,
    Array.from({ length: days }, () => 1n)
  )

/** The part of a month's `fee` charged for days `[fromDay, toDay)` of a `days`-day month. */
export const share = (fee: Money.Money, days: number, fromDay: number, toDay: number): Money.Money =>
  Money.sum(fee.currency, byDay(fee, days).slice(fromDay, toDay))

/** The credit of the old plan and the charge of the new one for a change on `day` of a `days`-day month. */
export interface Adjustment {
  /** The old plan's share of the days from the change on (what the customer no longer uses). */
  readonly credit: Money.Money
  /** The new plan's share of the same days. */
  readonly charge: Money.Money
  readonly daysUsed: number
  readonly daysRemaining: number
}

/** The credit and charge of changing from a plan with flat fee `from` to one with `to` on `day`. */
export const adjustment = (from: Money.Money, to: Money.Money, days: number, day: number): Adjustment => ({
  credit: share(from, days, day, days),
  charge: share(to, days, day, days),
  daysUsed: day,
  daysRemaining: days - day
})
