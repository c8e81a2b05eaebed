/**
 * The set-based port of the billing run's batch mode: store many issued invoices, their lines,
 * e-mails and audit events in a few multi-row statements, in the caller's worker transaction. What
 * it stores is exactly what the per-customer path stores through `InvoiceRepo`, `Outbox` and
 * `AuditLog`. (Both paths read their usage through `BillableUsage`.)
 */
import { Context, type Effect } from "effect"
import type { NewAuditEvent } from "../audit/AuditEvent.ts"
import type { InvoiceId } from "../Ids.ts"
import type { NewNotification } from "../notifications/Notification.ts"
import type {
  AlreadyExists,
  PersistenceFailure,
  TenantAccessDenied
} from "../persistence/PersistenceError.ts"
import type { Invoice } from "./Invoice.ts"

/** Bulk writes of the billing run. */
export class BillingBatch extends Context.Service<
  BillingBatch,
  {
    /**
     * Stores invoices with their lines, queued e-mails and audit events: issued ones, or drafts
     * (no e-mails nor events yet) that `issue` numbers later in the same transaction.
     */
    readonly store: (batch: {
      readonly invoices: ReadonlyArray<Invoice>
      readonly notifications: ReadonlyArray<NewNotification>
      readonly auditEvents: ReadonlyArray<NewAuditEvent>
    }) => Effect.Effect<void, AlreadyExists | TenantAccessDenied | PersistenceFailure>
    /**
     * Issues invoices stored as drafts (their number, status and dates; lines and amounts are
     * already stored), with their queued e-mails and audit events. Fails, writing nothing, when
     * one of them is no longer a draft.
     */
    readonly issue: (batch: {
      readonly invoices: ReadonlyArray<Invoice>
      readonly notifications: ReadonlyArray<NewNotification>
      readonly auditEvents: ReadonlyArray<NewAuditEvent>
    }) => Effect.Effect<void, AlreadyExists | TenantAccessDenied | PersistenceFailure>
    /**
     * The stored drafts of these invoices with their lines, in the order asked, in a few reads
     * whatever their number. Fails when one of them is no longer a draft.
     */
    readonly drafts: (
      ids: ReadonlyArray<InvoiceId>
    ) => Effect.Effect<ReadonlyArray<Invoice>, PersistenceFailure>
  }
>()("@securebase/core/billing/BillingBatch") {}
