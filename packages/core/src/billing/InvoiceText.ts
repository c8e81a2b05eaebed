/**
 * A plain-text rendering of an invoice: the body of the invoice e-mail, the CLI's dry-run output
 * and the example's printout. Fixed-width columns, exact amounts.
 */
import { DateTime } from "effect"
import * as Decimal from "../money/Decimal.ts"
import * as Money from "../money/Money.ts"
import type { Invoice } from "./Invoice.ts"

const m = (invoice: Invoice, minor: bigint): string => Money.format(Money.make(invoice.currency, minor))
const date = (d: Invoice["issuedAt"]): string => (d === null ? "-" : DateTime.formatIsoDate(d))

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
  if (options.customerName !== undefined) out.push(`Customer: ${options.customerName} (${invoice.tier})`)
  out.push(`Period: ${invoice.period}   Issued: ${date(invoice.issuedAt)}   Due: ${date(invoice.dueAt)}`)
  out.push(rule)
  for (const line of invoice.lines) {
    const detail =
      line.kind === "flat"
        ? ""
        : ` (${Decimal.formatGrouped(line.quantity)} used, ${Decimal.formatGrouped(line.included)} incl., ${line.pricing})`
    out.push(row(`${line.position}. ${line.description}${detail}`, m(invoice, line.amount)))
  }
  out.push(rule)
  out.push(row("Subtotal", m(invoice, invoice.subtotal)))
  if (invoice.discount > 0n)
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
