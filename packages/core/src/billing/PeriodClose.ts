/**
 * When a billing period closes. A period accepts usage until it has ended plus a grace for late
 * usage (`UsageGrace`, one hour unless a deployment sets `USAGE_GRACE`); from that instant on it
 * is billable and accepts no more usage. The one rule serves the API (late usage is refused), the
 * billing run (an open period is refused) and every scheduler (the run fires once the period is
 * billable).
 *
 * The clock is the first line only: instances whose clocks or settings disagree could still race
 * a late event against the billing run. The database closes that gap: once a customer's invoice
 * for a period exists, no event for that customer and period can be stored (`PeriodClosed`), and
 * the billing of a customer waits for events already being stored before it reads them.
 */
import { Context, DateTime, Duration, Effect, Schema } from "effect"
import { CustomerId, UsageEventId } from "../Ids.ts"
import * as Period from "./Period.ts"

/** The grace when a deployment sets none: late events have an hour after the month ends. */
export const defaultUsageGrace: Duration.Duration = Duration.hours(1)

/** The longest grace a deployment may set (a typo such as "30 weeks" must not hold a month open for good). */
export const maxUsageGrace: Duration.Duration = Duration.days(31)

/** How long after its end a period still accepts usage (a deployment provides `USAGE_GRACE`). */
export const UsageGrace = Context.Reference<Duration.Duration>("@securebase/core/billing/UsageGrace", {
  defaultValue: () => defaultUsageGrace
})

/** The instant a period stops accepting usage and becomes billable: its end plus the grace. */
export const billableAt = (period: Period.Period, grace: Duration.Duration): DateTime.Utc =>
  DateTime.addDuration(Period.end(period), grace)

/** Whether a period may be billed at `at` (its end plus the grace has been reached). */
export const isBillable = (period: Period.Period, at: DateTime.DateTime, grace: Duration.Duration): boolean =>
  DateTime.isGreaterThanOrEqualTo(at, billableAt(period, grace))

/** Whether a period still accepts usage at `at`: exactly while it is not billable. */
export const acceptsUsage = (
  period: Period.Period,
  at: DateTime.DateTime,
  grace: Duration.Duration
): boolean => !isBillable(period, at, grace)

/**
 * The earliest instant whose period still accepts usage at `at`: the first instant of the month of
 * `at` minus the grace. An instant is accepted exactly when it is not before it (the same rule as
 * {@link acceptsUsage}, as one comparison per event instead of its period's calendar arithmetic).
 */
export const earliestAccepted = (at: DateTime.DateTime, grace: Duration.Duration): DateTime.Utc =>
  Period.start(Period.ofDateTime(DateTime.subtractDuration(DateTime.toUtc(at), grace)))

/** A billing run for a period that is still open (current, future, or within its grace). */
export class PeriodNotBillable extends Schema.TaggedError<PeriodNotBillable>()("PeriodNotBillable", {
  period: Period.Period,
  billableAt: Schema.DateTimeUtc,
  grace: Schema.Duration
}) {
  /** Stable error code. */
  readonly code = "BILLING.PERIOD_OPEN"
  override get message(): string {
    return `${this.period} is still open for usage: it becomes billable at ${DateTime.formatIso(this.billableAt)} (the end of the month plus the usage grace of ${Duration.format(this.grace)})`
  }
}

/** Usage for a period that no longer accepts it: its grace has passed, or it is invoiced already. */
export class PeriodClosed extends Schema.TaggedError<PeriodClosed>()("PeriodClosed", {
  customerId: CustomerId,
  period: Period.Period,
  reason: Schema.Literals(["grace-passed", "invoiced"]),
  /** The first refused event, when known. */
  eventId: Schema.optional(UsageEventId)
}) {
  /** Stable error code. */
  readonly code = "USAGE.PERIOD_CLOSED"
  override get message(): string {
    return this.reason === "invoiced"
      ? `${this.period} is already invoiced; late usage cannot be added to it`
      : `${this.period} closed for usage; late usage cannot be added to it`
  }
}

/** Succeeds when `period` is billable now (by `Clock` and `UsageGrace`), else `PeriodNotBillable`. */
export const requireBillable = Effect.fn("PeriodClose.requireBillable")(function* (period: Period.Period) {
  const grace = yield* UsageGrace
  const now = yield* DateTime.now
  if (!isBillable(period, now, grace)) {
    return yield* new PeriodNotBillable({ period, billableAt: billableAt(period, grace), grace })
  }
})

/**
 * What a monthly scheduler bills next, and when: the first period whose billable instant (its end
 * plus the grace) is after `now`. Inside a month's grace that is the month that just ended (it has
 * not closed yet); otherwise the month in progress.
 */
export const nextToBill = (
  now: DateTime.DateTime,
  grace: Duration.Duration
): { readonly period: Period.Period; readonly at: DateTime.Utc } => {
  const current = Period.ofDateTime(now)
  const previous = Period.previous(current)
  const period = isBillable(previous, now, grace) ? current : previous
  return { period, at: billableAt(period, grace) }
}
