/**
 * The usage a billing run bills, read so that none can slip past it: `closeAndRead` first waits
 * for every transaction still storing events of these customers for the period and keeps new ones
 * waiting until the caller's (worker) transaction ends, then reads the events. The invoice stored
 * in that transaction closes the period for good: the store then refuses the customer's late
 * events for it (`PeriodClose.PeriodClosed`). So an accepted event is on its period's invoice, or
 * it was refused. A void of an event waits the same way, so an invoice never includes an event
 * voided while it was being priced, and never misses one voided before.
 */
import { Context, type Effect } from "effect"
import type { CustomerId } from "../Ids.ts"
import type { PersistenceFailure } from "../persistence/PersistenceError.ts"
import type { UsageEvent } from "../usage/Usage.ts"
import type { StoredUsageEventInvalid } from "../usage/UsageEventRepo.ts"
import type { Period } from "./Period.ts"

/** Reads the usage to bill under the period's lock. */
export class BillableUsage extends Context.Service<
  BillableUsage,
  {
    /**
     * Locks the period against new events of these customers for the rest of the current worker
     * transaction (in one global order, so concurrent runs cannot deadlock each other), then
     * returns each customer's events within the period, voided events excluded (customers without
     * events are absent). A stored event that breaks today's rules fails the read, naming it.
     */
    readonly closeAndRead: (
      customerIds: ReadonlyArray<CustomerId>,
      period: Period
    ) => Effect.Effect<
      ReadonlyMap<CustomerId, ReadonlyArray<UsageEvent>>,
      StoredUsageEventInvalid | PersistenceFailure
    >
  }
>()("@securebase/core/billing/BillableUsage") {}
