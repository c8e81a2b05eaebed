/**
 * `UsageEventRepo` on PostgreSQL. The primary key (customer_id, event_id) is the idempotency key:
 * `ON CONFLICT DO NOTHING` makes a resend a no-op, and the stored event is then compared with the
 * resent one so a different event under a used id is a `UsageEventConflict`, never an overwrite.
 */

import type { Ids } from "@securebase/core"
import { Decimal, Period, PersistenceError, Usage, UsageEventRepo } from "@securebase/core"
import { DateTime, Effect, Layer, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { mapRead, mapWrite } from "./SqlErrors.ts"

const Row = Schema.Struct({
  event_id: Schema.String,
  customer_id: Schema.String,
  metric: Schema.String,
  occurred_at: Schema.DateTimeUtcFromDate,
  quantity: Schema.String,
  subject: Schema.NullOr(Schema.String)
})

const decodeRow = Schema.decodeUnknownEffect(Row)
const decodeEvent = Schema.decodeUnknownEffect(Usage.UsageEvent)

const toEvent = (row: unknown) =>
  Effect.flatMap(decodeRow(row), (r) =>
    decodeEvent({
      id: r.event_id,
      customerId: r.customer_id,
      metric: r.metric,
      occurredAt: r.occurred_at,
      quantity: r.quantity,
      ...(r.subject === null ? {} : { subject: r.subject })
    })
  )

/** Builds the repository over the current `SqlClient`. */
export const make = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const columns = sql.unsafe("event_id, customer_id::text, metric, occurred_at, quantity::text, subject")

  const record = (event: Usage.UsageEvent) =>
    Effect.gen(function* () {
      const inserted = yield* sql`
        INSERT INTO usage_events (customer_id, event_id, metric, occurred_at, quantity, subject)
        VALUES (${event.customerId}, ${event.id}, ${event.metric}, ${DateTime.formatIso(event.occurredAt)},
                ${Decimal.format(event.quantity)}, ${event.subject ?? null})
        ON CONFLICT (customer_id, event_id) DO NOTHING
        RETURNING event_id`.pipe(
        mapWrite("usage_event", event.id, "insert"),
        // ON CONFLICT absorbs the only unique key, so a unique violation here is not a duplicate.
        Effect.catchTag("AlreadyExists", () =>
          Effect.fail(
            new PersistenceError.PersistenceFailure({
              operation: "UsageEventRepo.record",
              kind: "UniqueViolation"
            })
          )
        )
      )
      if (inserted.length > 0) return "recorded" as const
      const rows = yield* mapRead("UsageEventRepo.record")(sql`
        SELECT ${columns} FROM usage_events WHERE customer_id = ${event.customerId} AND event_id = ${event.id}`)
      const stored = yield* mapRead("UsageEventRepo.record")(toEvent(rows[0]))
      if (!Usage.sameContent(stored, event)) return yield* new Usage.UsageEventConflict({ id: event.id })
      return "duplicate" as const
    }).pipe(Effect.withSpan("UsageEventRepo.record"))

  const listForPeriod = (customerId: Ids.CustomerId, period: Period.Period) =>
    mapRead("UsageEventRepo.listForPeriod")(
      Effect.flatMap(
        sql`SELECT ${columns} FROM usage_events
            WHERE customer_id = ${customerId}
              AND occurred_at >= ${DateTime.formatIso(Period.start(period))}
              AND occurred_at < ${DateTime.formatIso(Period.end(period))}
            ORDER BY occurred_at, event_id`,
        (rows) => Effect.forEach(rows, toEvent)
      )
    ).pipe(Effect.withSpan("UsageEventRepo.listForPeriod"))

  return UsageEventRepo.UsageEventRepo.of({ record, listForPeriod })
})

/** `UsageEventRepo` on the current `SqlClient`. */
export const layer: Layer.Layer<UsageEventRepo.UsageEventRepo, never, SqlClient.SqlClient> = Layer.effect(
  UsageEventRepo.UsageEventRepo,
  make
)
