/**
 * `InvoiceRepo` on PostgreSQL: an invoice row plus its lines, written and read together. Amounts
 * travel as text (`bigint` columns read with `::text`) and decode through the core's `MinorUnits`,
 * so no amount ever passes through a float, whichever driver returns the row.
 */

import type { Ids } from "@securebase/core"
import { Invoice, InvoiceRepo, PersistenceError } from "@securebase/core"
import { Array as Arr, DateTime, Effect, Layer, Schema } from "effect"
import { SqlClient } from "effect/sql"
import * as Rows from "./Rows.ts"
import { mapRead, mapWrite } from "./SqlErrors.ts"

const Timestamp = Schema.NullOr(Schema.DateTimeUtcFromDate)

const InvoiceRow = Schema.Struct({
  id: Schema.String,
  number: Schema.NullOr(Schema.String),
  customer_id: Schema.String,
  plan: Schema.String,
  period: Schema.String,
  currency: Schema.String,
  price_book_id: Schema.String,
  status: Schema.String,
  subtotal: Schema.String,
  discount: Schema.String,
  discount_lines: Schema.Unknown,
  discount_description: Schema.NullOr(Schema.String),
  taxable: Schema.String,
  tax_lines: Schema.Unknown,
  tax: Schema.String,
  tax_exemption: Schema.NullOr(Schema.String),
  total: Schema.String,
  net_days: Schema.Number,
  created_at: Schema.DateTimeUtcFromDate,
  issued_at: Timestamp,
  due_at: Timestamp,
  paid_at: Timestamp,
  overdue_at: Timestamp,
  cancelled_at: Timestamp,
  payment_reference: Schema.NullOr(Schema.String),
  cancellation_reason: Schema.NullOr(Schema.String)
})

const LineRow = Schema.Struct({
  invoice_id: Schema.String,
  position: Schema.Number,
  code: Schema.String,
  description: Schema.String,
  kind: Schema.String,
  metric: Schema.NullOr(Schema.String),
  quantity: Schema.String,
  included: Schema.String,
  billable: Schema.String,
  pricing: Schema.String,
  precise_amount: Schema.NullOr(Schema.String),
  breakdown: Schema.Unknown,
  amount: Schema.String,
  discount: Schema.String
})

const decodeInvoiceRows = Schema.decodeUnknownEffect(Schema.Array(InvoiceRow))
const decodeLineRows = Schema.decodeUnknownEffect(Schema.Array(LineRow))
const decodeInvoice = Schema.decodeUnknownEffect(Invoice.Invoice)

const toInvoice = (row: typeof InvoiceRow.Type, lines: ReadonlyArray<typeof LineRow.Type>) =>
  decodeInvoice({
    id: row.id,
    number: row.number,
    customerId: row.customer_id,
    plan: row.plan,
    period: row.period,
    currency: row.currency,
    priceBookId: row.price_book_id,
    status: row.status,
    lines: lines.map((l) => ({
      position: l.position,
      code: l.code,
      description: l.description,
      kind: l.kind,
      metric: l.metric,
      quantity: l.quantity,
      included: l.included,
      billable: l.billable,
      pricing: l.pricing,
      // Lines priced before breakdowns were kept have neither (NULL columns).
      preciseAmount: l.precise_amount,
      breakdown: l.breakdown ?? [],
      amount: l.amount,
      discount: l.discount
    })),
    subtotal: row.subtotal,
    discount: row.discount,
    discounts: row.discount_lines,
    discountDescription: row.discount_description,
    taxable: row.taxable,
    taxLines: row.tax_lines,
    tax: row.tax,
    taxExemption: row.tax_exemption,
    total: row.total,
    netDays: row.net_days,
    createdAt: row.created_at,
    issuedAt: row.issued_at,
    dueAt: row.due_at,
    paidAt: row.paid_at,
    overdueAt: row.overdue_at,
    cancelledAt: row.cancelled_at,
    paymentReference: row.payment_reference,
    cancellationReason: row.cancellation_reason
  })

