/**
 * The scheduled work of running the business, as one definition that every driver shares (the
 * `securebase bill` command, the Lambda scheduled handlers, a team's own scheduler):
 *
 * - `monthEnd`: once a month has closed, bill it (`BillingRun.run`), then do the daily work;
 * - `daily`: mark past-due invoices overdue (`OverdueSweep.sweep`), take the dunning steps due
 *   (`DunningSweep.sweep`: reminders, suspension), deliver the e-mail the transactions queued in
 *   the outbox (`Delivery.deliverDue`), reporting what stayed undelivered, push queued
 *   invoices to the payment provider and look up the payments of refunds held for a link that
 *   never came (`PaymentCollection`; nothing when manual).
 *
 * `scheduled` runs both forever in one process, driven by `Clock` (so `TestClock` can walk it):
 * the daily work every day at 00:00 UTC plus the usage grace, and on the 1st the month end instead.
 *
 * Every step is idempotent and safe to run concurrently with itself, so a driver may retry a job
 * or run it twice; `monthEnd` fails with `PeriodNotBillable`, having done nothing, for a period
 * that has not closed.
 */
import { DateTime, Duration, Effect } from "effect"
import * as Delivery from "../notifications/Delivery.ts"
import type * as LookUpHeldRefunds from "../payments/LookUpHeldRefunds.ts"
import { PaymentCollection } from "../payments/PaymentCollection.ts"
import type * as PushDelivery from "../payments/PushDelivery.ts"
import * as BillingRun from "./BillingRun.ts"
import * as DunningSweep from "./DunningSweep.ts"
import * as OverdueSweep from "./OverdueSweep.ts"
import * as PeriodClose from "./PeriodClose.ts"

/** Options of the daily work. */
export interface DailyOptions {
  /** Deliver the queued e-mail (default true; false leaves it in the outbox for another sender). */
  readonly deliver?: boolean
  /** Concurrent senders (default 1). */
  readonly concurrency?: number
}

/** What the daily work did. */
export interface DailySummary {
  /** Invoices this pass marked overdue. */
  readonly overdue: number
  /** The dunning steps this pass took. */
  readonly dunning: DunningSweep.DunningSummary
  /** The delivery pass, when delivering. */
  readonly mail: Delivery.DeliveryReport | undefined
  /** What stayed undelivered after the pass, when delivering. */
  readonly undelivered: Delivery.Undelivered | undefined
  /** The pass of pushes to the payment provider, when delivering with one. */
  readonly pushes: PushDelivery.PushReport | undefined
  /** The lookups of held refunds' payments at the provider, when delivering with one. */
  readonly refunds: LookUpHeldRefunds.LookupReport | undefined
}

/** Mark past-due invoices overdue, take the dunning steps due, then deliver the outbox. */
export const daily = Effect.fn("BillingJobs.daily")(function* (options: DailyOptions = {}) {
  const overdue = yield* OverdueSweep.sweep()
  const dunning = yield* DunningSweep.sweep()
  if (options.deliver === false)
    return {
      overdue,
      dunning,
      mail: undefined,
      undelivered: undefined,
      pushes: undefined,
      refunds: undefined
    } satisfies DailySummary
  // The pushes first: with online collection a push queues its invoice's e-mail (with the payment
  // link), which then goes out in this same pass. A provider outage reschedules the pushes; it
  // never fails the daily work.
  const collection = yield* PaymentCollection
  const pushes = yield* collection.deliver
  // Like a push, a lookup that cannot reach the provider is retried later; it never fails the job.
  const refunds = yield* collection.lookUpHeldRefunds()
  const mail = yield* Delivery.deliverDue({ concurrency: options.concurrency ?? 1 })
  const undelivered = yield* Delivery.undelivered(mail)
  return { overdue, dunning, mail, undelivered, pushes, refunds } satisfies DailySummary
})

/** What the month-end work did. */
export interface MonthEndSummary extends DailySummary {
  readonly run: BillingRun.RunSummary
}

/** Bill a closed month (`BillingRun.run` with these options), then do the daily work. */
export const monthEnd = Effect.fn("BillingJobs.monthEnd")(function* (
  options: BillingRun.RunOptions & { readonly deliver?: boolean }
) {
  const run = yield* BillingRun.run(options)
  const after = yield* daily({ deliver: options.deliver ?? true, concurrency: options.concurrency ?? 1 })
  return { run, ...after } satisfies MonthEndSummary
})

/** What the scheduler ran. */
export type Ran =
  | { readonly _tag: "MonthEnd"; readonly at: DateTime.Utc; readonly summary: MonthEndSummary }
  | { readonly _tag: "Daily"; readonly at: DateTime.Utc; readonly summary: DailySummary }

/** The next job after `now`: the month end when the month closes first, else the next daily run. */
export const next = (now: DateTime.Utc, grace: Duration.Duration) => {
  const month = PeriodClose.nextToBill(now, grace)
  const today = DateTime.addDuration(DateTime.startOf(now, "day"), grace)
  const daily = DateTime.isGreaterThan(today, now) ? today : DateTime.add(today, { days: 1 })
  return DateTime.isLessThanOrEqualTo(month.at, daily)
    ? ({ _tag: "MonthEnd", period: month.period, at: month.at } as const)
    : ({ _tag: "Daily", at: daily } as const)
}

/**
 * Runs the jobs forever at their times (see the module comment), calling `after` with what each
 * run did. A job runs to its end before the next is scheduled, from the clock at that moment: a
 * process that was not running at a job's time does not catch up (run `securebase bill` for a
 * month end it missed; the next daily run covers a missed one). A job that fails is logged and the schedule goes on (a failed customer is retried by
 * the next month end; mail left in the outbox by the next daily run); it never stops the loop.
 */
export const scheduled = <R = never>(
  options: Omit<BillingRun.RunOptions, "period"> & {
    readonly deliver?: boolean
    readonly after?: (ran: Ran) => Effect.Effect<void, never, R>
  }
) =>
  Effect.forever(
    Effect.gen(function* () {
      const now = yield* DateTime.now
      const job = next(now, yield* PeriodClose.UsageGrace)
      yield* Effect.sleep(Duration.millis(DateTime.toEpochMillis(job.at) - DateTime.toEpochMillis(now)))
      const ran = Effect.gen(function* () {
        if (job._tag === "MonthEnd") {
          const summary = yield* monthEnd({ ...options, period: job.period })
          return { _tag: "MonthEnd", at: job.at, summary } satisfies Ran as Ran
        }
        return { _tag: "Daily", at: job.at, summary: yield* daily(options) } satisfies Ran as Ran
      })
      yield* ran.pipe(
        Effect.flatMap((r) => (options.after === undefined ? Effect.void : options.after(r))),
        Effect.catchCause((cause) => Effect.logError(`BillingJobs: the ${job._tag} job failed`, cause))
      )
    })
  )
