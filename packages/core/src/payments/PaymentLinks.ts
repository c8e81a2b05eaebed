/**
 * Which provider payment paid which of our invoices: with Stripe's current API a charge names no
 * invoice, so a refund of a charge paid on the hosted invoice page (no metadata of ours) finds the
 * invoice through the payment (its PaymentIntent, or the charge itself when it has none) that an
 * `invoice_payment.paid` event linked. Kept in the database of the credit notes (PostgreSQL)
 * whatever store holds the provider records: a link commits with the refunds it releases.
 */
import { Context, type Effect, type Option } from "effect"
import type { CustomerId, InvoiceId } from "../Ids.ts"
import type { PersistenceFailure, TenantAccessDenied } from "../persistence/PersistenceError.ts"

/** A provider payment of one of our invoices. */
export interface PaymentLink {
  readonly provider: string
  /** The provider's payment id (Stripe: `pi_…`, or `ch_…` for a charge without a payment intent). */
  readonly providerPaymentId: string
  readonly customerId: CustomerId
  readonly invoiceId: InvoiceId
  /** The provider event that reported it. */
  readonly eventId: string
}

/** The provider payments of our invoices. */
export class PaymentLinks extends Context.Service<
  PaymentLinks,
  {
    /**
     * Holds, until the transaction ends, the lock that orders the events about one provider
     * payment: a refund looking for the link and the event recording it cannot miss each other.
     */
    readonly lockPayment: (
      provider: string,
      providerPaymentId: string
    ) => Effect.Effect<void, PersistenceFailure>
    /** The invoice a provider payment paid, if linked. */
    readonly linkOf: (
      provider: string,
      providerPaymentId: string
    ) => Effect.Effect<Option.Option<PaymentLink>, PersistenceFailure>
    /**
     * Records the link unless the payment has one; answers the stored link (the first one stays)
     * and whether this call created it.
     */
    readonly link: (
      link: PaymentLink
    ) => Effect.Effect<
      { readonly link: PaymentLink; readonly created: boolean },
      TenantAccessDenied | PersistenceFailure
    >
  }
>()("@securebase/core/payments/PaymentLinks") {}
