/**
 * Invoices: lines, subtotal, discount, taxes and total in integer minor units that reconcile
 * exactly, and the lifecycle fields that {@link ./InvoiceLifecycle.ts} moves through.
 */
import { BigDecimal, Schema } from "effect"
import { CustomerId, InvoiceId, PriceBookId } from "../Ids.ts"
import { Currency, exponent } from "../money/Currency.ts"
import { Decimal } from "../money/Decimal.ts"
import { MinorUnits } from "../money/Money.ts"
import { MetricCode } from "../usage/Metric.ts"
import * as Breakdown from "./Breakdown.ts"
import { Period } from "./Period.ts"
import { PlanCode } from "./PriceBook.ts"
import { JurisdictionCode } from "./Tax.ts"

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

/** A line's kind: a flat charge, a usage charge, or the true-up of a minimum commitment. */
export const LineKind = Schema.Literals(["flat", "usage", "commitment"])
export type LineKind = typeof LineKind.Type

/** One priced line (before the invoice-level discount, whose share is in `discount`). */
export const InvoiceLine = Schema.Struct({
  position: Schema.Int.check(Schema.isGreaterThanOrEqualTo(1)),
  code: Schema.String,
  description: Schema.String,
  kind: LineKind,
  metric: Schema.NullOr(MetricCode),
  /** The metric's total for the period (1 for a flat charge). */
  quantity: Decimal,
  included: Decimal,
  billable: Decimal,
  /** How the billable quantity was priced ("0.0004 per unit", "graduated, 2 bands", "negotiated: ..."). */
  pricing: Schema.String,
  /** The exact amount before rounding, in major units; null on invoices priced before it was kept. */
  preciseAmount: Schema.NullOr(Decimal),
  /** How `preciseAmount` was reached: its rows add up to it exactly (empty on older invoices). */
  breakdown: Breakdown.Breakdown,
  /** `preciseAmount` rounded once by the book's mode. */
  amount: MinorUnits,
  /** This line's share of the invoice discount (largest-remainder allocation). */
  discount: MinorUnits
}).annotate({ identifier: "InvoiceLine" })
export interface InvoiceLine extends Schema.Schema.Type<typeof InvoiceLine> {}

/** One discount of an invoice: a coupon, or the book's volume discount. */
export const InvoiceDiscount = Schema.Struct({
  kind: Schema.Literals(["coupon", "volume"]),
  /** The coupon's code, or `volume`. */
  code: Schema.String,
  description: Schema.String,
  amount: MinorUnits
}).annotate({ identifier: "InvoiceDiscount" })
export interface InvoiceDiscount extends Schema.Schema.Type<typeof InvoiceDiscount> {}

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
  plan: PlanCode,
  period: Period,
  currency: Currency,
  priceBookId: PriceBookId,
  status: InvoiceStatus,
  lines: Schema.Array(InvoiceLine),
  subtotal: MinorUnits,
  /** The discounts, in the order applied (coupons, then the volume discount); they add to `discount`. */
  discounts: Schema.Array(InvoiceDiscount),
  discount: MinorUnits,
  /** The discounts' descriptions, joined; null without a discount. */
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
 * discount shares and discounts add to the discount, taxable = subtotal − discount, tax lines add
 * to the tax, total = taxable + tax, no amount is negative, and each line's breakdown adds up to
 * its precise amount, which rounds to within one minor unit of its amount.
 */
export const reconciliationErrors = (invoice: Invoice): ReadonlyArray<string> => {
  const errors: Array<string> = []
  const sum = (xs: ReadonlyArray<bigint>) => xs.reduce((a, b) => a + b, 0n)
  if (sum(invoice.lines.map((l) => l.amount)) !== invoice.subtotal)
    errors.push("lines do not add to the subtotal")
  if (sum(invoice.lines.map((l) => l.discount)) !== invoice.discount)
    errors.push("discount shares do not add up")
  if (sum(invoice.discounts.map((d) => d.amount)) !== invoice.discount)
    errors.push("discounts do not add to the discount")
  if (invoice.subtotal - invoice.discount !== invoice.taxable)
    errors.push("taxable is not subtotal − discount")
  if (sum(invoice.taxLines.map((t) => t.amount)) !== invoice.tax)
    errors.push("tax lines do not add to the tax")
  if (invoice.taxable + invoice.tax !== invoice.total) errors.push("total is not taxable + tax")
  const amounts = [invoice.subtotal, invoice.discount, invoice.taxable, invoice.tax, invoice.total]
  for (const l of invoice.lines) amounts.push(l.amount, l.discount)
  if (amounts.some((a) => a < 0n)) errors.push("an amount is negative")
  for (const d of invoice.discounts) amounts.push(d.amount)
  if (invoice.lines.some((l) => l.discount > l.amount)) errors.push("a line's discount exceeds its amount")
  const scale = BigDecimal.make(1n, -exponent(invoice.currency))
  for (const l of invoice.lines) {
    if (l.preciseAmount === null) continue
    if (l.breakdown.length > 0 && !BigDecimal.equals(Breakdown.total(l.breakdown), l.preciseAmount))
      errors.push(`line ${l.position}'s breakdown does not add to its precise amount`)
    // Rounding moves an amount by less than one minor unit.
    const minor = BigDecimal.multiply(l.preciseAmount, scale)
    if (
      BigDecimal.isGreaterThanOrEqualTo(
        BigDecimal.abs(BigDecimal.subtract(minor, BigDecimal.fromBigInt(l.amount))),
        BigDecimal.fromBigInt(1n)
      )
    )
      errors.push(`line ${l.position}'s amount is not its precise amount rounded`)
  }
  return errors
}
