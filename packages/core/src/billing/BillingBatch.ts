/**
 * The set-based port of the billing run's batch mode: read many customers' usage in one query and
 * store many issued invoices, their lines, e-mails and audit events in a few multi-row statements,
 * in the caller's worker transaction. What it stores is exactly what the per-customer path stores
 * through `InvoiceRepo`, `Outbox` and `AuditLog`.
 */
import { Context, type Effect } from "effect"
import type { NewAuditEvent } from "../audit/AuditEvent.ts"
import type { CustomerId } from "../Ids.ts"
import type { NewNotification } from "../notifications/Notification.ts"
import type {
  AlreadyExists,
  PersistenceFailure,
  TenantAccessDenied
} from "../persistence/PersistenceError.ts"
import type { UsageEvent } from "../usage/Usage.ts"
import type { StoredUsageEventInvalid } from "../usage/UsageEventRepo.ts"
import type { Invoice } from "./Invoice.ts"
import type { Period } from "./Period.ts"

/** Bulk reads and writes of the billing run. */
export class BillingBatch extends Context.Service<
  BillingBatch,
  {
    /**
     * The events of each customer within the period, voided events excluded (customers without
     * events are absent). Holds the customers' usage of the period against voids until the
     * transaction ends, as `UsageEventRepo.listForPeriod` does.
     */
    readonly usageFor: (
      customerIds: ReadonlyArray<CustomerId>,
      period: Period
    ) => Effect.Effect<
      ReadonlyMap<CustomerId, ReadonlyArray<UsageEvent>>,
      StoredUsageEventInvalid | PersistenceFailure
    >
    /** Stores issued invoices with their lines, queued e-mails and audit events. */
    readonly store: (batch: {
      readonly invoices: ReadonlyArray<Invoice>
      readonly notifications: ReadonlyArray<NewNotification>
      readonly auditEvents: ReadonlyArray<NewAuditEvent>
    }) => Effect.Effect<void, AlreadyExists | TenantAccessDenied | PersistenceFailure>
  }
>()("@securebase/core/billing/BillingBatch") {}
