/**
 * The receivables port: an invoice's account (the invoice, its payments and credit notes) read
 * with the invoice locked for the rest of the transaction, and the payments and credit notes
 * written into it. Run it inside `Tenancy.runAs` (it sees only the current customer's rows) or in
 * the payments worker's transaction (which names the customer).
 */
import { Context, type Effect, type Option } from "effect"
import type { CustomerId, InvoiceId } from "../Ids.ts"
import type {
  AlreadyExists,
  NotFound,
  PersistenceFailure,
  TenantAccessDenied
} from "../persistence/PersistenceError.ts"
import type { CreditNote, CreditNoteId } from "./CreditNote.ts"
import type { IdempotencyKey, Payment } from "./Payment.ts"
import type { Account } from "./Receivables.ts"

/** Stores payments and credit notes. */
export class ReceivablesRepo extends Context.Service<
  ReceivablesRepo,
  {
    /**
     * The invoice's account. With `lock`, the invoice row stays locked until the transaction ends,
     * so payments and credit notes of one invoice are decided one after another.
     */
    readonly account: (
      invoiceId: InvoiceId,
      options: { readonly lock: boolean }
    ) => Effect.Effect<Account, NotFound | PersistenceFailure>
    /** The customer's payment recorded under `key`, if any. */
    readonly paymentByKey: (
      customerId: CustomerId,
      key: IdempotencyKey
    ) => Effect.Effect<Option.Option<Payment>, PersistenceFailure>
    /**
     * Stores a payment unless one with its idempotency key exists (for this customer); then answers
     * with that one (a concurrent transaction may have committed it since `paymentByKey`).
     */
    readonly insertPayment: (
      payment: Payment
    ) => Effect.Effect<
      { readonly _tag: "Inserted" } | { readonly _tag: "Exists"; readonly payment: Payment },
      TenantAccessDenied | PersistenceFailure
    >
    /** Stores an issued credit note and its lines. */
    readonly insertCreditNote: (
      creditNote: CreditNote
    ) => Effect.Effect<CreditNote, AlreadyExists | TenantAccessDenied | PersistenceFailure>
    /** One credit note of the current customer. */
    readonly creditNoteById: (id: CreditNoteId) => Effect.Effect<CreditNote, NotFound | PersistenceFailure>
  }
>()("@securebase/core/billing/ReceivablesRepo") {}
