/**
 * The invoice repository port: an invoice and its lines are stored and read as one aggregate.
 */
import { Context, type Effect } from "effect"
import type { CustomerId, InvoiceId } from "../Ids.ts"
import type {
  AlreadyExists,
  NotFound,
  PersistenceFailure,
  TenantAccessDenied
} from "../persistence/PersistenceError.ts"
import type { Invoice } from "./Invoice.ts"

/** Stores invoices. */
export class InvoiceRepo extends Context.Service<
  InvoiceRepo,
  {
    /** Stores a new invoice with its lines (one per customer and period). */
    readonly insert: (
      invoice: Invoice
    ) => Effect.Effect<Invoice, AlreadyExists | TenantAccessDenied | PersistenceFailure>
    readonly findById: (id: InvoiceId) => Effect.Effect<Invoice, NotFound | PersistenceFailure>
    /** A customer's invoices, newest period first. */
    readonly listByCustomer: (
      customerId: CustomerId
    ) => Effect.Effect<ReadonlyArray<Invoice>, PersistenceFailure>
    /**
     * Stores an invoice's lifecycle fields (status, number, dates, references) after a move of
     * `InvoiceLifecycle`; lines and amounts are immutable once stored.
     */
    readonly updateLifecycle: (
      invoice: Invoice
    ) => Effect.Effect<Invoice, NotFound | AlreadyExists | PersistenceFailure>
  }
>()("@securebase/core/billing/InvoiceRepo") {}
