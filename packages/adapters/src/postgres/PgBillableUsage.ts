/**
 * `BillableUsage` on PostgreSQL: `lock_usage_periods` (migration 0007) takes the EXCLUSIVE
 * advisory lock of every (customer, period) in key order, which waits for the transactions still
 * inserting events there (they hold it SHARED) and holds new ones back until the worker
 * transaction ends; then one query reads every customer's events. Under READ COMMITTED that query
 * sees everything committed before the lock was granted.
 */
import { BillableUsage, type Ids, Period, Usage } from "@securebase/core"
import { DateTime, Effect, Layer, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { mapRead } from "./SqlErrors.ts"

const Row = Schema.Struct({
  event_id: Schema.String,
  customer_id: Schema.String,
  metric: Schema.String,
  occurred_at: Schema.DateTimeUtcFromDate,
  quantity: Schema.String,
  subject: Schema.NullOr(Schema.String)
})
const decodeRows = Schema.decodeUnknownEffect(Schema.Array(Row))
const decodeEvent = Schema.decodeUnknownEffect(Usage.UsageEvent)

/** Builds the service over the current `SqlClient`. */
export const make = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient

  const closeAndRead = (customerIds: ReadonlyArray<Ids.CustomerId>, period: Period.Period) =>
    mapRead("BillableUsage.closeAndRead")(
      Effect.gen(function* () {
        const out = new Map<Ids.CustomerId, Array<Usage.UsageEvent>>()
        if (customerIds.length === 0) return out
        yield* sql`SELECT lock_usage_periods(
          ARRAY(SELECT jsonb_array_elements_text(${JSON.stringify(customerIds)}::jsonb)::uuid), ${period})`
        const rows = yield* decodeRows(
          yield* sql`
            SELECT event_id, customer_id::text, metric, occurred_at, quantity::text, subject FROM usage_events
            WHERE customer_id IN ${sql.in(customerIds)}
              AND occurred_at >= ${DateTime.formatIso(Period.start(period))}
              AND occurred_at < ${DateTime.formatIso(Period.end(period))}
            ORDER BY customer_id, occurred_at, event_id`
        )
        for (const r of rows) {
          const event = yield* decodeEvent({
            id: r.event_id,
            customerId: r.customer_id,
            metric: r.metric,
            occurredAt: r.occurred_at,
            quantity: r.quantity,
            ...(r.subject === null ? {} : { subject: r.subject })
          })
          const list = out.get(event.customerId)
          if (list === undefined) out.set(event.customerId, [event])
          else list.push(event)
        }
        return out
      })
    ).pipe(Effect.withSpan("BillableUsage.closeAndRead", { attributes: { customers: customerIds.length } }))

  return BillableUsage.BillableUsage.of({ closeAndRead })
})

/** `BillableUsage` on the current `SqlClient`. */
export const layer: Layer.Layer<BillableUsage.BillableUsage, never, SqlClient.SqlClient> = Layer.effect(
  BillableUsage.BillableUsage,
  make
)
