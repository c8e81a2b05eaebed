/**
 * The billing run's claims: one row per (period, customer) that a worker locks while it bills
 * that customer. The lock is the transaction's, so a crashed or interrupted worker's claim is
 * free again as soon as its transaction rolls back, and concurrent workers skip each other's
 * claims instead of waiting. Run every operation inside `Tenancy.runAsWorker`.
 */
import { Context, type Effect, type Option } from "effect"
import type { Customer } from "../customer/Customer.ts"
import type { InvoiceId } from "../Ids.ts"
import type { PersistenceFailure } from "../persistence/PersistenceError.ts"
import type { Period } from "./Period.ts"

/** How many claims of a period are in each state. */
export interface ClaimCounts {
  readonly pending: number
  /** Priced and stored as drafts, waiting for their numbers (per-customer mode with `numberEvery`). */
  readonly priced: number
  readonly done: number
  readonly failed: number
}

/** A claimed customer, and its invoice for the period when one already exists. */
export interface Claim {
  readonly customer: Customer
  readonly existingInvoice: InvoiceId | null
}

/** Claims of the billing run. */
export class BillingClaims extends Context.Service<
  BillingClaims,
  {
    /**
     * Opens a period: adds a pending claim for every active customer that has none (idempotent;
     * run by every worker that starts), and with `retryFailed` puts failed claims back to pending.
     */
    readonly open: (
      period: Period,
      options: { readonly retryFailed: boolean }
    ) => Effect.Effect<ClaimCounts, PersistenceFailure>
    /** Locks one pending claim no other transaction holds, or none when the period is finished. */
    readonly claimNext: (period: Period) => Effect.Effect<Option.Option<Claim>, PersistenceFailure>
    /** Locks up to `limit` pending claims no other transaction holds (batch mode). */
    readonly claimMany: (
      period: Period,
      limit: number
    ) => Effect.Effect<ReadonlyArray<Claim>, PersistenceFailure>
    /** Marks locked claims done, each with its invoice (null when nothing was billed). */
    readonly completeMany: (
      period: Period,
      settled: ReadonlyArray<{ readonly customerId: Customer["id"]; readonly invoiceId: InvoiceId | null }>
    ) => Effect.Effect<void, PersistenceFailure>
    /** Marks a locked claim done, with the invoice that settles it (null when nothing was billed). */
    readonly complete: (
      period: Period,
      claim: Claim,
      invoiceId: InvoiceId | null
    ) => Effect.Effect<void, PersistenceFailure>
    /**
     * Marks a pending claim failed with a reason (after its billing transaction rolled back); a
     * claim another worker completed in the meantime stays done.
     */
    readonly fail: (
      period: Period,
      customerId: Customer["id"],
      reason: string
    ) => Effect.Effect<void, PersistenceFailure>
    /** Marks a locked claim priced: its invoice is stored as a draft and waits for its number. */
    readonly markPriced: (
      period: Period,
      customerId: Customer["id"],
      invoiceId: InvoiceId
    ) => Effect.Effect<void, PersistenceFailure>
    /**
     * Locks up to `limit` priced claims no other transaction holds, in customer order: the
     * customers and their draft invoices' ids, to be numbered and issued.
     */
    readonly claimPriced: (
      period: Period,
      limit: number
    ) => Effect.Effect<
      ReadonlyArray<{ readonly customer: Customer; readonly invoiceId: InvoiceId }>,
      PersistenceFailure
    >
    /** Counts by state. */
    readonly counts: (period: Period) => Effect.Effect<ClaimCounts, PersistenceFailure>
  }
>()("@securebase/core/billing/BillingClaims") {}
