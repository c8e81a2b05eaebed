/**
 * Invoices: lines, subtotal, discount, taxes and total in integer minor units that reconcile
 * exactly, and the lifecycle fields that {@link ./InvoiceLifecycle.ts} moves through.
 */
import { BigDecimal, Schema } from "effect"
import * as FieldDoc from "../FieldDoc.ts"
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
  position: Schema.Int.check(Schema.isGreaterThanOrEqualTo(1)).pipe(
    FieldDoc.describe("The line's place on the invoice, from 1.", [1])
  ),
  code: Schema.String.pipe(FieldDoc.describe("The price book's code of the charge.", ["platform"])),
  description: Schema.String.pipe(FieldDoc.describe("The line's text as printed on the invoice.")),
  kind: LineKind.pipe(
    FieldDoc.describe(
      "`flat` (a fixed charge), `usage` (a metered charge) or `commitment` (the true-up of a minimum commitment)."
    )
  ),
  metric: Schema.NullOr(MetricCode).pipe(
    FieldDoc.describe("The metric a usage line prices; null for flat and commitment lines.")
  ),
  /** The metric's total for the period (1 for a flat charge). */
  quantity: Decimal.pipe(
    FieldDoc.describe(
      "The metric's total for the period (1 for a flat charge), an exact decimal as a string."
    )
  ),
  included: Decimal.pipe(
    FieldDoc.describe("The quantity the plan includes free, an exact decimal as a string.")
  ),
  billable: Decimal.pipe(
    FieldDoc.describe(
      "The quantity charged: `quantity` less `included`, never below zero; an exact decimal as a string."
    )
  ),
  /** How the billable quantity was priced ("0.0004 per unit", "graduated, 2 bands", "negotiated: ..."). */
  pricing: Schema.String.pipe(
    FieldDoc.describe("How the billable quantity was priced.", ["0.0004 per unit"])
  ),
  /** The exact amount before rounding, in major units; null on invoices priced before it was kept. */
  preciseAmount: Schema.NullOr(Decimal).pipe(
    FieldDoc.describe(
      "The exact amount before rounding, in major units as a decimal string; null on invoices priced before it was kept.",
      ["123.4512"]
    )
  ),
  /** How `preciseAmount` was reached: its rows add up to it exactly (empty on older invoices). */
  breakdown: Breakdown.Breakdown.pipe(
    FieldDoc.describe(
      "How `preciseAmount` was reached: its rows add up to it exactly (empty on older invoices)."
    )
  ),
  /** `preciseAmount` rounded once by the book's mode. */
  amount: MinorUnits.pipe(
    FieldDoc.describe(
      '`preciseAmount` rounded once by the price book\'s rounding mode: an integer amount in minor units as a string ("12345" = $123.45).',
      ["12345"]
    )
  ),
  /** This line's share of the invoice discount (largest-remainder allocation). */
  discount: MinorUnits.pipe(
    FieldDoc.describe(
      'This line\'s share of the invoice discount, in minor units as a string ("500" = $5.00).',
      ["500"]
    )
  )
}).annotate({ identifier: "InvoiceLine" })
export interface InvoiceLine extends Schema.Schema.Type<typeof InvoiceLine> {}

/** One discount of an invoice: a coupon, or the book's volume discount. */
export const InvoiceDiscount = Schema.Struct({
  kind: Schema.Literals(["coupon", "volume"]).pipe(
    FieldDoc.describe(
      "`coupon` (a coupon of the customer's terms) or `volume` (the price book's volume discount)."
    )
  ),
  /** The coupon's code, or `volume`. */
  code: Schema.String.pipe(FieldDoc.describe("The coupon's code, or `volume`.", ["WELCOME10"])),
  description: Schema.String.pipe(FieldDoc.describe("The discount as printed on the invoice.")),
  amount: MinorUnits.pipe(
    FieldDoc.describe('The amount taken off, in minor units as a string ("1000" = $10.00).', ["1000"])
  )
}).annotate({ identifier: "InvoiceDiscount" })
export interface InvoiceDiscount extends Schema.Schema.Type<typeof InvoiceDiscount> {}

/** One tax line on the discounted subtotal. */
export const InvoiceTaxLine = Schema.Struct({
  jurisdiction: JurisdictionCode.pipe(FieldDoc.describe("The taxing jurisdiction's code.", ["US"])),
  name: Schema.String.pipe(FieldDoc.describe("The tax's name as printed on the invoice.", ["Sales tax"])),
  rate: Decimal.pipe(
    FieldDoc.describe('The tax rate as a decimal fraction string ("0.08" = 8 %).', ["0.08"])
  ),
  taxable: MinorUnits.pipe(
    FieldDoc.describe('The amount taxed, in minor units as a string ("10000" = $100.00).', ["10000"])
  ),
  amount: MinorUnits.pipe(FieldDoc.describe('The tax, in minor units as a string ("800" = $8.00).', ["800"]))
}).annotate({ identifier: "InvoiceTaxLine" })
export interface InvoiceTaxLine extends Schema.Schema.Type<typeof InvoiceTaxLine> {}

