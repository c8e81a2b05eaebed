/**
 * `InvoiceRepo` on PostgreSQL: an invoice row plus its lines, written and read together. Amounts
 * travel as text (`bigint` columns read with `::text`) and decode through the core's `MinorUnits`,
 * so no amount ever passes through a float, whichever driver returns the row.
 */

import type { Ids } from "@securebase/core"
import { type Invoice, InvoiceRepo, PersistenceError } from "@securebase/core"
import { Array as Arr, Effect, Layer, Schema } from "effect"
import { SqlClient } from "effect/sql"
import * as PgTenancy from "./PgTenancy.ts"
import * as InvoiceRow from "./rows/InvoiceRow.ts"
import { mapRead, mapWrite } from "./SqlErrors.ts"

// A page of the list reads the summary columns only: a subset of the row, selected as its columns are.
const f = InvoiceRow.Row.fields
const SummaryRow = Schema.Struct({
  id: f.id,
  number: f.number,
  period: f.period,
  status: f.status,
  currency: f.currency,
  total: f.total,
  issued_at: f.issued_at,
  due_at: f.due_at
})
const decodeSummaryRows = Schema.decodeUnknownEffect(Schema.Array(SummaryRow))
const decodeSummaries = Schema.decodeUnknownEffect(Schema.Array(InvoiceRepo.InvoiceSummary))

