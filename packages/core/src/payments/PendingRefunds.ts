/**
 * Refund events that arrived before the link of their payment (`PaymentLinks`): Stripe does not
 * order its events, and a `charge.refunded` of a charge paid on the hosted invoice page names
 * neither our invoice nor metadata of ours. Its facts wait here, its event id recorded (so a
 * redelivery is a duplicate), until the event that links the payment takes them and credits them
 * in its own transaction. A link that never comes is looked up at the provider
 * (`LookUpHeldRefunds`), with its state kept beside the refund. In PostgreSQL whatever store holds
 * the provider records.
 */
import { Context, type DateTime, Duration, type Effect } from "effect"
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
  /**
   * The lookup of its payment at the provider (`LookUpHeldRefunds`), as it stood when taken; absent
   * for a fresh hold, which is first looked up {@link firstLookupAfter} after it was held.
   */
  readonly lookup?: Lookup | undefined
}

/** Where the provider lookup of a held refund's payment stands. */
export interface Lookup {
  /** Lookups made so far. */
  readonly attempts: number
  /** When the next lookup is due; null once given up (see `error`). */
  readonly nextAt: DateTime.Utc | null
  /** Why the last lookup did not credit it. */
  readonly error: string | null
}

/**
 * A fresh hold waits this long before its payment is looked up at the provider: the
 * `invoice_payment.paid` that links it usually follows within seconds, and costs no API call.
 */
export const firstLookupAfter: Duration.Duration = Duration.minutes(10)

/** A held refund as operators see it. */
export interface HeldRefund extends PendingRefund {
  readonly lookup: Lookup
}

/** A provider payment whose held refunds are due for a lookup. */
export interface DueLookup {
  readonly provider: string
  readonly providerPaymentId: string
  /** Lookups made so far (the most of its held refunds). */
  readonly attempts: number
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
    /**
     * Claims up to `limit` payments whose held refunds are due for a lookup at `now`: their next
     * lookup moves to `now + lease`, so a concurrent pass skips them, and a pass that dies before
     * `recordLookup` leaves them due again after the lease. Its own short transaction: the lookup
     * itself runs outside any. With `all`, every held refund's payment is due, also those no
     * longer looked up (an operator's `reconcile --all`).
     */
    readonly claimLookups: (
      now: DateTime.Utc,
      lease: Duration.Duration,
      limit: number,
      all?: boolean
    ) => Effect.Effect<ReadonlyArray<DueLookup>, PersistenceFailure>
    /**
     * Records a lookup that left the payment's refunds held (they may have been credited
     * meanwhile: then nothing is written); answers how many are still held.
     */
    readonly recordLookup: (
      provider: string,
      providerPaymentId: string,
      lookup: Lookup
    ) => Effect.Effect<number, PersistenceFailure>
    /** Every held refund, oldest first, with its lookup (for operators). */
    readonly list: Effect.Effect<ReadonlyArray<HeldRefund>, PersistenceFailure>
  }
>()("@securebase/core/payments/PendingRefunds") {}
