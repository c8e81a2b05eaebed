/**
 * The dunning sweep's port, in the worker's transaction: open invoices past due by at least a
 * number of days (locked, so concurrent sweeps split them), the steps each has taken, and the
 * record of a step (taken once: a second record of the same step is a no-op). A failed payment the
 * provider reports is a step too (`payment_failed`, its `days` the provider's attempt number),
 * outside the schedule: `taken` answers only the schedule's steps.
 */
import { Context, type DateTime, type Effect } from "effect"
import type { CustomerId, InvoiceId } from "../Ids.ts"
import type { PersistenceFailure } from "../persistence/PersistenceError.ts"
import type { Step } from "./Dunning.ts"

/** A step as taken: one of the schedule's, or a failed payment (`days` = the attempt number). */
export interface TakenStep {
  readonly kind: Step["kind"] | "payment_failed"
  readonly days: number
  readonly customerId: CustomerId
  readonly invoiceId: InvoiceId
  readonly daysPastDue: number
  readonly notificationId: string | null
  readonly at: DateTime.Utc
}

/** Stores dunning steps. */
export class DunningSteps extends Context.Service<
  DunningSteps,
  {
    /**
     * Locks up to `limit` issued or overdue invoices that no other transaction holds, with ids after
     * `after` (keyset order), whose due date is at least `days` whole days before `at`.
     */
    readonly claim: (options: {
      readonly at: DateTime.Utc
      readonly days: number
      readonly after: InvoiceId | null
      readonly limit: number
    }) => Effect.Effect<ReadonlyArray<InvoiceId>, PersistenceFailure>
    /** The schedule's steps an invoice has taken (not its `payment_failed` ones). */
    readonly taken: (invoiceId: InvoiceId) => Effect.Effect<ReadonlyArray<Step>, PersistenceFailure>
    /** Records a step; false when it had been taken already. */
    readonly record: (step: TakenStep) => Effect.Effect<boolean, PersistenceFailure>
  }
>()("@securebase/core/billing/DunningSteps") {}
