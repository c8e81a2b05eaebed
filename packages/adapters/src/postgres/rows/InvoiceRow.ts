/**
 * The `invoices` and `invoice_lines` rows, both directions, defined once: the schemas below are
 * the columns every reader selects, {@link write} and {@link lineWrites} the values every writer
 * inserts (`PgInvoiceRepo` one invoice at a time, `PgBillingBatch` many per statement), and
 * {@link read} turns rows back into invoices. A new invoice field is a field here, in the core's
 * `Invoice` and in a migration. Amounts and decimals travel as text, so no value passes through a
 * float whichever driver returns the row.
 */
import { Breakdown, Decimal, Invoice } from "@securebase/core"
import { DateTime, Effect, Schema } from "effect"
import * as Columns from "./Columns.ts"

const Timestamp = Schema.NullOr(Schema.DateTimeUtcFromDate)

/** An `invoices` row as selected by {@link columns}. */
export const Row = Schema.Struct({
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
export type Row = typeof Row.Type

/** An `invoice_lines` row as selected by {@link lineColumns}. */
export const LineRow = Schema.Struct({
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
export type LineRow = typeof LineRow.Type

const text = "::text"

/** The SELECT list of {@link Row} for the table (or alias) `alias`. */
export const columns = (alias = "invoices"): string =>
  Columns.select(
    Row,
    {
      id: text,
      customer_id: text,
      plan: text,
      status: text,
      subtotal: text,
      discount: text,
      taxable: text,
      tax: text,
      total: text
    },
    alias
  )

/** The SELECT list of {@link LineRow} for the table (or alias) `alias`. */
export const lineColumns = (alias = "invoice_lines"): string =>
  Columns.select(
    LineRow,
    {
      invoice_id: text,
      quantity: text,
      included: text,
      billable: text,
      precise_amount: text,
      amount: text,
      discount: text
    },
    alias
  )

const decodeRows = Schema.decodeUnknownEffect(Schema.Array(Row))
const decodeLineRows = Schema.decodeUnknownEffect(Schema.Array(LineRow))
const decodeInvoice = Schema.decodeUnknownEffect(Invoice.Invoice)

const toInvoice = (row: Row, lines: ReadonlyArray<LineRow>) =>
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
      breakdown: Columns.json(l.breakdown) ?? [],
      amount: l.amount,
      discount: l.discount
    })),
    subtotal: row.subtotal,
    discount: row.discount,
    discounts: Columns.json(row.discount_lines),
    discountDescription: row.discount_description,
    taxable: row.taxable,
    taxLines: Columns.json(row.tax_lines),
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

/**
 * Invoices from their rows (selected with {@link columns}) and their lines' rows (with
 * {@link lineColumns}), in the order of the invoice rows, each invoice's lines by position.
 */
export const read = (invoiceRows: unknown, lineRows: unknown) =>
  Effect.gen(function* () {
    const invoices = yield* decodeRows(invoiceRows)
    const lines = yield* decodeLineRows(lineRows)
    const byInvoice = new Map<string, Array<LineRow>>()
    for (const line of lines) {
      const of = byInvoice.get(line.invoice_id)
      if (of === undefined) byInvoice.set(line.invoice_id, [line])
      else of.push(line)
    }
    return yield* Effect.forEach(invoices, (row) =>
      toInvoice(
        row,
        (byInvoice.get(row.id) ?? []).sort((a, b) => a.position - b.position)
      )
    )
  })

const encodeTaxLines = Schema.encodeEffect(Schema.Array(Invoice.InvoiceTaxLine))
const encodeDiscounts = Schema.encodeEffect(Schema.Array(Invoice.InvoiceDiscount))
const encodeBreakdown = Schema.encodeEffect(Breakdown.Breakdown)
const iso = (at: DateTime.Utc | null): string | null => (at === null ? null : DateTime.formatIso(at))

/** The columns an invoice's lifecycle changes (status, number and its instants), for an UPDATE. */
export const lifecycle = (invoice: Invoice.Invoice) => ({
  status: invoice.status,
  number: invoice.number,
  issued_at: iso(invoice.issuedAt),
  due_at: iso(invoice.dueAt),
  paid_at: iso(invoice.paidAt),
  overdue_at: iso(invoice.overdueAt),
  cancelled_at: iso(invoice.cancelledAt),
  payment_reference: invoice.paymentReference,
  cancellation_reason: invoice.cancellationReason
})

/** The `invoices` row of an invoice (its tax lines and discount lines as JSON documents). */
export const write = (invoice: Invoice.Invoice): Effect.Effect<Record<string, unknown>> =>
  Effect.map(
    Effect.orDie(Effect.all([encodeTaxLines(invoice.taxLines), encodeDiscounts(invoice.discounts)])),
    ([taxLines, discounts]) =>
      ({
        id: invoice.id,
        customer_id: invoice.customerId,
        plan: invoice.plan,
        period: invoice.period,
        currency: invoice.currency,
        price_book_id: invoice.priceBookId,
        subtotal: invoice.subtotal.toString(),
        discount: invoice.discount.toString(),
        discount_lines: JSON.stringify(discounts),
        discount_description: invoice.discountDescription,
        taxable: invoice.taxable.toString(),
        tax_lines: JSON.stringify(taxLines),
        tax: invoice.tax.toString(),
        tax_exemption: invoice.taxExemption,
        total: invoice.total.toString(),
        net_days: invoice.netDays,
        created_at: DateTime.formatIso(invoice.createdAt),
        ...lifecycle(invoice)
      }) satisfies Record<keyof Row, unknown>
  )

/** The `invoice_lines` rows of an invoice (each line's breakdown as a JSON document). */
export const lineWrites = (invoice: Invoice.Invoice): Effect.Effect<Array<Record<string, unknown>>> =>
  Effect.forEach(invoice.lines, (l) =>
    Effect.map(
      Effect.orDie(encodeBreakdown(l.breakdown)),
      (breakdown) =>
        ({
          invoice_id: invoice.id,
          customer_id: invoice.customerId,
          position: l.position,
          code: l.code,
          description: l.description,
          kind: l.kind,
          metric: l.metric,
          quantity: Decimal.format(l.quantity),
          included: Decimal.format(l.included),
          billable: Decimal.format(l.billable),
          pricing: l.pricing,
          precise_amount: l.preciseAmount === null ? null : Decimal.format(l.preciseAmount),
          // Lines read from before breakdowns were kept stay NULL, rather than claim an empty breakdown.
          breakdown: l.preciseAmount === null ? null : JSON.stringify(breakdown),
          amount: l.amount.toString(),
          discount: l.discount.toString()
        }) satisfies Record<keyof LineRow | "customer_id", unknown>
    )
  )
