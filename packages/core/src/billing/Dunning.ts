/**
 * Dunning as data: reminders at configured days past an invoice's due date (`[3, 10, 20]` by
 * default, `DUNNING_REMINDER_DAYS` in a deployment) and, optionally, the customer's suspension
 * once an invoice is `suspendAfterDays` past due. Days are whole 24-hour days after `dueAt`, like
 * the invoice's net days.
 *
 * A step is taken once per invoice: the store keeps one row per (invoice, kind, days). When a
 * sweep finds several reminders due at once (it did not run for a while), it sends only the
 * latest, and an earlier one is never sent after a later one.
 */
import { Context, DateTime, Schema } from "effect"
import type { Invoice } from "./Invoice.ts"

/** Days past due, 0-3650. */
export const Days = Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 3650 }))

/** A deployment's dunning: the reminder days (ascending, distinct) and the optional suspension. */
export const DunningSchedule = Schema.Struct({
  reminderDays: Schema.Array(Days).check(
    Schema.makeFilter(
      (days: ReadonlyArray<number>) =>
        days.every((d, i) => i === 0 || d > days[i - 1]!) || "reminder days must be ascending and distinct"
    )
  ),
  suspendAfterDays: Schema.NullOr(Days)
}).annotate({ identifier: "DunningSchedule" })
export interface DunningSchedule extends Schema.Schema.Type<typeof DunningSchedule> {}

/** Reminders 3, 10 and 20 days past due; no suspension. */
export const defaultSchedule: DunningSchedule = { reminderDays: [3, 10, 20], suspendAfterDays: null }

/** The deployment's policy (`DUNNING_REMINDER_DAYS`, `DUNNING_SUSPEND_AFTER_DAYS`). */
export const Schedule = Context.Reference<DunningSchedule>("@securebase/core/billing/DunningSchedule", {
  defaultValue: () => defaultSchedule
})

/** A kind of step. */
export const StepKind = Schema.Literals(["reminder", "suspension"])
export type StepKind = typeof StepKind.Type

/** A step of the policy: a reminder or the suspension, at so many days past due. */
export interface Step {
  readonly kind: StepKind
  readonly days: number
}

/** The fewest days past due at which any step is due (null when the policy has none). */
export const firstDays = (policy: DunningSchedule): number | null => {
  const all = [...policy.reminderDays, ...(policy.suspendAfterDays === null ? [] : [policy.suspendAfterDays])]
  return all.length === 0 ? null : Math.min(...all)
}

/** Whole 24-hour days from the invoice's due date to `at` (0 before it, or without one). */
export const daysPastDue = (invoice: Invoice, at: DateTime.Utc): number =>
  invoice.dueAt === null
    ? 0
    : Math.max(
        0,
        Math.floor((DateTime.toEpochMillis(at) - DateTime.toEpochMillis(invoice.dueAt)) / 86_400_000)
      )

/**
 * The steps to take now for an invoice `daysPastDue` past due that has taken `taken`: the latest
 * due reminder unless it or a later one was sent, and the suspension once due, if not taken.
 */
export const dueSteps = (
  policy: DunningSchedule,
  daysPastDue: number,
  taken: ReadonlyArray<Step>
): ReadonlyArray<Step> => {
  const steps: Array<Step> = []
  const due = policy.reminderDays.filter((d) => d <= daysPastDue)
  const latest = due.at(-1)
  if (latest !== undefined && !taken.some((t) => t.kind === "reminder" && t.days >= latest))
    steps.push({ kind: "reminder", days: latest })
  const suspend = policy.suspendAfterDays
  if (suspend !== null && suspend <= daysPastDue && !taken.some((t) => t.kind === "suspension"))
    steps.push({ kind: "suspension", days: suspend })
  return steps
}
