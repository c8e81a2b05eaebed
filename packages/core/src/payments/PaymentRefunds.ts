/**
 * Which provider refunds have been credited, each by a credit note. Kept in the database of the
 * credit notes (PostgreSQL) whatever store holds the provider records: a refund is remembered in
 * the transaction that issues its credit note, so it is credited once or not at all.
 */
import { Context, type Effect } from "effect"
import type { CustomerId, InvoiceId } from "../Ids.ts"
import type { PersistenceFailure, TenantAccessDenied } from "../persistence/PersistenceError.ts"

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

/** The credited provider refunds. */
export class PaymentRefunds extends Context.Service<
  PaymentRefunds,
  {
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
  }
>()("@securebase/core/payments/PaymentRefunds") {}
