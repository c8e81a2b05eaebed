/**
 * Invoices: lines, subtotal, discount, taxes and total in integer minor units that reconcile
 * exactly, and the lifecycle fields that {@link ./InvoiceLifecycle.ts} moves through.
 */
import { Schema } from "effect"
import { CustomerId, InvoiceId, PriceBookId } from "../Ids.ts"
import { Currency } from "../money/Currency.ts"
import { Decimal } from "../money/Decimal.ts"
import { MinorUnits } from "../money/Money.ts"
import { MetricCode } from "../usage/Metric.ts"
import { Period } from "./Period.ts"
import { JurisdictionCode } from "./Tax.ts"
import { Tier } from "./Tier.ts"

/** The card's `invoice_status` enum. */
export const InvoiceStatus = Schema.Literals(["draft", "issued", "paid", "overdue", "cancelled"]).annotate({
  identifier: "InvoiceStatus"
})
export type InvoiceStatus = typeof InvoiceStatus.Type

/** An invoice number such as `INV-2026-000123`, assigned when the invoice is issued. */
export const InvoiceNumber = Schema.String.check(
  Schema.isPattern(/^INV-\d{4}-\d{6,}$/, { message: "expected an invoice number such as INV-2026-000123" })
).pipe(Schema.brand("InvoiceNumber"))
export type InvoiceNumber = typeof InvoiceNumber.Type

/** Formats the `sequence`-th invoice number of a year: `INV-2026-000123`. */
export const formatNumber = (year: number, sequence: number | bigint): InvoiceNumber =>
  `INV-${year.toString().padStart(4, "0")}-${sequence.toString().padStart(6, "0")}` as InvoiceNumber

/** One priced line (before the invoice-level discount, whose share is in `discount`). */
export const InvoiceLine = Schema.Struct({
  position: Schema.Int.check(Schema.isGreaterThanOrEqualTo(1)),
  code: Schema.String,
  description: Schema.String,
  kind: Schema.Literals(["flat", "usage"]),
  metric: Schema.NullOr(MetricCode),
  /** The metric's total for the period (1 for a flat charge). */
  quantity: Decimal,
  included: Decimal,
  billable: Decimal,
  /** How the billable quantity was priced ("$0.0004 per unit", "graduated, 2 bands"). */
  pricing: Schema.String,
  amount: MinorUnits,
  /** This line's share of the invoice discount (largest-remainder allocation). */
  discount: MinorUnits
}).annotate({ identifier: "InvoiceLine" })
export interface InvoiceLine extends Schema.Schema.Type<typeof InvoiceLine> {}

/** One tax line on the discounted subtotal. */
export const InvoiceTaxLine = Schema.Struct({
  jurisdiction: JurisdictionCode,
  name: Schema.String,
  rate: Decimal,
  taxable: MinorUnits,
  amount: MinorUnits
}).annotate({ identifier: "InvoiceTaxLine" })
export interface InvoiceTaxLine extends Schema.Schema.Type<typeof InvoiceTaxLine> {}

/** An invoice (plain data). Amounts are minor units of `currency`. */
export const Invoice = Schema.Struct({
  id: InvoiceId,
  number: Schema.NullOr(InvoiceNumber),
  customerId: CustomerId,
  tier: Tier,
  period: Period,
  currency: Currency,
  priceBookId: PriceBookId,
  status: InvoiceStatus,
  lines: Schema.Array(InvoiceLine),
  subtotal: MinorUnits,
  discount: MinorUnits,
  discountDescription: Schema.NullOr(Schema.String),
  taxable: MinorUnits,
  taxLines: Schema.Array(InvoiceTaxLine),
  tax: MinorUnits,
  taxExemption: Schema.NullOr(Schema.String),
  total: MinorUnits,
  /** Payment terms: days from issue to due date (net 30 by default). */
  netDays: Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 365 })),
  createdAt: Schema.DateTimeUtc,
  issuedAt: Schema.NullOr(Schema.DateTimeUtc),
  dueAt: Schema.NullOr(Schema.DateTimeUtc),
  paidAt: Schema.NullOr(Schema.DateTimeUtc),
  overdueAt: Schema.NullOr(Schema.DateTimeUtc),
  cancelledAt: Schema.NullOr(Schema.DateTimeUtc),
  paymentReference: Schema.NullOr(Schema.String),
  cancellationReason: Schema.NullOr(Schema.String)
}).annotate({ identifier: "Invoice" })
export interface Invoice extends Schema.Schema.Type<typeof Invoice> {}

/** The default payment terms: net 30. */
export const defaultNetDays = 30

/**
 * The ways an invoice can fail to reconcile, empty when it reconciles: lines add to the subtotal,
 * discount shares add to the discount, taxable = subtotal − discount, tax lines add to the tax,
 * total = taxable + tax, and no amount is negative.
 */
export const reconciliationErrors = (invoice: Invoice): ReadonlyArray<string> => {
  const errors: Array<string> = []
  const sum = (xs: ReadonlyArray<bigint>) => xs.reduce((a, b) => a + b, 0n)
  if (sum(invoice.lines.map((l) => l.amount)) !== invoice.subtotal)
    errors.push("lines do not add to the subtotal")
  if (sum(invoice.lines.map((l) => l.discount)) !== invoice.discount)
    errors.push("discount shares do not add up")
  if (invoice.subtotal - invoice.discount !== invoice.taxable)
    errors.push("taxable is not subtotal − discount")
  if (sum(invoice.taxLines.map((t) => t.amount)) !== invoice.tax)
    errors.push("tax lines do not add to the tax")
  if (invoice.taxable + invoice.tax !== invoice.total) errors.push("total is not taxable + tax")
  const amounts = [invoice.subtotal, invoice.discount, invoice.taxable, invoice.tax, invoice.total]
  for (const l of invoice.lines) amounts.push(l.amount, l.discount)
  if (amounts.some((a) => a < 0n)) errors.push("an amount is negative")
  if (invoice.lines.some((l) => l.discount > l.amount)) errors.push("a line's discount exceeds its amount")
  return errors
}
