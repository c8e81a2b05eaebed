/**
 * The audit log port: append inside the transaction of the change being recorded, read a
 * customer's chain, and verify it.
 */
import { Context, type Effect } from "effect"
import type { CustomerId } from "../Ids.ts"
import type { PersistenceFailure, TenantAccessDenied } from "../persistence/PersistenceError.ts"
import type { AuditEvent, ChainVerification, NewAuditEvent } from "./AuditEvent.ts"

/** Append-only, tamper-evident audit storage. */
export class AuditLog extends Context.Service<
  AuditLog,
  {
    /**
     * Appends an event to its customer's chain. Call it inside `Tenancy.runAs` (or `runAsWorker`)
     * so it commits or rolls back with the change it records.
     */
    readonly append: (
      event: NewAuditEvent
    ) => Effect.Effect<AuditEvent, TenantAccessDenied | PersistenceFailure>
    /** A customer's events in chain order. */
    readonly list: (customerId: CustomerId) => Effect.Effect<ReadonlyArray<AuditEvent>, PersistenceFailure>
    /** Recomputes a customer's chain and reports the first link that does not hold. */
    readonly verify: (customerId: CustomerId) => Effect.Effect<ChainVerification, PersistenceFailure>
  }
>()("@securebase/core/audit/AuditLog") {}
