/**
 * The port the overdue sweep reads: issued invoices whose due date plus their customer's overdue
 * grace has passed, locked for the current (worker) transaction so concurrent sweeps split them.
 */
import { Context, type DateTime, type Effect } from "effect"
import type { InvoiceId } from "../Ids.ts"
import type { PersistenceFailure } from "../persistence/PersistenceError.ts"

/** Finds past-due invoices. */
export class PastDueInvoices extends Context.Service<
  PastDueInvoices,
  {
    /**
     * Locks up to `limit` issued invoices that no other transaction holds and whose due date plus
     * their customer's `overdueGraceDays` (24-hour days) is before `at`.
     */
    readonly claim: (
      at: DateTime.Utc,
      limit: number
    ) => Effect.Effect<ReadonlyArray<InvoiceId>, PersistenceFailure>
  }
>()("@securebase/core/billing/PastDueInvoices") {}
