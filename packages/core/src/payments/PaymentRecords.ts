/**
 * The payment provider's ids and what it told us, kept beside our rows: which provider customer is
 * ours, which provider invoice is which of our invoices (with its hosted payment link), which
 * webhook events were processed, and each payment attempt.
 *
 * Exactly once: `recordEvent` inserts the event id in the caller's transaction and answers whether
 * it was new; the effect of the event commits with it, or neither does. A concurrent delivery of
 * the same event waits on the first one's row and then finds it recorded.
 */
import { Context, type DateTime, type Effect, type Option } from "effect"
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

/** A provider refund and the credit note that credited it. */
export interface CreditedRefund {
  readonly provider: string
  readonly providerRefundId: string
  readonly customerId: CustomerId
  readonly invoiceId: InvoiceId
  readonly creditNoteId: string
  /** Minor units. */
  readonly amount: bigint
  readonly eventId: string
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
     * stored state's; answers whether it moved (an older event never overwrites a newer state).
     */
    readonly advanceInvoiceState: (
      invoiceId: InvoiceId,
      state: string,
      at: DateTime.Utc
    ) => Effect.Effect<boolean, PersistenceFailure>
    /** Records a webhook event in the current transaction; false when it was already recorded. */
    readonly recordEvent: (event: {
      readonly provider: string
      readonly id: string
      readonly type: string
      readonly createdAt: DateTime.Utc
      readonly customerId: CustomerId | null
    }) => Effect.Effect<boolean, PersistenceFailure>
    /**
     * The refunds among `refundIds` already credited (each by a credit note, stored with
     * `recordRefund` in the transaction that issued it).
     */
    readonly creditedRefunds: (
      provider: string,
      refundIds: ReadonlyArray<string>
    ) => Effect.Effect<ReadonlySet<string>, PersistenceFailure>
    /** Stores that a provider refund was credited by a credit note. */
    readonly recordRefund: (
      refund: CreditedRefund
    ) => Effect.Effect<void, TenantAccessDenied | PersistenceFailure>
    /** Records a payment attempt. */
    readonly recordAttempt: (
      attempt: PaymentAttempt
    ) => Effect.Effect<void, TenantAccessDenied | PersistenceFailure>
  }
>()("@securebase/core/payments/PaymentRecords") {}
