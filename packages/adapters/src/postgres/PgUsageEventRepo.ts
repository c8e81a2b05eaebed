/**
 * `UsageEventRepo` on PostgreSQL. The primary key (customer_id, event_id) is the idempotency key:
 * `ON CONFLICT DO NOTHING` makes a resend a no-op, and the stored event is then compared with the
 * resent one so a different event under a used id is a `UsageEventConflict`, never an overwrite.
 *
 * A batch is ONE INSERT per customer (one, from the API) in (customer, event id) order, its events
 * in one jsonb parameter, answering only the ids already stored. Two transactions that insert
 * overlapping keys wait for each other on the first key they share; inserted in each request's
 * own order, resends of the same events shuffled differently waited in a cycle (a deadlock, 503).
 * In one global order they queue instead, and the statement is much faster than one per event.
 * The table's closed-period trigger (migration 0007) refuses the statement when the customer is
 * invoiced for the period of one of its new events: that becomes `PeriodClosed`.
 *
 * Reads leave voided events out and decode every row with the core's `UsageEvent` schema: a row
 * that breaks it (stored before today's bounds, or by another writer) is a
 * `StoredUsageEventInvalid` naming the event, never a guess and never a 5xx. Voiding goes through
 * the database function `usage_event_void` (migration 0009), which also writes the audit event.
 */

import type { Ids } from "@securebase/core"
import {
  Decimal,
  type Metric,
  Period,
  PeriodClose,
  PersistenceError,
  Usage,
  UsageEventRepo,
  UsageVoid
} from "@securebase/core"
import { Array as Arr, DateTime, Effect, Layer, Schema, SchemaIssue } from "effect"
import { SqlClient } from "effect/sql"
import type { SqlError } from "effect/sql/SqlError"
import { periodClosedSqlState } from "./migrations/0007_usage_periods.ts"
import { mapRead, mapWrite, serverFields } from "./SqlErrors.ts"

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

