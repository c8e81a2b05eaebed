/**
 * `BillingBatch` on PostgreSQL: multi-row INSERTs for many invoices, their lines, their outbox
 * rows and their audit events (the audit trigger still chains each event; a batch holds one event
 * per customer). Every row comes from `rows/`, the same definitions `PgInvoiceRepo`, `PgOutbox`
 * and `PgAuditLog` insert one at a time. The usage comes from `PgBillableUsage`. `issue` turns
 * stored drafts into issued invoices with one UPDATE (the billing run's batches and its numbering in
 * blocks: the drafts are written before the number row is locked, the UPDATE after).
 */
import { BillingBatch, type Invoice, PersistenceError } from "@securebase/core"
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

/** Rows for one table, inserted in order with the others of a batch. */
type Part = readonly [table: string, rows: ReadonlyArray<Record<string, unknown>>]

/**
 * The statements that insert `parts`, in order: each table's rows in chunks under `limit` bind
 * parameters, and consecutive chunks packed into one statement (data-modifying CTEs) while it
 * stays under the limit, so a small batch is one round trip. Foreign keys hold (their checks run
 * at the end of the statement, when all of its rows are there), but a row-level-security check
 * does not see the rows of its own statement: a table whose policy reads another goes in a later
 * call.
 */
export const plan = (parts: ReadonlyArray<Part>, limit = maxParameters): Array<Array<Part>> => {
  const statements: Array<Array<Part>> = []
  let current: Array<Part> = []
  let used = 0
  for (const [table, rows] of parts) {
    if (rows.length === 0) continue
    const width = Math.max(1, Object.keys(rows[0]!).length)
    for (const part of chunks(rows, Math.max(1, Math.floor(limit / width)))) {
      const cost = part.length * width
      if (current.length > 0 && used + cost > limit) {
        statements.push(current)
        current = []
        used = 0
      }
      current.push([table, part])
      used += cost
    }
  }
  if (current.length > 0) statements.push(current)
  return statements
}

/** Builds the service over the current `SqlClient`. */
export const make = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const invoiceColumns = sql.unsafe(InvoiceRow.columns())
  const lineColumns = sql.unsafe(InvoiceRow.lineColumns())

  const insertOf = (table: string, rows: ReadonlyArray<Record<string, unknown>>) =>
    sql`INSERT INTO ${sql(table)} ${sql.insert(rows as Arr.NonEmptyReadonlyArray<Record<string, unknown>>)}`

  const insertAll = (parts: ReadonlyArray<Part>) =>
    Effect.forEach(
      plan(parts),
      (statement) => {
        const [table, rows] = statement[statement.length - 1]!
        if (statement.length === 1) return insertOf(table, rows)
        const ctes = sql.join(
          ", ",
          false
        )(statement.slice(0, -1).map(([t, r], i) => sql`${sql(`w${i}`)} AS (${insertOf(t, r)})`))
        return sql`WITH ${ctes} ${insertOf(table, rows)}`
      },
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
      yield* insertAll([
        ["invoices", invoiceRows],
        ["invoice_lines", lineRows],
        ["notifications", notificationRows]
      ])
      // A statement of their own: the worker's audit policy checks that each event's invoice
      // exists, which a statement's snapshot cannot see of rows inserted by that same statement.
      yield* insertAll([["audit_events", auditRows]])
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
      yield* insertAll([
        ["notifications", notifications.map(NotificationRow.write)],
        ["audit_events", yield* Effect.forEach(auditEvents, AuditEventRow.write)]
      ])
    }).pipe(
      Effect.catchTag("SqlError", (error) =>
        mapWrite("invoice", invoices[0]?.id ?? "batch", "issue")(Effect.fail(error))
      ),
      Effect.withSpan("BillingBatch.issue", { attributes: { invoices: invoices.length } })
    )

  const drafts: BillingBatch.BillingBatch["Service"]["drafts"] = (ids) =>
    Effect.gen(function* () {
      if (ids.length === 0) return []
      const list = JSON.stringify(ids)
      const rows = yield* sql`
        SELECT ${invoiceColumns} FROM invoices
        WHERE id IN (SELECT jsonb_array_elements_text(${list}::jsonb)::uuid) AND status = 'draft'`
      const lines = yield* sql`
        SELECT ${lineColumns} FROM invoice_lines
        WHERE invoice_id IN (SELECT jsonb_array_elements_text(${list}::jsonb)::uuid)`
      const byId = new Map((yield* InvoiceRow.read(rows, lines)).map((i) => [i.id as string, i]))
      const out: Array<Invoice.Invoice> = []
      for (const id of ids) {
        const draft = byId.get(id)
        // Issued (or removed) by someone else meanwhile.
        if (draft === undefined)
          return yield* new PersistenceError.PersistenceFailure({
            operation: "BillingBatch.drafts",
            kind: "DraftChanged"
          })
        out.push(draft)
      }
      return out
    }).pipe(
      Effect.catchTags({
        SqlError: (e) =>
          Effect.fail(
            new PersistenceError.PersistenceFailure({ operation: "BillingBatch.drafts", kind: e.reason._tag })
          ),
        SchemaError: () =>
          Effect.fail(
            new PersistenceError.PersistenceFailure({ operation: "BillingBatch.drafts", kind: "SchemaError" })
          )
      }),
      Effect.withSpan("BillingBatch.drafts", { attributes: { invoices: ids.length } })
    )

  return BillingBatch.BillingBatch.of({ store, issue, drafts })
})

/** `BillingBatch` on the current `SqlClient`. */
export const layer: Layer.Layer<BillingBatch.BillingBatch, never, SqlClient.SqlClient> = Layer.effect(
  BillingBatch.BillingBatch,
  make
)
