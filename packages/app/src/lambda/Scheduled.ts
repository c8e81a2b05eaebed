/**
 * The scheduled jobs on Lambda, triggered by EventBridge:
 *
 * - the billing run, on the 1st of every month once the month that ended has closed (01:15 UTC in
 *   template.yaml, after its `USAGE_GRACE` of 1 hour), bills that month: the period is the month
 *   before the event's `time` (a delivery that comes late, even days late, still bills the right
 *   month); `detail.period` ("2026-10") overrides it for a manual re-run. An invocation before the
 *   period is billable (the month in progress, or the grace not over yet) bills nothing and fails
 *   with `PeriodNotBillable`, whose message names the instant the period becomes billable;
 * - the daily job (the overdue sweep) marks invoices past their due date overdue.
 *
 * Both are the core's `BillingJobs` (`monthEnd`, `daily`), as `securebase bill` and the in-process
 * scheduler run them. Each job then delivers the e-mails its transactions queued in the outbox, logs one JSON summary
 * line and returns it. A billing run in which a customer failed fails the invocation after the
 * summary is logged, so the Lambda error metric alarms and EventBridge's retry (the run is
 * idempotent and retries failed customers) gets another go.
 */
import {
  BillingJobs,
  type BillingRun,
  type LookUpHeldRefunds,
  Period,
  type PushDelivery
} from "@securebase/core"
import { DateTime, Duration, Effect, Schema } from "effect"
import type * as Container from "./Container.ts"
import * as Jobs from "./Jobs.ts"

/** The EventBridge "Scheduled Event" fields the jobs read. */
export const ScheduledEvent = Schema.Struct({
  id: Schema.optional(Schema.String),
  "detail-type": Schema.optional(Schema.String),
  source: Schema.optional(Schema.String),
  time: Schema.String,
  detail: Schema.optional(Schema.Struct({ period: Schema.optional(Period.Period) }))
})
export type ScheduledEvent = typeof ScheduledEvent.Type

/** The event is not an EventBridge scheduled event (no parsable `time`). */
export class UnsupportedScheduledEvent extends Schema.TaggedError<UnsupportedScheduledEvent>()(
  "UnsupportedScheduledEvent",
  { message: Schema.String }
) {}

/** Some customers could not be billed; the summary lists them. */
export class BillingRunIncomplete extends Schema.TaggedError<BillingRunIncomplete>()("BillingRunIncomplete", {
  period: Schema.String,
  failed: Schema.Number
}) {
  override get message(): string {
    return `billing run ${this.period}: ${this.failed} customer(s) failed (see the summary); a retry bills them`
  }
}

/** Decodes an EventBridge scheduled event and its time. */
export const decodeEvent = Effect.fn("Scheduled.decodeEvent")(function* (event: unknown) {
  const unsupported = new UnsupportedScheduledEvent({
    message: 'expected an EventBridge scheduled event with an ISO-8601 "time"'
  })
  const decoded = yield* Effect.mapError(Schema.decodeUnknownEffect(ScheduledEvent)(event), () => unsupported)
  const time = DateTime.make(decoded.time)
  if (time._tag === "None") return yield* unsupported
  return { event: decoded, time: DateTime.toUtc(time.value) }
})

/** The period a billing run triggered at `time` bills: the calendar month before it. */
export const billingPeriod = (time: DateTime.Utc): Period.Period => Period.previous(Period.ofDateTime(time))

/** The outbox pass's counts. */
export interface MailSummary {
  readonly sent: number
  readonly retried: number
  readonly failed: number
}

/** What the billing run handler logs and returns (JSON-safe: amounts are strings of minor units). */
export interface BillingRunSummary {
  readonly job: "billing-run"
  readonly eventId: string | null
  readonly eventTime: string
  readonly period: string
  readonly customers: number
  readonly billed: number
  readonly skipped: number
  readonly failed: number
  readonly failures: ReadonlyArray<{ readonly customerId: string; readonly reason: string }>
  readonly totals: Readonly<Record<string, string>>
  readonly remaining: { readonly pending: number; readonly done: number; readonly failed: number }
  /** Invoices the daily work after the run marked overdue. */
  readonly overdue: number
  readonly mail: MailSummary
  /** The pushes to the payment provider (PAYMENTS=stripe only). */
  readonly payments?: PushDelivery.PushReport
  /** The lookups of held refunds' payments at the provider (PAYMENTS=stripe only). */
  readonly heldRefunds?: LookUpHeldRefunds.LookupReport
  readonly elapsedMs: number
}

