/**
 * The column values of the rows the billing path writes, defined once: `PgInvoiceRepo` and
 * `PgOutbox` insert them one at a time, `PgBillingBatch` many per statement, and both must write
 * exactly the same rows. Amounts and decimals travel as text, so no value passes through a float.
 */
import { Breakdown, Customer, Decimal, Invoice, type Notification } from "@securebase/core"
import { DateTime, Effect, Schema } from "effect"

/**
 * The `customers` columns every reader selects (with `cu` as the table's alias), and the row they
 * read into, decoded to a `Customer` by {@link toCustomer}: `PgCustomerRepo` and the billing
 * claims read customers the same way.
 */
export const customerColumns = (alias: string) =>
  [
    "id::text",
    "name",
    "email",
    "plan",
    "status",
    "tax_profile",
    "net_days",
    "overdue_grace_days",
    "currency",
    "terms",
    "created_at"
  ]
    .map((c) => `${alias}.${c}`)
    .join(", ")

const CustomerRow = Schema.Struct({
  id: Schema.String,
  name: Schema.String,
  email: Schema.String,
  plan: Schema.String,
  status: Schema.String,
  tax_profile: Schema.Unknown,
  net_days: Schema.Number,
  overdue_grace_days: Schema.Number,
  currency: Schema.String,
  terms: Schema.Unknown,
  created_at: Schema.DateTimeUtcFromDate
})
const decodeCustomerRow = Schema.decodeUnknownEffect(CustomerRow)
const decodeCustomer = Schema.decodeUnknownEffect(Customer.Customer)
// jsonb arrives parsed from one driver and as text from another.
const json = (value: unknown): unknown => {
  if (typeof value !== "string") return value
  try {
    return JSON.parse(value)
  } catch {
    return value
  }
}

/** A `customers` row (selected with {@link customerColumns}) as a `Customer`. */
export const toCustomer = (row: unknown) =>
  Effect.flatMap(decodeCustomerRow(row), (r) =>
    decodeCustomer({
      id: r.id,
      name: r.name,
      email: r.email,
      plan: r.plan,
      status: r.status,
      taxProfile: json(r.tax_profile),
      netDays: r.net_days,
      overdueGraceDays: r.overdue_grace_days,
      currency: r.currency,
      terms: json(r.terms),
      createdAt: r.created_at
    })
  )

const encodeTaxLines = Schema.encodeEffect(Schema.Array(Invoice.InvoiceTaxLine))
const encodeDiscounts = Schema.encodeEffect(Schema.Array(Invoice.InvoiceDiscount))
const encodeBreakdown = Schema.encodeEffect(Breakdown.Breakdown)
const iso = (at: DateTime.Utc | null): string | null => (at === null ? null : DateTime.formatIso(at))

/** An `invoices` row (its tax lines and discount lines as JSON documents). */
export const invoiceRow = (invoice: Invoice.Invoice) =>
  Effect.map(
    Effect.orDie(Effect.all([encodeTaxLines(invoice.taxLines), encodeDiscounts(invoice.discounts)])),
    ([taxLines, discounts]) => ({
      id: invoice.id,
      number: invoice.number,
      customer_id: invoice.customerId,
      plan: invoice.plan,
      period: invoice.period,
      currency: invoice.currency,
      price_book_id: invoice.priceBookId,
      status: invoice.status,
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
      issued_at: iso(invoice.issuedAt),
      due_at: iso(invoice.dueAt),
      paid_at: iso(invoice.paidAt),
      overdue_at: iso(invoice.overdueAt),
      cancelled_at: iso(invoice.cancelledAt),
      payment_reference: invoice.paymentReference,
      cancellation_reason: invoice.cancellationReason
    })
  )

/** The `invoice_lines` rows of an invoice (each line's breakdown as a JSON document). */
export const lineRows = (invoice: Invoice.Invoice): Effect.Effect<Array<Record<string, unknown>>> =>
  Effect.forEach(invoice.lines, (l) =>
    Effect.map(Effect.orDie(encodeBreakdown(l.breakdown)), (breakdown) => ({
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
    }))
  )

/** A `notifications` row: queued, first attempt due at once. */
export const notificationRow = (n: Notification.NewNotification) => ({
  id: n.id,
  customer_id: n.customerId,
  channel: n.channel,
  template: n.template,
  recipient: n.recipient,
  payload: JSON.stringify({ subject: n.subject, text: n.text, data: n.data }),
  created_at: DateTime.formatIso(n.createdAt),
  next_attempt_at: DateTime.formatIso(n.createdAt)
})
