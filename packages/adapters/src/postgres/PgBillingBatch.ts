/**
 * `BillingBatch` on PostgreSQL: multi-row INSERTs for many invoices, their lines, their outbox
 * rows and their audit events (the audit trigger still chains each event; a batch holds one event
 * per customer). Every row comes from `rows/`, the same definitions `PgInvoiceRepo`, `PgOutbox`
 * and `PgAuditLog` insert one at a time. The usage comes from `PgBillableUsage`. `issue` turns
 * stored drafts into issued invoices with one UPDATE (the billing run's numbering in blocks).
 */
import { BillingBatch, PersistenceError } from "@securebase/core"
import { type Array as Arr, DateTime, Effect, Layer } from "effect"
import { SqlClient } from "effect/sql"
import * as AuditEventRow from "./rows/AuditEventRow.ts"
import * as InvoiceRow from "./rows/InvoiceRow.ts"
import * as NotificationRow from "./rows/NotificationRow.ts"
import { mapWrite } from "./SqlErrors.ts"

// Multi-row statements stay under 30,000 bind parameters (the wire protocol counts them in 16
// bits, and the driver refuses more than 32,767).
const maxParameters = 30_000
const chunks = <A>(xs: ReadonlyArray<A>, size: number): Array<ReadonlyArray<A>> =>
  Array.from({ length: Math.ceil(xs.length / size) }, (_, i) => xs.slice(i * size, (i + 1) * size))

/** Builds the service over the current `SqlClient`. */
export const make = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient

  const insertAll = (table: string, rows: ReadonlyArray<Record<string, unknown>>) =>
    Effect.forEach(
      chunks(rows, Math.floor(maxParameters / Math.max(1, Object.keys(rows[0] ?? {}).length))),
      (part) =>
        sql`INSERT INTO ${sql(table)} ${sql.insert(part as Arr.NonEmptyReadonlyArray<Record<string, unknown>>)}`,
      { discard: true }
    )

  const store: BillingBatch.BillingBatch["Service"]["store"] = ({ invoices, notifications, auditEvents }) =>
    Effect.gen(function* () {
      const invoiceRows = yield* Effect.forEach(invoices, InvoiceRow.write)
      const lineRows = (yield* Effect.forEach(invoices, InvoiceRow.lineWrites)).flat()
      const notificationRows = notifications.map(NotificationRow.write)
      // Encoded as PgAuditLog appends them; the trigger sets the actor (the worker's principal),
      // the time and the chain.
      const auditRows = yield* Effect.forEach(auditEvents, AuditEventRow.write)
      yield* insertAll("invoices", invoiceRows)
      yield* insertAll("invoice_lines", lineRows)
      yield* insertAll("notifications", notificationRows)
      yield* insertAll("audit_events", auditRows)
    }).pipe(
      mapWrite("invoice", invoices[0]?.id ?? "batch", "insert"),
      Effect.withSpan("BillingBatch.store", { attributes: { invoices: invoices.length } })
    )

  const issue: BillingBatch.BillingBatch["Service"]["issue"] = ({ invoices, notifications, auditEvents }) =>
    Effect.gen(function* () {
      if (invoices.length === 0) return
      const updated = yield* sql`
        UPDATE invoices i SET status = 'issued', number = s.number, issued_at = s.issued_at, due_at = s.due_at
        FROM jsonb_to_recordset(${JSON.stringify(
          invoices.map((i) => ({
            id: i.id,
            number: i.number,
            issued_at: i.issuedAt === null ? null : DateTime.formatIso(i.issuedAt),
            due_at: i.dueAt === null ? null : DateTime.formatIso(i.dueAt)
          }))
        )}::jsonb) AS s(id uuid, number text, issued_at timestamptz, due_at timestamptz)
        WHERE i.id = s.id AND i.status = 'draft'
        RETURNING i.id`
      // A draft issued (or removed) by someone else meanwhile: write nothing (the caller rolls back).
      if (updated.length !== invoices.length)
        return yield* new PersistenceError.PersistenceFailure({
          operation: "BillingBatch.issue",
          kind: "DraftChanged"
        })
      yield* insertAll("notifications", notifications.map(NotificationRow.write))
      yield* insertAll("audit_events", yield* Effect.forEach(auditEvents, AuditEventRow.write))
    }).pipe(
      Effect.catchTag("SqlError", (error) =>
        mapWrite("invoice", invoices[0]?.id ?? "batch", "issue")(Effect.fail(error))
      ),
      Effect.withSpan("BillingBatch.issue", { attributes: { invoices: invoices.length } })
    )

  return BillingBatch.BillingBatch.of({ store, issue })
})

/** `BillingBatch` on the current `SqlClient`. */
export const layer: Layer.Layer<BillingBatch.BillingBatch, never, SqlClient.SqlClient> = Layer.effect(
  BillingBatch.BillingBatch,
  make
)
