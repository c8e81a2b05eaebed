/**
 * The push outbox port: invoices waiting to be created at the payment provider. A push is queued
 * in the transaction that issues its invoice (like the invoice's e-mail), so it exists if and only
 * if the invoice does, and a provider outage never blocks the billing run. One row per invoice:
 * an invoice cannot be queued twice. The sender (`PushDelivery`) claims one due push at a time
 * (`FOR UPDATE SKIP LOCKED`), so two senders never push the same invoice at once.
 */
import { Context, type DateTime, type Effect, type Option } from "effect"
import type { CustomerId, InvoiceId } from "../Ids.ts"
import type { PersistenceFailure, TenantAccessDenied } from "../persistence/PersistenceError.ts"

/** A push to queue. */
export interface NewPush {
  readonly invoiceId: InvoiceId
  readonly customerId: CustomerId
  readonly createdAt: DateTime.Utc
  /**
   * Whether the push queues the invoice's e-mail when it ends (online collection mails from the
   * push); false for history billed without notice, which is collected but not announced.
   */
  readonly notify: boolean
}

/** A queued push as the sender claims it. */
export interface QueuedPush extends NewPush {
  /** Attempts made so far (0 for a fresh one). */
  readonly attempts: number
}

/** How many pushes are in each state. */
export interface PushCounts {
  readonly pending: number
  readonly pushed: number
  readonly failed: number
}

/** The queue of pushes. */
export class PaymentPushes extends Context.Service<
  PaymentPushes,
  {
    /** Queues pushes in the current transaction (an invoice already queued stays queued once). */
    readonly enqueue: (
      pushes: ReadonlyArray<NewPush>
    ) => Effect.Effect<void, TenantAccessDenied | PersistenceFailure>
    /** Locks the oldest pending push due at `now` that no other transaction holds, or none. */
    readonly claimNext: (now: DateTime.Utc) => Effect.Effect<Option.Option<QueuedPush>, PersistenceFailure>
    /** Marks a claimed push done. */
    readonly markPushed: (invoiceId: InvoiceId, at: DateTime.Utc) => Effect.Effect<void, PersistenceFailure>
    /** Records a failed attempt and when to try again. */
    readonly reschedule: (
      invoiceId: InvoiceId,
      options: { readonly error: string; readonly nextAttemptAt: DateTime.Utc }
    ) => Effect.Effect<void, PersistenceFailure>
    /** Records a final failed attempt: the push stays in the table, parked as `failed`. */
    readonly markFailed: (invoiceId: InvoiceId, error: string) => Effect.Effect<void, PersistenceFailure>
    /** Counts by status. */
    readonly counts: Effect.Effect<PushCounts, PersistenceFailure>
  }
>()("@securebase/core/payments/PaymentPushes") {}
