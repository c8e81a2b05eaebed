/**
 * The invoice repository port: an invoice and its lines are stored and read as one aggregate.
 */
import { Context, type Effect, Schema } from "effect"
import type { CredentialRefused } from "../auth/AuthError.ts"
import { type CustomerId, InvoiceId } from "../Ids.ts"
import type {
  AlreadyExists,
  NotFound,
  PersistenceFailure,
  TenantAccessDenied
} from "../persistence/PersistenceError.ts"
import { Invoice, type InvoiceStatus } from "./Invoice.ts"
import { Period } from "./Period.ts"

/** One row of a customer's invoice list: the invoice without its lines. */
export const InvoiceSummary = Invoice.mapFields((f) => ({
  id: f.id,
  number: f.number,
  period: f.period,
  status: f.status,
  currency: f.currency,
  total: f.total,
  issuedAt: f.issuedAt,
  dueAt: f.dueAt
}))
export interface InvoiceSummary extends Schema.Schema.Type<typeof InvoiceSummary> {}

/**
 * A position in the list (newest period first, then by id): a page starts after it. It is what
 * an API cursor encodes.
 */
export const ListPosition = Schema.Struct({ period: Period, id: InvoiceId })
export type ListPosition = typeof ListPosition.Type

/** Which page of a customer's invoices to read. */
export interface ListPage {
  readonly status?: InvoiceStatus
  readonly period?: Period
  /** Start after this position (the first page without it). */
  readonly after?: ListPosition
  /** At most this many summaries. */
  readonly limit: number
}

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
     * One page of a customer's invoice summaries, newest period first then by id, read in the
     * database by a keyset (its cost does not grow with the customer's history).
     */
    readonly listPage: (
      customerId: CustomerId,
      page: ListPage
    ) => Effect.Effect<ReadonlyArray<InvoiceSummary>, PersistenceFailure>
    /**
     * {@link listPage} as `Tenancy.runAs(customerId, listPage(…))` would read it, as a read of its
     * own outside any transaction: the same credential check of the fiber's `CurrentPrincipal`
     * (and the same refusals) and the same tenant isolation, in one round trip instead of a
     * transaction's four. Not inside `runAs` (that transaction already has its tenant).
     */
    readonly listPageAs: (
      customerId: CustomerId,
      page: ListPage
    ) => Effect.Effect<ReadonlyArray<InvoiceSummary>, PersistenceFailure | CredentialRefused>
    /**
     * Stores an invoice's lifecycle fields (status, number, dates, references) after a move of
     * `InvoiceLifecycle`; lines and amounts are immutable once stored.
     */
    readonly updateLifecycle: (
      invoice: Invoice
    ) => Effect.Effect<Invoice, NotFound | AlreadyExists | PersistenceFailure>
  }
>()("@securebase/core/billing/InvoiceRepo") {}
