/**
 * The usage event repository port. Recording is idempotent by (customer, event id): a resent event
 * is reported as a duplicate, a different event under a used id as a conflict.
 */
import { Context, type Effect } from "effect"
import type { Period } from "../billing/Period.ts"
import type { CustomerId } from "../Ids.ts"
import type { PersistenceFailure, TenantAccessDenied } from "../persistence/PersistenceError.ts"
import type { UsageEvent, UsageEventConflict } from "./Usage.ts"

/** Whether a recorded event was new or a resend of one already stored. */
export type RecordOutcome = "recorded" | "duplicate"

/** Stores usage events. */
export class UsageEventRepo extends Context.Service<
  UsageEventRepo,
  {
    readonly record: (
      event: UsageEvent
    ) => Effect.Effect<RecordOutcome, UsageEventConflict | TenantAccessDenied | PersistenceFailure>
    /** A customer's events that occurred within a period, in occurrence order. */
    readonly listForPeriod: (
      customerId: CustomerId,
      period: Period
    ) => Effect.Effect<ReadonlyArray<UsageEvent>, PersistenceFailure>
  }
>()("@securebase/core/usage/UsageEventRepo") {}
