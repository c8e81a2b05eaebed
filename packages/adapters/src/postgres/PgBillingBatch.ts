/**
 * `BillingBatch` on PostgreSQL: one query for many customers' usage, and multi-row INSERTs for
 * many invoices, their lines, their outbox rows and their audit events (the audit trigger still
 * chains each event; a batch holds one event per customer). Invoice, line and notification rows
 * come from `Rows.ts`, the same definitions `PgInvoiceRepo` and `PgOutbox` insert one at a time.
 */
import { BillingBatch, type Ids, Period, type Usage } from "@securebase/core"
import { type Array as Arr, DateTime, Effect, Layer, Schema } from "effect"
import { SqlClient } from "effect/sql"
import * as PgUsageEventRepo from "./PgUsageEventRepo.ts"
import * as Rows from "./Rows.ts"
import { mapRead, mapWrite } from "./SqlErrors.ts"

const decodeRows = Schema.decodeUnknownEffect(Schema.Array(PgUsageEventRepo.Row))

// Multi-row statements stay under 30,000 bind parameters (the wire protocol counts them in 16
// bits, and the driver refuses more than 32,767).
const maxParameters = 30_000
const chunks = <A>(xs: ReadonlyArray<A>, size: number): Array<ReadonlyArray<A>> =>
  Array.from({ length: Math.ceil(xs.length / size) }, (_, i) => xs.slice(i * size, (i + 1) * size))

/** Builds the service over the current `SqlClient`. */
export const make = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient

  const usageFor = (customerIds: ReadonlyArray<Ids.CustomerId>, period: Period.Period) =>
    Effect.gen(function* () {
      const out = new Map<Ids.CustomerId, Array<Usage.UsageEvent>>()
      if (customerIds.length === 0) return out
      const rows = yield* mapRead("BillingBatch.usageFor")(
        Effect.andThen(
          PgUsageEventRepo.lockPeriods(sql, customerIds, period),
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
    }).pipe(Effect.withSpan("BillingBatch.usageFor"))

  const store: BillingBatch.BillingBatch["Service"]["store"] = ({ invoices, notifications, auditEvents }) =>
    Effect.gen(function* () {
      const invoiceRows = yield* Effect.forEach(invoices, Rows.invoiceRow)
      const lineRows = invoices.flatMap(Rows.lineRows)
      const notificationRows = notifications.map(Rows.notificationRow)
      const auditRows: Array<Record<string, unknown>> = auditEvents.map((e) => ({
        customer_id: e.customerId,
        action: e.action,
        actor: e.actor,
        subject_type: e.subjectType,
        subject_id: e.subjectId,
        payload: JSON.stringify(e.payload),
        occurred_at: DateTime.formatIso(e.occurredAt)
      }))
      const insertAll = (table: string, rows: ReadonlyArray<Record<string, unknown>>) =>
        Effect.forEach(
          chunks(rows, Math.floor(maxParameters / Math.max(1, Object.keys(rows[0] ?? {}).length))),
          (part) =>
            sql`INSERT INTO ${sql(table)} ${sql.insert(part as Arr.NonEmptyReadonlyArray<Record<string, unknown>>)}`,
          { discard: true }
        )
      yield* insertAll("invoices", invoiceRows)
      yield* insertAll("invoice_lines", lineRows)
      yield* insertAll("notifications", notificationRows)
      yield* insertAll("audit_events", auditRows)
    }).pipe(
      mapWrite("invoice", invoices[0]?.id ?? "batch", "insert"),
      Effect.withSpan("BillingBatch.store", { attributes: { invoices: invoices.length } })
    )

  return BillingBatch.BillingBatch.of({ usageFor, store })
})

/** `BillingBatch` on the current `SqlClient`. */
export const layer: Layer.Layer<BillingBatch.BillingBatch, never, SqlClient.SqlClient> = Layer.effect(
  BillingBatch.BillingBatch,
  make
)