const iso = (at: DateTime.Utc | null): string | null => (at === null ? null : DateTime.formatIso(at))

/** Builds the repository over the current `SqlClient`. */
export const make = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const invoiceColumns = sql.unsafe(`id::text, number, customer_id::text, plan, period, currency,
    price_book_id, status::text, subtotal::text, discount::text, discount_lines, discount_description, taxable::text,
    tax_lines, tax::text, tax_exemption, total::text, net_days, created_at, issued_at, due_at, paid_at,
    overdue_at, cancelled_at, payment_reference, cancellation_reason`)
  const lineColumns = sql.unsafe(`invoice_id::text, position, code, description, kind, metric,
    quantity::text, included::text, billable::text, pricing, precise_amount::text, breakdown, amount::text,
    discount::text`)

  // Rows to invoices, lines grouped by invoice and ordered by position.
  const assemble = (invoiceRows: unknown, lineRows: unknown) =>
    Effect.gen(function* () {
      const invoices = yield* decodeInvoiceRows(invoiceRows)
      const lines = yield* decodeLineRows(lineRows)
      return yield* Effect.forEach(invoices, (row) =>
        toInvoice(
          row,
          lines.filter((l) => l.invoice_id === row.id).sort((a, b) => a.position - b.position)
        )
      )
    })

  const insert = (invoice: Invoice.Invoice) =>
    sql
      .withTransaction(
        Effect.gen(function* () {
          yield* sql`INSERT INTO invoices ${sql.insert(yield* Rows.invoiceRow(invoice))}`
          const lines = yield* Rows.lineRows(invoice)
          if (Arr.isReadonlyArrayNonEmpty(lines)) yield* sql`INSERT INTO invoice_lines ${sql.insert(lines)}`
          return invoice
        })
      )
      .pipe(mapWrite("invoice", invoice.id, "insert"), Effect.withSpan("InvoiceRepo.insert"))

  const findById = (id: Ids.InvoiceId) =>
    Effect.gen(function* () {
      const rows = yield* sql`SELECT ${invoiceColumns} FROM invoices WHERE id = ${id}`
      if (rows.length === 0) return yield* new PersistenceError.NotFound({ entity: "invoice", key: id })
      const lines = yield* sql`SELECT ${lineColumns} FROM invoice_lines WHERE invoice_id = ${id}`
      const [invoice] = yield* assemble(rows, lines)
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
          SELECT ${invoiceColumns} FROM invoices WHERE customer_id = ${customerId} ORDER BY period DESC, id`
        const lines = yield* sql`SELECT ${lineColumns} FROM invoice_lines WHERE customer_id = ${customerId}`
        return yield* assemble(rows, lines)
      })
    ).pipe(Effect.withSpan("InvoiceRepo.listByCustomer"))

  const updateLifecycle = (invoice: Invoice.Invoice) =>
    Effect.gen(function* () {
      const rows = yield* sql`
        UPDATE invoices SET status = ${invoice.status}, number = ${invoice.number},
          issued_at = ${iso(invoice.issuedAt)}, due_at = ${iso(invoice.dueAt)}, paid_at = ${iso(invoice.paidAt)},
          overdue_at = ${iso(invoice.overdueAt)}, cancelled_at = ${iso(invoice.cancelledAt)},
          payment_reference = ${invoice.paymentReference}, cancellation_reason = ${invoice.cancellationReason}
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

  return InvoiceRepo.InvoiceRepo.of({ insert, findById, listByCustomer, updateLifecycle })
})

/** `InvoiceRepo` on the current `SqlClient`. */
export const layer: Layer.Layer<InvoiceRepo.InvoiceRepo, never, SqlClient.SqlClient> = Layer.effect(
  InvoiceRepo.InvoiceRepo,
  make
)
