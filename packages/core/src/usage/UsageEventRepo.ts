/**
 * The usage event repository port. Recording is idempotent by (customer, event id): a resent event
 * is reported as a duplicate, a different event under a used id as a conflict. The store refuses
 * events for a period the customer is already invoiced for (`PeriodClosed`), even when a billing
 * run commits that invoice while the events are being stored.
 */
import { Context, type Effect } from "effect"
import type { Period } from "../billing/Period.ts"
import type { PeriodClosed } from "../billing/PeriodClose.ts"
import type { CustomerId } from "../Ids.ts"
import type { PersistenceFailure, TenantAccessDenied } from "../persistence/PersistenceError.ts"
import type { UsageEvent, UsageEventConflict } from "./Usage.ts"

/** Whether a recorded event was new or a resend of one already stored. */
export type RecordOutcome = "recorded" | "duplicate"

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
    /** A customer's events that occurred within a period, in occurrence order. */
    readonly listForPeriod: (
      customerId: CustomerId,
      period: Period
    ) => Effect.Effect<ReadonlyArray<UsageEvent>, PersistenceFailure>
  }
>()("@securebase/core/usage/UsageEventRepo") {}
