/**
 * `UsageEventRepo` on PostgreSQL. The primary key (customer_id, event_id) is the idempotency key:
 * `ON CONFLICT DO NOTHING` makes a resend a no-op, and the stored event is then compared with the
 * resent one so a different event under a used id is a `UsageEventConflict`, never an overwrite.
 *
 * Reads leave voided events out and decode every row with the core's `UsageEvent` schema: a row
 * that breaks it (stored before today's bounds, or by another writer) is a
 * `StoredUsageEventInvalid` naming the event, never a guess and never a 5xx. Voiding goes through
 * the database function `usage_event_void` (migration 0009), which also writes the audit event.
 */

import type { Ids } from "@securebase/core"
import { Decimal, Period, PersistenceError, Usage, UsageEventRepo, UsageVoid } from "@securebase/core"
import { DateTime, Effect, Layer, Schema, SchemaIssue } from "effect"
import { SqlClient } from "effect/sql"
import { mapRead, mapWrite } from "./SqlErrors.ts"

/** A `usage_events` row as selected by {@link columns}. */
export const Row = Schema.Struct({
  event_id: Schema.String,
  customer_id: Schema.String,
  metric: Schema.String,
  occurred_at: Schema.DateTimeUtcFromDate,
  quantity: Schema.String,
  subject: Schema.NullOr(Schema.String)
})
export type Row = typeof Row.Type

/** The columns of {@link Row}. */
export const columns = "event_id, customer_id::text, metric, occurred_at, quantity::text, subject"

const decodeRow = Schema.decodeUnknownEffect(Row)
const decodeEvent = Schema.decodeUnknownEffect(Usage.UsageEvent)
const formatter = SchemaIssue.makeFormatterStandardSchemaV1()

/**
 * The domain event of a stored row, or `StoredUsageEventInvalid` naming the event and the first
 * rule it breaks.
 */
export const toEvent = (row: Row) =>
  decodeEvent({
    id: row.event_id,
    customerId: row.customer_id,
    metric: row.metric,
    occurredAt: row.occurred_at,
    quantity: row.quantity,
    ...(row.subject === null ? {} : { subject: row.subject })
  }).pipe(
    Effect.mapError((error) => {
      const first = formatter(error.issue).issues[0]
      const path = (first?.path ?? []).map(String).join(".")
      return new UsageEventRepo.StoredUsageEventInvalid({
        customerId: row.customer_id as Ids.CustomerId,
        eventId: row.event_id,
        problem: `${path === "" ? "" : `${path} `}${first?.message ?? "invalid"}`
      })
    })
  )

/**
 * Takes the shared advisory lock of each customer's usage for `period` until the transaction ends,
 * so no void of those months commits in between (see migration 0009). It must be a statement of its
 * own, before the read: under READ COMMITTED a statement's snapshot is taken when it starts, so a
 * read that waited for the lock inside the same statement would still see a void committed during
 * the wait as not voided.
 */
export const lockPeriods = (
  sql: SqlClient.SqlClient,
  customerIds: ReadonlyArray<Ids.CustomerId>,
  period: Period.Period
) =>
  // Customer ids are UUIDs (decoded as such), so the array literal needs no quoting.
  sql`SELECT count(pg_advisory_xact_lock_shared(usage_period_lock_key(c.id, ${period})))
      FROM unnest(${`{${customerIds.join(",")}}`}::uuid[]) AS c(id)`

const VoidRow = Schema.Struct({
  outcome: Schema.Literals(["voided", "not_found", "already_voided", "period_invoiced"]),
  period: Schema.NullOr(Schema.String),
  metric: Schema.NullOr(Schema.String),
  occurred_at: Schema.NullOr(Schema.DateTimeUtcFromDate),
  quantity: Schema.NullOr(Schema.String),
  voided_at: Schema.NullOr(Schema.DateTimeUtcFromDate),
  voided_by: Schema.NullOr(Schema.String),
  void_reason: Schema.NullOr(Schema.String)
})
const decodeVoidRow = Schema.decodeUnknownEffect(VoidRow)

/** Builds the repository over the current `SqlClient`. */
export const make = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const select = sql.unsafe(columns)

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
      // The id is taken (by a live or a voided event): the same content is a resend, anything else
      // a conflict. A stored event that today's rules refuse cannot equal a valid new one.
      const rows = yield* mapRead("UsageEventRepo.record")(
        Effect.flatMap(
          sql`SELECT ${select} FROM usage_events WHERE customer_id = ${event.customerId} AND event_id = ${event.id}`,
          (rows) => decodeRow(rows[0])
        )
      )
      const stored = yield* Effect.option(toEvent(rows))
      if (stored._tag === "None" || !Usage.sameContent(stored.value, event)) {
        return yield* new Usage.UsageEventConflict({ id: event.id })
      }
      return "duplicate" as const
    }).pipe(Effect.withSpan("UsageEventRepo.record"))

  const listForPeriod = (customerId: Ids.CustomerId, period: Period.Period) =>
    Effect.gen(function* () {
      const rows = yield* mapRead("UsageEventRepo.listForPeriod")(
        Effect.andThen(
          lockPeriods(sql, [customerId], period),
          Effect.flatMap(
            sql`SELECT ${select} FROM usage_events
                WHERE customer_id = ${customerId}
                  AND occurred_at >= ${DateTime.formatIso(Period.start(period))}
                  AND occurred_at < ${DateTime.formatIso(Period.end(period))}
                  AND voided_at IS NULL
                ORDER BY occurred_at, event_id`,
            Schema.decodeUnknownEffect(Schema.Array(Row))
          )
        )
      )
      return yield* Effect.forEach(rows, toEvent)
    }).pipe(Effect.withSpan("UsageEventRepo.listForPeriod"))

  const voidEvent: UsageEventRepo.UsageEventRepo["Service"]["voidEvent"] = (input) =>
    Effect.gen(function* () {
      const row = yield* mapRead("UsageEventRepo.voidEvent")(
        Effect.flatMap(
          sql`SELECT * FROM usage_event_void(${input.eventId}, ${input.reason}, ${input.actor})`,
          (rows) => decodeVoidRow(rows[0])
        )
      )
      if (row.outcome !== "voided") {
        return yield* new UsageVoid.UsageEventVoidRefused({
          customerId: input.customerId,
          eventId: input.eventId,
          reason: row.outcome,
          ...(row.period === null ? {} : { period: row.period })
        })
      }
      return new UsageVoid.VoidedUsageEvent({
        customerId: input.customerId,
        eventId: input.eventId,
        metric: row.metric!,
        occurredAt: row.occurred_at!,
        quantity: row.quantity!,
        period: row.period!,
        voidedAt: row.voided_at!,
        voidedBy: row.voided_by!,
        reason: row.void_reason!
      })
    }).pipe(Effect.withSpan("UsageEventRepo.voidEvent"))

  return UsageEventRepo.UsageEventRepo.of({ record, listForPeriod, voidEvent })
})

/** `UsageEventRepo` on the current `SqlClient`. */
export const layer: Layer.Layer<UsageEventRepo.UsageEventRepo, never, SqlClient.SqlClient> = Layer.effect(
  UsageEventRepo.UsageEventRepo,
  make
)
