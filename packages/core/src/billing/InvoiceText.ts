/**
 * A plain-text rendering of an invoice: the body of the invoice e-mail, the CLI's dry-run output
 * and the example's printout. Fixed-width columns, exact amounts. Under a line, its breakdown
 * (bands, packages, transactions, adjustments: exact amounts before rounding); under the
 * subtotal, each discount (coupons, then the volume discount).
 */
import { DateTime } from "effect"
import * as Decimal from "../money/Decimal.ts"
import * as Money from "../money/Money.ts"
import type * as Breakdown from "./Breakdown.ts"
import type { Invoice, InvoiceLine } from "./Invoice.ts"

const m = (invoice: Invoice, minor: bigint): string => Money.format(Money.make(invoice.currency, minor))
const date = (d: Invoice["issuedAt"]): string => (d === null ? "-" : DateTime.formatIsoDate(d))

/**
 * The breakdown rows worth printing under a line: none for a flat charge or a line whose one row
 * says no more than its pricing (units at one unit price).
 */
export const breakdownRows = (line: InvoiceLine): Breakdown.Breakdown =>
  line.kind === "flat" || (line.breakdown.length === 1 && line.breakdown[0]!.kind === "units")
    ? []
    : line.breakdown

/** One breakdown row as text: "band 1 (0 to 10,000,000): 10,000,000 × 0.0004 = 4,000". */
export const formatRow = (r: Breakdown.BreakdownRow): string => {
  const g = Decimal.formatGrouped
  const range =
    r.kind !== "band" || r.from === null
      ? ""
      : r.to === null
        ? ` (above ${g(r.from)})`
        : ` (${g(r.from)} to ${g(r.to)})`
  const fee = r.flatFee === null ? "" : ` + ${g(r.flatFee)}`
  const how =
    r.unitPrice === null
      ? ""
      : `${g(r.units)} × ${r.kind === "rate" ? Decimal.formatPercent(r.unitPrice) : g(r.unitPrice)}${fee} = `
  const free = r.kind === "free" ? ` (${g(r.units)})` : ""
  return `${r.description}${range}${free}: ${how}${g(r.amount)}`
}

/** Renders an invoice as fixed-width text, `width` columns wide (72 by default). */
export const render = (
  invoice: Invoice,
  options: { readonly customerName?: string; readonly width?: number } = {}
) => {
  const width = options.width ?? 72
  const row = (left: string, right: string) =>
    `${left}${" ".repeat(Math.max(1, width - left.length - right.length))}${right}`
  const rule = "-".repeat(width)
  const out: Array<string> = []
  out.push(row(`INVOICE ${invoice.number ?? "(draft)"}`, `${invoice.status.toUpperCase()}`))
  if (options.customerName !== undefined) out.push(`Customer: ${options.customerName} (${invoice.plan})`)
  out.push(`Period: ${invoice.period}   Issued: ${date(invoice.issuedAt)}   Due: ${date(invoice.dueAt)}`)
  out.push(rule)
  for (const line of invoice.lines) {
    const detail =
      line.kind !== "usage"
        ? ""
        : ` (${Decimal.formatGrouped(line.quantity)} used, ${Decimal.formatGrouped(line.included)} incl., ${line.pricing})`
    out.push(row(`${line.position}. ${line.description}${detail}`, m(invoice, line.amount)))
    for (const r of breakdownRows(line)) out.push(`     ${formatRow(r)}`)
  }
  out.push(rule)
  out.push(row("Subtotal", m(invoice, invoice.subtotal)))
  if (invoice.discounts.length > 0)
    for (const d of invoice.discounts) out.push(row(d.description, `-${m(invoice, d.amount)}`))
  else if (invoice.discount > 0n)
    out.push(row(invoice.discountDescription ?? "Discount", `-${m(invoice, invoice.discount)}`))
  for (const t of invoice.taxLines) {
    out.push(
      row(`${t.name} ${Decimal.formatPercent(t.rate)} on ${m(invoice, t.taxable)}`, m(invoice, t.amount))
    )
  }
  if (invoice.taxExemption !== null) out.push(row(`Tax exempt: ${invoice.taxExemption}`, m(invoice, 0n)))
  out.push(row("TOTAL", m(invoice, invoice.total)))
  return out.join("\n")
}