const decodeEvent = Schema.decodeUnknownEffect(Usage.UsageEvent)
const decodeQuantity = Schema.decodeUnknownOption(Usage.Quantity)
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
  const select = sql.unsafe(columns)

  // A customer's events travel as ONE jsonb parameter, one array per event, whatever their number:
  // one statement text (prepared once per connection) and one parameter to bind, instead of six
  // per event. The customer is a parameter of its own, not repeated in every event.
  const batchParameter = (events: ReadonlyArray<Usage.UsageEvent>): string =>
    JSON.stringify(
      events.map((event) => [
        event.id,
        DateTime.formatIso(event.occurredAt),
        event.metric,
        Decimal.format(event.quantity),
        event.subject ?? null
      ])
    )

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

  // One customer's events (sorted by id): inserted in that order, answering the ids ON CONFLICT
  // skipped (already stored), usually none, instead of a row for every event inserted.
  const insertGroup = (customerId: string, group: ReadonlyArray<Usage.UsageEvent>) =>
    sql<{ event_id: string }>`
      WITH batch AS (
        SELECT e->>0 AS event_id, (e->>1)::timestamptz AS occurred_at, e->>2 AS metric,
               (e->>3)::numeric AS quantity, e->>4 AS subject, n
        FROM jsonb_array_elements(${batchParameter(group)}::jsonb) WITH ORDINALITY AS b(e, n)
      ), inserted AS (
        INSERT INTO usage_events (customer_id, event_id, metric, occurred_at, quantity, subject)
        SELECT ${customerId}::uuid, event_id, metric, occurred_at, quantity, subject FROM batch ORDER BY n
        ON CONFLICT (customer_id, event_id) DO NOTHING
        RETURNING event_id
      )
      SELECT event_id FROM batch WHERE NOT EXISTS (SELECT FROM inserted i WHERE i.event_id = batch.event_id)`

  const recordAll = (events: ReadonlyArray<Usage.UsageEvent>) =>
    Effect.gen(function* () {
      // Repeats within the batch are resends (or conflicts) of each other, never two rows.
      const unique = yield* Usage.deduplicate(events)
      const sorted = [...unique].sort(byKey)
      if (!Arr.isReadonlyArrayNonEmpty(sorted)) return { recorded: 0, duplicates: events.length }
      // A statement per customer, customers in order: together, the rows go in the global order.
      const resent: Array<Usage.UsageEvent> = []
      const resentByCustomer: Array<readonly [string, ReadonlyArray<Usage.UsageEvent>]> = []
      let from = 0
      while (from < sorted.length) {
        const customerId = sorted[from]!.customerId
        let to = from + 1
        while (to < sorted.length && sorted[to]!.customerId === customerId) to++
        const group = sorted.slice(from, to)
        const skipped = yield* insertGroup(customerId, group).pipe(
          Effect.catchTag("SqlError", (error) => insertFailure(error, sorted))
        )
        if (skipped.length > 0) {
          const ids = new Set(skipped.map((r) => r.event_id))
          const again = group.filter((e) => ids.has(e.id))
          resent.push(...again)
          resentByCustomer.push([customerId, again])
        }
        from = to
      }
      if (resent.length > 0) {
        // The stored rows by primary key: the customer, and its ids as an array literal (every
        // element quoted: an id such as NULL is a valid key, and the id's alphabet needs no escape).
        const stored = yield* mapRead("UsageEventRepo.record")(
          Effect.map(
            Effect.forEach(resentByCustomer, ([customerId, again]) =>
              Effect.flatMap(
                sql`SELECT ${select} FROM usage_events
                    WHERE customer_id = ${customerId}::uuid
                      AND event_id = ANY (${`{${again.map((e) => `"${e.id}"`).join(",")}}`}::text[])`,
                Schema.decodeUnknownEffect(Schema.Array(Row))
              )
            ),
            (rows) => rows.flat()
          )
        )
        const byId = new Map(stored.map((r) => [`${r.customer_id}/${r.event_id}`, r]))
        for (const e of resent) {
          const row = byId.get(`${e.customerId}/${e.id}`)
          // ON CONFLICT skipped it, so (under READ COMMITTED, which the trigger insists on) the row
          // it collided with is committed and visible: its absence is a fault, not a resend.
          if (row === undefined)
            return yield* new PersistenceError.PersistenceFailure({
              operation: "UsageEventRepo.record",
              kind: "ResentEventNotFound"
            })
          // The id is taken (by a live or a voided event): the same content is a resend, anything
          // else a conflict. A stored event that today's rules refuse cannot equal a valid new one,
          // and one equal to it obeys every rule it does: so the row is compared as it is, and only
          // its quantity decoded (a stored NaN, say, equals nothing), instead of a full validation
          // per resent event.
          const quantity = decodeQuantity(row.quantity)
          const prior =
            quantity._tag === "Some" &&
            new Usage.UsageEvent(
              {
                id: e.id,
                customerId: row.customer_id as Ids.CustomerId,
                metric: row.metric as Metric.MetricCode,
                occurredAt: row.occurred_at,
                quantity: quantity.value,
                ...(row.subject === null ? {} : { subject: row.subject })
              },
              { disableChecks: true }
            )
          if (prior === false || !Usage.sameContent(prior, e))
            return yield* new Usage.UsageEventConflict({ id: e.id })
        }
      }
      const recorded = sorted.length - resent.length
      return { recorded, duplicates: events.length - recorded }
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
    Effect.gen(function* () {
      const rows = yield* mapRead("UsageEventRepo.listForPeriod")(
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

  return UsageEventRepo.UsageEventRepo.of({ record, recordAll, listForPeriod, voidEvent })
})

/** `UsageEventRepo` on the current `SqlClient`. */
export const layer: Layer.Layer<UsageEventRepo.UsageEventRepo, never, SqlClient.SqlClient> = Layer.effect(
  UsageEventRepo.UsageEventRepo,
  make
)
