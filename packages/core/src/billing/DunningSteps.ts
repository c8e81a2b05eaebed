/**
 * The dunning sweep's port, in the worker's transaction: open invoices past due by at least a
 * number of days (locked, so concurrent sweeps split them), the steps each has taken, and the
 * record of a step (taken once: a second record of the same step is a no-op).
 */
import { Context, type DateTime, type Effect } from "effect"
import type { CustomerId, InvoiceId } from "../Ids.ts"
import type { PersistenceFailure } from "../persistence/PersistenceError.ts"
import type { Step } from "./Dunning.ts"

/** A step as taken. */
export interface TakenStep extends Step {
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
    /** The steps an invoice has taken. */
    readonly taken: (invoiceId: InvoiceId) => Effect.Effect<ReadonlyArray<Step>, PersistenceFailure>
    /** Records a step; false when it had been taken already. */
    readonly record: (step: TakenStep) => Effect.Effect<boolean, PersistenceFailure>
  }
>()("@securebase/core/billing/DunningSteps") {}