/** An invoice (plain data). Amounts are minor units of `currency`. */
export const Invoice = Schema.Struct({
  id: InvoiceId.pipe(FieldDoc.describe("The invoice's id, a UUID.")),
  number: Schema.NullOr(InvoiceNumber).pipe(
    FieldDoc.describe(
      "The invoice number, assigned when the invoice is issued (`INV-<year>-<sequence>`); null while a draft.",
      ["INV-2026-000123"]
    )
  ),
  customerId: CustomerId.pipe(FieldDoc.describe("The customer (tenant) billed, a UUID.")),
  plan: PlanCode.pipe(
    FieldDoc.describe("The code of the customer's plan the invoice was priced on.", ["standard"])
  ),
  period: Period.pipe(FieldDoc.describe("The calendar month billed (UTC), `YYYY-MM`.")),
  currency: Currency.pipe(
    FieldDoc.describe("The invoice's currency (ISO 4217); every amount is in its minor unit.")
  ),
  priceBookId: PriceBookId.pipe(
    FieldDoc.describe("The price book the invoice was priced by.", ["securebase-2026"])
  ),
  status: InvoiceStatus.pipe(
    FieldDoc.describe("Where the invoice stands: `draft`, `issued`, `paid`, `overdue` or `cancelled`.")
  ),
  lines: Schema.Array(InvoiceLine).pipe(FieldDoc.describe("The priced lines, in order.")),
  subtotal: MinorUnits.pipe(
    FieldDoc.describe('The sum of the lines\' amounts, in minor units as a string ("12345" = $123.45).', [
      "12345"
    ])
  ),
  /** The discounts, in the order applied (coupons, then the volume discount); they add to `discount`. */
  discounts: Schema.Array(InvoiceDiscount).pipe(
    FieldDoc.describe(
      "The discounts, in the order applied (coupons, then the volume discount); they add up to `discount`."
    )
  ),
  discount: MinorUnits.pipe(
    FieldDoc.describe('The total discount, in minor units as a string ("1000" = $10.00).', ["1000"])
  ),
  /** The discounts' descriptions, joined; null without a discount. */
  discountDescription: Schema.NullOr(Schema.String).pipe(
    FieldDoc.describe("The discounts' descriptions, joined; null without a discount.")
  ),
  taxable: MinorUnits.pipe(
    FieldDoc.describe(
      'The discounted subtotal that tax applies to, in minor units as a string ("11345" = $113.45).',
      ["11345"]
    )
  ),
  taxLines: Schema.Array(InvoiceTaxLine).pipe(
    FieldDoc.describe("One line per tax levied on `taxable`; they add up to `tax`.")
  ),
  tax: MinorUnits.pipe(
    FieldDoc.describe('The total tax, in minor units as a string ("823" = $8.23).', ["823"])
  ),
  taxExemption: Schema.NullOr(Schema.String).pipe(
    FieldDoc.describe(
      "Why no tax was levied (a reverse charge, an exemption), as printed on the invoice; null otherwise."
    )
  ),
  total: MinorUnits.pipe(
    FieldDoc.describe(
      'The amount due: `taxable` plus `tax`, in minor units as a string ("12168" = $121.68).',
      ["12168"]
    )
  ),
  /** Payment terms: days from issue to due date (net 30 by default). */
  netDays: Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 365 })).pipe(
    FieldDoc.describe("Payment terms: days from issue to the due date.", [30])
  ),
  createdAt: Schema.DateTimeUtc.pipe(
    FieldDoc.describe("When the invoice was created, RFC 3339 UTC.", ["2026-11-01T00:05:00.000Z"])
  ),
  issuedAt: Schema.NullOr(Schema.DateTimeUtc).pipe(
    FieldDoc.describe("When the invoice was issued, RFC 3339 UTC; null while a draft.", [
      "2026-11-01T00:05:00.000Z"
    ])
  ),
  dueAt: Schema.NullOr(Schema.DateTimeUtc).pipe(
    FieldDoc.describe("When payment is due (issue date plus `netDays`), RFC 3339 UTC; null while a draft.", [
      "2026-12-01T00:05:00.000Z"
    ])
  ),
  paidAt: Schema.NullOr(Schema.DateTimeUtc).pipe(
    FieldDoc.describe("When the invoice was paid, RFC 3339 UTC; null until then.")
  ),
  overdueAt: Schema.NullOr(Schema.DateTimeUtc).pipe(
    FieldDoc.describe("When the invoice was marked overdue, RFC 3339 UTC; null unless it was.")
  ),
  cancelledAt: Schema.NullOr(Schema.DateTimeUtc).pipe(
    FieldDoc.describe("When the invoice was cancelled, RFC 3339 UTC; null unless it was.")
  ),
  paymentReference: Schema.NullOr(Schema.String).pipe(
    FieldDoc.describe("The reference of the payment that settled the invoice; null until paid.")
  ),
  cancellationReason: Schema.NullOr(Schema.String).pipe(
    FieldDoc.describe("Why the invoice was cancelled; null unless it was.")
  )
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
