/**
 * The column values of the rows the billing path writes, defined once: `PgInvoiceRepo` and
 * `PgOutbox` insert them one at a time, `PgBillingBatch` many per statement, and both must write
 * exactly the same rows. Amounts and decimals travel as text, so no value passes through a float.
 */
import { Decimal, Invoice, type Notification } from "@securebase/core"
import { DateTime, Effect, Schema } from "effect"

const encodeTaxLines = Schema.encodeEffect(Schema.Array(Invoice.InvoiceTaxLine))
const iso = (at: DateTime.Utc | null): string | null => (at === null ? null : DateTime.formatIso(at))

/** An `invoices` row (its tax lines as a JSON document). */
export const invoiceRow = (invoice: Invoice.Invoice) =>
  Effect.map(Effect.orDie(encodeTaxLines(invoice.taxLines)), (taxLines) => ({
    id: invoice.id,
    number: invoice.number,
    customer_id: invoice.customerId,
    tier: invoice.tier,
    period: invoice.period,
    currency: invoice.currency,
    price_book_id: invoice.priceBookId,
    status: invoice.status,
    subtotal: invoice.subtotal.toString(),
    discount: invoice.discount.toString(),
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
  }))

/** The `invoice_lines` rows of an invoice. */
export const lineRows = (invoice: Invoice.Invoice): Array<Record<string, unknown>> =>
  invoice.lines.map((l) => ({
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
    amount: l.amount.toString(),
    discount: l.discount.toString()
  }))

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