/** What the overdue sweep handler logs and returns. */
export interface OverdueSweepSummary {
  readonly job: "overdue-sweep"
  readonly eventId: string | null
  readonly eventTime: string
  readonly overdue: number
  /** The dunning steps taken (reminders, suspensions). */
  readonly dunning: { readonly reminders: number; readonly suspensions: number }
  readonly mail: MailSummary
  /** The pushes to the payment provider (PAYMENTS=stripe only). */
  readonly payments?: PushDelivery.PushReport
  /** The lookups of held refunds' payments at the provider (PAYMENTS=stripe only). */
  readonly heldRefunds?: LookUpHeldRefunds.LookupReport
  readonly elapsedMs: number
}

/** The billing run's summary, from the core's `RunSummary`. */
export const billingSummary = (
  event: ScheduledEvent,
  run: BillingRun.RunSummary,
  overdue: number,
  mail: MailSummary
): BillingRunSummary => ({
  job: "billing-run",
  eventId: event.id ?? null,
  eventTime: event.time,
  period: run.period,
  customers: run.customers,
  billed: run.billed,
  skipped: run.skipped,
  failed: run.failures.length,
  failures: run.failures.map((f) => ({ customerId: f.customerId, reason: f.reason })),
  totals: Object.fromEntries(Array.from(run.totals, ([currency, minor]) => [currency, minor.toString()])),
  remaining: { pending: run.remaining.pending, done: run.remaining.done, failed: run.remaining.failed },
  overdue,
  mail: { sent: mail.sent, retried: mail.retried, failed: mail.failed },
  elapsedMs: Duration.toMillis(run.elapsed)
})

const logSummary = (summary: BillingRunSummary | OverdueSweepSummary) =>
  // One JSON line: CloudWatch Logs Insights can filter on its fields.
  Effect.sync(() => console.log(JSON.stringify(summary)))

/** Options of the jobs. */
export interface JobOptions {
  /** Customers billed in parallel by this invocation (default 4). */
  readonly concurrency?: number
}

/**
 * Handles one billing run event: bill the period, mark overdue invoices, deliver the mail, log and
 * return the summary.
 * Fails with `PeriodNotBillable` (having done nothing) when the period has not closed yet.
 */
export const billingRun = Effect.fn("Scheduled.billingRun")(function* (
  event: unknown,
  options: JobOptions = {}
) {
  const { event: decoded, time } = yield* decodeEvent(event)
  const period = decoded.detail?.period ?? billingPeriod(time)
  const { run, overdue, mail, pushes, refunds } = yield* BillingJobs.monthEnd({
    period,
    concurrency: options.concurrency ?? 4
  })
  const summary = {
    ...billingSummary(decoded, run, overdue, mail!),
    ...(pushes === undefined ? {} : { payments: pushes }),
    ...(refunds === undefined ? {} : { heldRefunds: refunds })
  }
  yield* logSummary(summary)
  if (summary.failed > 0) return yield* new BillingRunIncomplete({ period, failed: summary.failed })
  return summary
})

/** Handles one overdue sweep event: mark past-due invoices overdue, dun, deliver the mail, log and return the summary. */
export const overdueSweep = Effect.fn("Scheduled.overdueSweep")(function* (event: unknown) {
  const { event: decoded } = yield* decodeEvent(event)
  const started = yield* DateTime.now
  const { overdue, dunning, mail: delivered, pushes, refunds } = yield* BillingJobs.daily()
  const mail = delivered!
  const finished = yield* DateTime.now
  const summary: OverdueSweepSummary = {
    job: "overdue-sweep",
    eventId: decoded.id ?? null,
    eventTime: decoded.time,
    overdue,
    dunning,
    mail: { sent: mail.sent, retried: mail.retried, failed: mail.failed },
    ...(pushes === undefined ? {} : { payments: pushes }),
    ...(refunds === undefined ? {} : { heldRefunds: refunds }),
    elapsedMs: DateTime.toEpochMillis(finished) - DateTime.toEpochMillis(started)
  }
  yield* logSummary(summary)
  return summary
})

/** Customers billed in parallel: `BILLING_CONCURRENCY` (default 4; keep it under the database pool). */
export const concurrencyOf = (env: Readonly<Record<string, string>>): number => {
  const n = Number(env.BILLING_CONCURRENCY ?? "4")
  return Number.isInteger(n) && n >= 1 && n <= 64 ? n : 4
}

/** The Lambda handler of the billing run on a container. */
export const billingRunHandler =
  (container: Container.Container) =>
  async (event: unknown): Promise<BillingRunSummary> => {
    const app = await container.get()
    return app.run(
      billingRun(event, { concurrency: concurrencyOf(app.env) }).pipe(Effect.provide(Jobs.layer(app)))
    )
  }

/** The Lambda handler of the overdue sweep on a container. */
export const overdueSweepHandler =
  (container: Container.Container) =>
  async (event: unknown): Promise<OverdueSweepSummary> => {
    const app = await container.get()
    return app.run(overdueSweep(event).pipe(Effect.provide(Jobs.layer(app))))
  }
