/**
 * `BillableUsage` on PostgreSQL: `lock_usage_periods` (migration 0007) takes the EXCLUSIVE
 * advisory lock of every (customer, period) in key order, which waits for the transactions still
 * inserting events there (they hold it SHARED) and holds new ones back until the worker
 * transaction ends; then one query reads every customer's events, voided ones excluded. Under
 * READ COMMITTED that query sees everything committed before the lock was granted. Rows are
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
      // The lock is a statement of its own: under READ COMMITTED the read that follows takes its
      // snapshot after the lock is granted, so it sees every insert and void that committed first.
      const rows = yield* mapRead("BillableUsage.closeAndRead")(
        Effect.andThen(
          sql`SELECT lock_usage_periods(
            ARRAY(SELECT jsonb_array_elements_text(${JSON.stringify(customerIds)}::jsonb)::uuid), ${period})`,
          Effect.flatMap(
            sql`
              SELECT ${sql.unsafe(PgUsageEventRepo.columns)} FROM usage_events
              WHERE customer_id IN ${sql.in(customerIds)}
                AND occurred_at >= ${DateTime.formatIso(Period.start(period))}
                AND occurred_at < ${DateTime.formatIso(Period.end(period))}
                AND voided_at IS NULL
              ORDER BY customer_id, occurred_at, event_id`,
            decodeRows
          )
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
