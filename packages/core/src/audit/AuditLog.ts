/**
 * The audit log port: append inside the transaction of the change being recorded, read a
 * customer's chain, and verify it. Every read sees what the caller's tenancy context lets it see:
 * inside `Tenancy.runAs(customer)`, that customer's chain only.
 */
import { Context, type Effect, type Option } from "effect"
import type { CustomerId } from "../Ids.ts"
import type { PersistenceFailure, TenantAccessDenied } from "../persistence/PersistenceError.ts"
import type { AuditEvent, ChainVerification, NewAuditEvent } from "./AuditEvent.ts"

/** Append-only, tamper-evident audit storage. */
export class AuditLog extends Context.Service<
  AuditLog,
  {
    /**
     * Appends an event to its customer's chain. Call it inside `Tenancy.runAs` (or `runAsWorker`)
     * so it commits or rolls back with the change it records. The store records the actor of the
     * transaction's principal and its own time; the caller cannot choose either.
     */
    readonly append: (
      event: NewAuditEvent
    ) => Effect.Effect<AuditEvent, TenantAccessDenied | PersistenceFailure>
    /** A customer's events in chain order. */
    readonly list: (customerId: CustomerId) => Effect.Effect<ReadonlyArray<AuditEvent>, PersistenceFailure>
    /**
     * A page of a customer's events, newest first: at most `limit` events whose `seq` is below
     * `before` (all, from the newest, when `before` is undefined).
     */
    readonly page: (
      customerId: CustomerId,
      options: { readonly before?: number | undefined; readonly limit: number }
    ) => Effect.Effect<ReadonlyArray<AuditEvent>, PersistenceFailure>
    /** The event at position `seq` of a customer's chain, if it exists. */
    readonly at: (
      customerId: CustomerId,
      seq: number
    ) => Effect.Effect<Option.Option<AuditEvent>, PersistenceFailure>
    /** Every customer with at least one event (that the caller may see). */
    readonly chains: Effect.Effect<ReadonlyArray<CustomerId>, PersistenceFailure>
    /** Recomputes a customer's chain and reports the first link that does not hold. */
    readonly verify: (customerId: CustomerId) => Effect.Effect<ChainVerification, PersistenceFailure>
  }
>()("@securebase/core/audit/AuditLog") {}
