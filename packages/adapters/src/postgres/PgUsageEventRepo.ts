/**
 * `UsageEventRepo` on PostgreSQL. The primary key (customer_id, event_id) is the idempotency key:
 * `ON CONFLICT DO NOTHING` makes a resend a no-op, and the stored event is then compared with the
 * resent one so a different event under a used id is a `UsageEventConflict`, never an overwrite.
 *
 * A batch is ONE multi-row INSERT in (customer, event id) order. Two transactions that insert
 * overlapping keys wait for each other on the first key they share; inserted in each request's
 * own order, resends of the same events shuffled differently waited in a cycle (a deadlock, 503).
 * In one global order they queue instead, and the statement is much faster than one per event.
 * The table's closed-period trigger (migration 0007) refuses the statement when the customer is
 * invoiced for the period of one of its new events: that becomes `PeriodClosed`.
 */

import type { Ids } from "@securebase/core"
import { Decimal, Period, PeriodClose, PersistenceError, Usage, UsageEventRepo } from "@securebase/core"
import { Array as Arr, DateTime, Effect, Layer, Schema } from "effect"
import { SqlClient } from "effect/sql"
import type { SqlError } from "effect/sql/SqlError"
import { periodClosedSqlState } from "./migrations/0007_usage_periods.ts"
import { mapRead, mapWrite, serverFields } from "./SqlErrors.ts"

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

/** The trigger's DETAIL: which customer, period and (first) event it refused. */
const ClosedDetail = Schema.fromJsonString(
  Schema.Struct({ customer_id: Schema.String, period: Schema.String, event_id: Schema.String })
)
const decodeClosedDetail = Schema.decodeUnknownOption(ClosedDetail)

/** The closed-period refusal as the core's typed error, naming the period and event when it can. */
const periodClosed = (error: SqlError, events: ReadonlyArray<Usage.UsageEvent>) => {
  const detail = decodeClosedDetail(serverFields(error).detail)
  const refused =
    detail._tag === "Some"
      ? events.find((e) => e.customerId === detail.value.customer_id && e.id === detail.value.event_id)
      : undefined
  const first = refused ?? events[0]!
  return new PeriodClose.PeriodClosed({
    customerId: first.customerId,
    period: Period.ofDateTime(first.occurredAt),
    reason: "invoiced",
    ...(refused === undefined ? {} : { eventId: refused.id })
  })
}

// One total order for every writer: customer, then event id (ids are ASCII by their schema, so
// code-unit order is the server's byte order too; any fixed order would do).
const byKey = (a: Usage.UsageEvent, b: Usage.UsageEvent) =>
  a.customerId < b.customerId ? -1 : a.customerId > b.customerId ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0

/** Builds the repository over the current `SqlClient`. */
export const make = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const columns = sql.unsafe("event_id, customer_id::text, metric, occurred_at, quantity::text, subject")

  const insertRow = (event: Usage.UsageEvent): Record<string, unknown> => ({
    customer_id: event.customerId,
    event_id: event.id,
    metric: event.metric,
    occurred_at: DateTime.formatIso(event.occurredAt),
    quantity: Decimal.format(event.quantity),
    subject: event.subject ?? null
  })

  // The INSERT's failures: the closed-period trigger's refusal is the domain's PeriodClosed.
  const insertFailure = (
    error: SqlError,
    sorted: ReadonlyArray<Usage.UsageEvent>
  ): Effect.Effect<
    never,
    PeriodClose.PeriodClosed | PersistenceError.TenantAccessDenied | PersistenceError.PersistenceFailure
  > =>
    serverFields(error).code === periodClosedSqlState
      ? Effect.fail(periodClosed(error, sorted))
      : mapWrite(
          "usage_event",
          sorted[0]?.id ?? "batch",
          "insert"
        )(Effect.fail(error)).pipe(
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

  // BEGIN / SAVEPOINT / COMMIT failures (the statements' own are mapped where they run).
  const transactionFailure = (error: SqlError) =>
    new PersistenceError.PersistenceFailure({
      operation: "UsageEventRepo.recordAll",
      kind: error.reason._tag
    })

  const recordAll = (events: ReadonlyArray<Usage.UsageEvent>) =>
    Effect.gen(function* () {
      // Repeats within the batch are resends (or conflicts) of each other, never two rows.
      const unique = yield* Usage.deduplicate(events)
      const sorted = [...unique].sort(byKey)
      const rows = sorted.map(insertRow)
      if (!Arr.isReadonlyArrayNonEmpty(rows)) return { recorded: 0, duplicates: events.length }
      const inserted = yield* sql<{ customer_id: string; event_id: string }>`
        INSERT INTO usage_events ${sql.insert(rows)}
        ON CONFLICT (customer_id, event_id) DO NOTHING
        RETURNING customer_id::text, event_id`.pipe(
        Effect.catchTag("SqlError", (error) => insertFailure(error, sorted))
      )
      const isNew = new Set(inserted.map((r) => `${r.customer_id}/${r.event_id}`))
      const resent = sorted.filter((e) => !isNew.has(`${e.customerId}/${e.id}`))
      if (resent.length > 0) {
        const stored = yield* mapRead("UsageEventRepo.record")(
          Effect.flatMap(
            sql`SELECT ${columns} FROM usage_events
                WHERE customer_id IN ${sql.in(Array.from(new Set(resent.map((e) => e.customerId))))}
                  AND event_id IN ${sql.in(resent.map((e) => e.id))}`,
            (rows) => Effect.forEach(rows, toEvent)
          )
        )
        const byId = new Map(stored.map((e) => [`${e.customerId}/${e.id}`, e]))
        for (const e of resent) {
          const prior = byId.get(`${e.customerId}/${e.id}`)
          // ON CONFLICT skipped it, so (under READ COMMITTED, which the trigger insists on) the row
          // it collided with is committed and visible: its absence is a fault, not a resend.
          if (prior === undefined)
            return yield* new PersistenceError.PersistenceFailure({
              operation: "UsageEventRepo.record",
              kind: "ResentEventNotFound"
            })
          if (!Usage.sameContent(prior, e)) return yield* new Usage.UsageEventConflict({ id: e.id })
        }
      }
      return { recorded: inserted.length, duplicates: events.length - inserted.length }
    }).pipe(
      // A savepoint inside the caller's transaction (or a transaction of its own): a conflict
      // found after the INSERT takes the whole batch back.
      sql.withTransaction,
      Effect.catchTag("SqlError", (error) => Effect.fail(transactionFailure(error))),
      Effect.withSpan("UsageEventRepo.recordAll", { attributes: { events: events.length } })
    )

  const record = (event: Usage.UsageEvent) =>
    Effect.map(recordAll([event]), (outcome) =>
      outcome.recorded === 1 ? ("recorded" as const) : ("duplicate" as const)
    ).pipe(Effect.withSpan("UsageEventRepo.record"))

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

  return UsageEventRepo.UsageEventRepo.of({ record, recordAll, listForPeriod })
})

/** `UsageEventRepo` on the current `SqlClient`. */
export const layer: Layer.Layer<UsageEventRepo.UsageEventRepo, never, SqlClient.SqlClient> = Layer.effect(
  UsageEventRepo.UsageEventRepo,
  make
)
