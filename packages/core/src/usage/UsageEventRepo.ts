/**
 * The usage event repository port. Recording is idempotent by (customer, event id): a resent event
 * is reported as a duplicate, a different event under a used id as a conflict. Voided events stay
 * stored (their id stays used) but no read returns them.
 */
import { Context, type Effect, Schema } from "effect"
import type { Period } from "../billing/Period.ts"
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

/** Stores usage events. */
export class UsageEventRepo extends Context.Service<
  UsageEventRepo,
  {
    readonly record: (
      event: UsageEvent
    ) => Effect.Effect<RecordOutcome, UsageEventConflict | TenantAccessDenied | PersistenceFailure>
    /**
     * A customer's events that occurred within a period, in occurrence order, voided events
     * excluded. Inside a transaction, it also holds the customer's usage of the period against
     * voids until the transaction ends, so an invoice priced from it never includes an event voided
     * meanwhile.
     */
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
