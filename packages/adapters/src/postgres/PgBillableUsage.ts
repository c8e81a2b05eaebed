/**
 * `BillableUsage` on PostgreSQL: `billable_usage` (migration 0022), one round trip, first takes
 * (`lock_usage_periods`, migration 0007) the EXCLUSIVE advisory lock of every (customer, period)
 * in key order, which waits for the transactions still inserting events there (they hold it
 * SHARED) and holds new ones back until the worker transaction ends; then it reads every
 * customer's events, voided ones excluded, in a statement of its own. Under READ COMMITTED that
 * statement sees everything committed before the lock was granted. Rows are
 * decoded as `PgUsageEventRepo` decodes them (an invalid stored event is named, never guessed).
 */
import { BillableUsage, type Ids, Period, type Usage } from "@securebase/core"
import { DateTime, Effect, Layer, Schema } from "effect"
import { SqlClient } from "effect/sql"
import * as PgUsageEventRepo from "./PgUsageEventRepo.ts"
import { mapRead } from "./SqlErrors.ts"

const decodeRows = Schema.decodeUnknownEffect(Schema.Array(PgUsageEventRepo.Row))

/** Builds the service over the current `SqlClient`. */
export const make = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient

  const closeAndRead = (customerIds: ReadonlyArray<Ids.CustomerId>, period: Period.Period) =>
    Effect.gen(function* () {
      const out = new Map<Ids.CustomerId, Array<Usage.UsageEvent>>()
      if (customerIds.length === 0) return out
      // One round trip: `billable_usage` (migration 0022) takes the locks, then reads in a
      // statement of its own, whose snapshot (READ COMMITTED, a volatile function) is taken after
      // the locks were granted, so it sees every insert and void that committed first.
      const rows = yield* mapRead("BillableUsage.closeAndRead")(
        Effect.flatMap(
          sql`
            SELECT ${sql.unsafe(PgUsageEventRepo.columns)}
            FROM billable_usage(
              ARRAY(SELECT jsonb_array_elements_text(${JSON.stringify(customerIds)}::jsonb)::uuid), ${period},
              ${DateTime.formatIso(Period.start(period))}, ${DateTime.formatIso(Period.end(period))})
            ORDER BY customer_id, occurred_at, event_id`,
          decodeRows
        )
      )
      for (const r of rows) {
        const event = yield* PgUsageEventRepo.toEvent(r)
        const list = out.get(event.customerId)
        if (list === undefined) out.set(event.customerId, [event])
        else list.push(event)
      }
      return out
    }).pipe(Effect.withSpan("BillableUsage.closeAndRead", { attributes: { customers: customerIds.length } }))

  return BillableUsage.BillableUsage.of({ closeAndRead })
})

/** `BillableUsage` on the current `SqlClient`. */
export const layer: Layer.Layer<BillableUsage.BillableUsage, never, SqlClient.SqlClient> = Layer.effect(
  BillableUsage.BillableUsage,
  make
)
