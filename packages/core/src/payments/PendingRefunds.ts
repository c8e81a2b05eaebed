/**
 * Refund events that arrived before the link of their payment (`PaymentLinks`): Stripe does not
 * order its events, and a `charge.refunded` of a charge paid on the hosted invoice page names
 * neither our invoice nor metadata of ours. Its facts wait here, its event id recorded (so a
 * redelivery is a duplicate), until the event that links the payment takes them and credits them
 * in its own transaction. In PostgreSQL whatever store holds the provider records.
 */
import { Context, type DateTime, type Effect } from "effect"
import type { CustomerId, InvoiceId } from "../Ids.ts"
import type { PersistenceFailure, TenantAccessDenied } from "../persistence/PersistenceError.ts"
import type { Refund } from "./PaymentEvent.ts"

/** A refund event waiting for its payment's link. */
export interface PendingRefund {
  readonly provider: string
  /** The refund event: the credit it becomes is recorded under this id. */
  readonly eventId: string
  /** The provider payment whose link it waits for. */
  readonly providerPaymentId: string
  readonly providerChargeId: string
  /** The customer of ours the charge's provider customer is linked to. */
  readonly customerId: CustomerId
  /** The charge's cumulative refunded amount (minor units) when the event was created. */
  readonly amount: bigint
  /** Upper-case ISO 4217 code. */
  readonly currency: string
  /** The refunds the event listed (newest first), if any. */
  readonly refunds: ReadonlyArray<Refund>
  /** The event's creation time at the provider. */
  readonly occurredAt: DateTime.Utc
}

/** Refund events waiting for their payment's link. */
export class PendingRefunds extends Context.Service<
  PendingRefunds,
  {
    /** Keeps a refund event until its payment is linked (a second hold of one event keeps the first). */
    readonly hold: (refund: PendingRefund) => Effect.Effect<void, TenantAccessDenied | PersistenceFailure>
    /**
     * Removes and answers the refunds waiting for a provider payment, oldest first, in the
     * caller's transaction: they are credited once, or stay waiting if it rolls back.
     */
    readonly take: (
      provider: string,
      providerPaymentId: string
    ) => Effect.Effect<ReadonlyArray<PendingRefund>, PersistenceFailure>
    /**
     * The same for every payment linked to one of our invoices: the refunds held again because the
     * invoice's payment was not recorded yet when their link arrived (one part of an invoice paid
     * in parts), taken when it is.
     */
    readonly takeForInvoice: (
      provider: string,
      invoiceId: InvoiceId
    ) => Effect.Effect<ReadonlyArray<PendingRefund>, PersistenceFailure>
  }
>()("@securebase/core/payments/PendingRefunds") {}
