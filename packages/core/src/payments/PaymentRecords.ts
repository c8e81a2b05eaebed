/**
 * The payment provider's ids and what it told us, kept beside our rows: which provider customer is
 * ours, which provider invoice is which of our invoices (with its hosted payment link), which
 * webhook events were processed, and each payment attempt.
 *
 * Exactly once: `recordEvent` claims the event id and answers whether it was new, and
 * `settleEvent` ends the claim once the effect committed (or failed). On PostgreSQL the claim is
 * an insert in the caller's transaction: the effect commits with it, or neither does, a concurrent
 * delivery waits on the first one's row and then finds it recorded, and `settleEvent` has nothing
 * to do. In a store outside that transaction (DynamoDB), the claim is an item `processing` under a
 * lease, made `done` by `settleEvent` after the effect committed: a delivery during the lease fails
 * with `PaymentEventInProgress` (the provider retries later), one after an expired lease claims
 * the event again and re-applies its effect, which must therefore be idempotent.
 */
import { Context, type DateTime, type Effect, type Option, Schema } from "effect"
import type { CustomerId, InvoiceId } from "../Ids.ts"
import type { PersistenceFailure, TenantAccessDenied } from "../persistence/PersistenceError.ts"

/** Our invoice as the provider holds it. */
export interface InvoiceLink {
  readonly invoiceId: InvoiceId
  readonly customerId: CustomerId
  readonly provider: string
  readonly providerInvoiceId: string
  readonly hostedUrl: string | null
  /** The provider's status of the invoice, as of `stateAt` (`open`, `paid`, `payment_failed`, …). */
  readonly state: string
  /**
   * The provider's creation time of the event that set `state`; null before any event (the
   * provider's clock orders its events, ours does not).
   */
  readonly stateAt: DateTime.Utc | null
}

/** One payment attempt the provider reported. */
export interface PaymentAttempt {
  readonly invoiceId: InvoiceId
  readonly customerId: CustomerId
  readonly provider: string
  readonly eventId: string
  readonly outcome: "succeeded" | "failed" | "refunded"
  /** Minor units of the invoice's currency. */
  readonly amount: bigint
  readonly currency: string
  readonly reason: string | null
  readonly occurredAt: DateTime.Utc
}

/** The event whose claim `settleEvent` ends. */
export interface EventKey {
  readonly provider: string
  readonly id: string
}

/**
 * Another delivery of this event holds its claim and has not finished: nothing was done, and the
 * provider should deliver it again later (the claim's lease bounds the wait).
 */
export class PaymentEventInProgress extends Schema.TaggedError<PaymentEventInProgress>()(
  "PaymentEventInProgress",
  { provider: Schema.String, eventId: Schema.String }
) {
  /** Stable error code. */
  readonly code = "PAYMENTS.EVENT_IN_PROGRESS"
}

/** The provider's ids and events. */
export class PaymentRecords extends Context.Service<
  PaymentRecords,
  {
    /** The provider's customer id of one of ours, if linked. */
    readonly customerLink: (
      provider: string,
      customerId: CustomerId
    ) => Effect.Effect<Option.Option<string>, PersistenceFailure>
    /** Links our customer to the provider's (the first link stays). */
    readonly linkCustomer: (
      provider: string,
      customerId: CustomerId,
      providerCustomerId: string
    ) => Effect.Effect<void, TenantAccessDenied | PersistenceFailure>
    /** Our customer linked to a provider customer, if any. */
    readonly customerOfProvider: (
      provider: string,
      providerCustomerId: string
    ) => Effect.Effect<Option.Option<CustomerId>, PersistenceFailure>
    /** The provider's invoice of one of ours, if pushed. */
    readonly invoiceLink: (
      invoiceId: InvoiceId
    ) => Effect.Effect<Option.Option<InvoiceLink>, PersistenceFailure>
    /** The link of a provider invoice, if it is one of ours. */
    readonly invoiceOfProvider: (
      provider: string,
      providerInvoiceId: string
    ) => Effect.Effect<Option.Option<InvoiceLink>, PersistenceFailure>
    /** Stores the link of a pushed invoice (the first link stays). */
    readonly linkInvoice: (link: InvoiceLink) => Effect.Effect<void, TenantAccessDenied | PersistenceFailure>
    /**
     * Moves a link's provider state to `state` as of `at`, only when `at` is not older than the
     * stored state's (an older event never overwrites a newer state), and out of `paid` only to
     * `refunded`; answers whether it moved. Setting the state it already has as of the same `at`
     * answers true again: a redelivery after a crash redoes its (idempotent) effect.
     */
    readonly advanceInvoiceState: (
      invoiceId: InvoiceId,
      state: string,
      at: DateTime.Utc
    ) => Effect.Effect<boolean, PersistenceFailure>
    /**
     * Claims a webhook event (in the current transaction, on PostgreSQL); false when it was
     * already processed, `PaymentEventInProgress` while another delivery holds its claim.
     */
    readonly recordEvent: (event: {
      readonly provider: string
      readonly id: string
      readonly type: string
      readonly createdAt: DateTime.Utc
      readonly customerId: CustomerId | null
    }) => Effect.Effect<boolean, PaymentEventInProgress | PersistenceFailure>
    /**
     * Ends the claim `recordEvent` gave: `done` after the effect committed (later deliveries are
     * duplicates), `released` after it failed (the next delivery claims it at once).
     */
    readonly settleEvent: (
      event: EventKey,
      result: "done" | "released"
    ) => Effect.Effect<void, PersistenceFailure>
    /** Records a payment attempt. */
    readonly recordAttempt: (
      attempt: PaymentAttempt
    ) => Effect.Effect<void, TenantAccessDenied | PersistenceFailure>
  }
>()("@securebase/core/payments/PaymentRecords") {}
