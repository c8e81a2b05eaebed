/**
 * The usage event repository port. Recording is idempotent by (customer, event id): a resent event
 * is reported as a duplicate, a different event under a used id as a conflict. The store refuses
 * events for a period the customer is already invoiced for (`PeriodClosed`), even when a billing
 * run commits that invoice while the events are being stored. Voided events stay stored (their id
 * stays used) but no read returns them.
 */
import { Context, type Effect, Schema } from "effect"
import type { Period } from "../billing/Period.ts"
import type { PeriodClosed } from "../billing/PeriodClose.ts"
import { CustomerId } from "../Ids.ts"
import type { PersistenceFailure, TenantAccessDenied } from "../persistence/PersistenceError.ts"
import type { UsageEvent, UsageEventConflict } from "./Usage.ts"
import type { UsageEventVoidRefused, VoidedUsageEvent, VoidReason } from "./UsageVoid.ts"

/** Whether a recorded event was new or a resend of one already stored. */
export type RecordOutcome = "recorded" | "duplicate"

/**
 * A stored event breaks the rules a new event must follow (a quantity over `Usage.maxQuantity`,
 * say, stored before the rule existed or by another writer). Reads refuse to guess: the month
 * cannot be aggregated until an operator voids the event this names.
 */
export class StoredUsageEventInvalid extends Schema.TaggedError<StoredUsageEventInvalid>()(
  "StoredUsageEventInvalid",
  { customerId: CustomerId, eventId: Schema.String, problem: Schema.String }
) {
  /** Stable error code. */
  readonly code = "USAGE.STORED_EVENT_INVALID"
  override get message(): string {
    return `stored usage event ${this.eventId} is invalid (${this.problem}); an operator must void it`
  }
}

/** What recording a batch did: new events, and resends of events already stored (or repeated in the batch). */
export interface BatchOutcome {
  readonly recorded: number
  readonly duplicates: number
}

/** Why an event or a batch was not stored. */
export type RecordError = UsageEventConflict | PeriodClosed | TenantAccessDenied | PersistenceFailure

/** Stores usage events. */
export class UsageEventRepo extends Context.Service<
  UsageEventRepo,
  {
    readonly record: (event: UsageEvent) => Effect.Effect<RecordOutcome, RecordError>
    /**
     * Records a batch atomically (all new events or none), in one deterministic order whatever
     * order the events came in, so that concurrent resends of the same events never deadlock.
     */
    readonly recordAll: (events: ReadonlyArray<UsageEvent>) => Effect.Effect<BatchOutcome, RecordError>
    /** A customer's events that occurred within a period, in occurrence order, voided events excluded. */
    readonly listForPeriod: (
      customerId: CustomerId,
      period: Period
    ) => Effect.Effect<ReadonlyArray<UsageEvent>, StoredUsageEventInvalid | PersistenceFailure>
    /**
     * Voids one of the customer's events, inside `Tenancy.runAs(customerId)`: marks it voided by `actor`
     * with `reason` at the store's clock, without deleting it, and appends `usage_event.voided` to
     * the customer's audit chain in the same transaction. Refused when the event is unknown,
     * already voided, or in a period that already has an invoice.
     */
    readonly voidEvent: (input: {
      readonly customerId: CustomerId
      readonly eventId: string
      readonly reason: VoidReason
      readonly actor: string
    }) => Effect.Effect<VoidedUsageEvent, UsageEventVoidRefused | PersistenceFailure>
  }
>()("@securebase/core/usage/UsageEventRepo") {}
