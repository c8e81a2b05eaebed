/**
 * What has been credited for each provider charge refunded, each credit by a credit note. Kept in
 * the database of the credit notes (PostgreSQL) whatever store holds the provider records: a
 * credit is remembered in the transaction that issues its credit note, so it counts once or not
 * at all.
 */
import { Context, type Effect } from "effect"
import type { CustomerId, InvoiceId } from "../Ids.ts"
import type { PersistenceFailure, TenantAccessDenied } from "../persistence/PersistenceError.ts"

/** A credit note issued for refunds of a provider charge, by one provider event. */
export interface CreditedRefund {
  readonly provider: string
  /** The provider's charge (payment) id whose refunds were credited. */
  readonly providerChargeId: string
  readonly customerId: CustomerId
  readonly invoiceId: InvoiceId
  readonly creditNoteId: string
  /** Minor units. */
  readonly amount: bigint
  /** The provider event that credited it: one credit per event. */
  readonly eventId: string
}

/** The credited refunds of provider charges. */
export class PaymentRefunds extends Context.Service<
  PaymentRefunds,
  {
    /**
     * The sum (minor units) already credited for the provider charge: the amounts stored with
     * `recordRefund`, each in the transaction that issued its credit note.
     */
    readonly creditedForCharge: (
      provider: string,
      providerChargeId: string
    ) => Effect.Effect<bigint, PersistenceFailure>
    /** Stores that refunds of a provider charge were credited by a credit note. */
    readonly recordRefund: (
      refund: CreditedRefund
    ) => Effect.Effect<void, TenantAccessDenied | PersistenceFailure>
  }
>()("@securebase/core/payments/PaymentRefunds") {}