/** Builds the repository over the current `SqlClient`. */
export const make = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const invoiceColumns = sql.unsafe(InvoiceRow.columns())
  const lineColumns = sql.unsafe(InvoiceRow.lineColumns())

  // One statement (the invoice and its lines, atomic on its own): no savepoint and one round trip,
  // where a transaction of two INSERTs cost four inside the caller's transaction.
  const insert = (invoice: Invoice.Invoice) =>
    Effect.gen(function* () {
      const row = yield* InvoiceRow.write(invoice)
      const lines = yield* InvoiceRow.lineWrites(invoice)
      if (Arr.isReadonlyArrayNonEmpty(lines))
        yield* sql`WITH invoice AS (INSERT INTO invoices ${sql.insert(row)})
          INSERT INTO invoice_lines ${sql.insert(lines)}`
      else yield* sql`INSERT INTO invoices ${sql.insert(row)}`
      return invoice
    }).pipe(mapWrite("invoice", invoice.id, "insert"), Effect.withSpan("InvoiceRepo.insert"))

  const findById = (id: Ids.InvoiceId) =>
    Effect.gen(function* () {
      const rows = yield* sql`SELECT ${invoiceColumns} FROM invoices WHERE id = ${id}`
      if (rows.length === 0) return yield* new PersistenceError.NotFound({ entity: "invoice", key: id })
      const lines = yield* sql`SELECT ${lineColumns} FROM invoice_lines WHERE invoice_id = ${id}`
      const [invoice] = yield* InvoiceRow.read(rows, lines)
      return invoice!
    }).pipe(
      Effect.catchTags({
        SqlError: (e) =>
          Effect.fail(
            new PersistenceError.PersistenceFailure({
              operation: "InvoiceRepo.findById",
              kind: e.reason._tag
            })
          ),
        SchemaError: () =>
          Effect.fail(
            new PersistenceError.PersistenceFailure({
              operation: "InvoiceRepo.findById",
              kind: "SchemaError"
            })
          )
      }),
      Effect.withSpan("InvoiceRepo.findById")
    )

  const listByCustomer = (customerId: Ids.CustomerId) =>
    mapRead("InvoiceRepo.listByCustomer")(
      Effect.gen(function* () {
        const rows = yield* sql`
          SELECT ${invoiceColumns} FROM invoices WHERE customer_id = ${customerId} ORDER BY period DESC, invoices.id`
        const lines = yield* sql`SELECT ${lineColumns} FROM invoice_lines WHERE customer_id = ${customerId}`
        return yield* InvoiceRow.read(rows, lines)
      })
    ).pipe(Effect.withSpan("InvoiceRepo.listByCustomer"))

  // The keyset page is migration 0023's `app_invoice_page_rows` (ONE definition, which
  // `app_invoice_page` reads too): newest period first, then by id, each filter a bound of the
  // index scan. The plan is a `limit`-row index scan only once the table has statistics: before its
  // first ANALYZE the planner expects a handful of rows per customer and sorts them all instead.
  const pageArgs = (page: InvoiceRepo.ListPage) =>
    sql`${page.status ?? null}::text, ${page.period ?? null}::text,
      ${page.after?.period ?? null}::text, ${page.after?.id ?? null}::uuid, ${page.limit}::integer`
  const toSummaries = (rows: ReadonlyArray<typeof SummaryRow.Type>) =>
    decodeSummaries(
      rows.map((row) => ({
        id: row.id,
        number: row.number,
        period: row.period,
        status: row.status,
        currency: row.currency,
        total: row.total,
        issuedAt: row.issued_at,
        dueAt: row.due_at
      }))
    )

  const listPage = (customerId: Ids.CustomerId, page: InvoiceRepo.ListPage) =>
    mapRead("InvoiceRepo.listPage")(
      Effect.flatMap(
        Effect.flatMap(
          sql`SELECT * FROM app_invoice_page_rows(${customerId}::uuid, ${pageArgs(page)})`,
          decodeSummaryRows
        ),
        toSummaries
      )
    ).pipe(Effect.withSpan("InvoiceRepo.listPage"))

  // The same page as a tenant read of its own (`PgTenancy.readAs`): one statement, one round trip,
  // where `runAs` around `listPage` costs four (BEGIN, entering the tenant, the page, COMMIT).
  const listPageAs = (customerId: Ids.CustomerId, page: InvoiceRepo.ListPage) =>
    PgTenancy.readAs(customerId, (entry) =>
      mapRead("InvoiceRepo.listPageAs")(
        sql<{ readonly verdict: string }>`SELECT * FROM app_invoice_page(${entry.customerId}::uuid,
          ${entry.keyId}::text, ${entry.sessionId}::text, ${entry.now}::timestamptz, ${entry.actor}::text,
          ${pageArgs(page)})`
      )
    ).pipe(
      // Decoded once accepted: a refusal's row has a verdict and no invoice (the extra `verdict`
      // column of an accepted row is dropped by the decoding).
      Effect.flatMap((rows) =>
        mapRead("InvoiceRepo.listPageAs")(Effect.flatMap(decodeSummaryRows(rows), toSummaries))
      ),
      Effect.withSpan("InvoiceRepo.listPageAs")
    )

  const updateLifecycle = (invoice: Invoice.Invoice) =>
    Effect.gen(function* () {
      const rows = yield* sql`
        UPDATE invoices SET ${sql.update(InvoiceRow.lifecycle(invoice))}
        WHERE id = ${invoice.id}
        RETURNING id`.pipe(
        mapWrite("invoice", invoice.id, "update"),
        // An UPDATE that row-level security filters matches no row; it is never refused.
        Effect.catchTag("TenantAccessDenied", (e) =>
          Effect.fail(
            new PersistenceError.PersistenceFailure({
              operation: "InvoiceRepo.updateLifecycle",
              kind: e._tag
            })
          )
        )
      )
      if (rows.length === 0)
        return yield* new PersistenceError.NotFound({ entity: "invoice", key: invoice.id })
      return invoice
    }).pipe(Effect.withSpan("InvoiceRepo.updateLifecycle"))

  return InvoiceRepo.InvoiceRepo.of({
    insert,
    findById,
    listByCustomer,
    listPage,
    listPageAs,
    updateLifecycle
  })
})

/** `InvoiceRepo` on the current `SqlClient`. */
export const layer: Layer.Layer<InvoiceRepo.InvoiceRepo, never, SqlClient.SqlClient> = Layer.effect(
  InvoiceRepo.InvoiceRepo,
  make
)
