/**
 * The tax a credit note reverses, exact and reconciled to the cent: D'Hondt apportionment of the
 * cumulative credit.
 *
 * The invoice's total `W` is parts `[net = total − Σ tax, tax line 1, …, tax line n]`. The amount
 * credited by all notes so far, `C`, is apportioned over those parts with {@link Money.apportion}
 * (D'Hondt); a note's part `i` is `apportion(C_after)_i − apportion(C_before)_i`. So every note's
 * tax parts are whole minor units that add up, with its net, to its amount; none is negative
 * (D'Hondt is house-monotone, where largest remainder is not); and once the whole invoice is
 * credited, the notes' parts of each tax line add up to that line's amount exactly, whatever the
 * notes' sizes and order. Only the cumulative amounts matter, so a note issued before splits were
 * recorded still counts, through its amount.
 */
import * as Decimal from "../money/Decimal.ts"
import * as Money from "../money/Money.ts"
import type * as CreditNote from "./CreditNote.ts"
import type { Invoice } from "./Invoice.ts"

/** A credit note's tax split: per tax line of the invoice, their sum, and the rest (`net`). */
export interface TaxSplit {
  readonly taxLines: ReadonlyArray<CreditNote.CreditNoteTaxLine>
  readonly tax: bigint
  readonly net: bigint
}

/**
 * The split of a note of `amount` against `invoice` after `creditedBefore` (the earlier notes'
 * amounts; `creditedBefore + amount` never exceeds the invoice's total).
 */
export const split = (
  invoice: Pick<Invoice, "total" | "taxLines">,
  creditedBefore: bigint,
  amount: bigint
): TaxSplit => {
  if (invoice.taxLines.length === 0) return { taxLines: [], tax: 0n, net: amount }
  const taxes = invoice.taxLines.map((t) => t.amount)
  const weights = [invoice.total - taxes.reduce((a, b) => a + b, 0n), ...taxes]
  const before = Money.apportion(creditedBefore, weights)
  const after = Money.apportion(creditedBefore + amount, weights)
  const taxLines = invoice.taxLines.map((t, i) => ({
    jurisdiction: t.jurisdiction,
    name: t.name,
    rate: t.rate,
    amount: after[i + 1]! - before[i + 1]!
  }))
  const tax = taxLines.reduce((a, t) => a + t.amount, 0n)
  return { taxLines, tax, net: amount - tax }
}

/**
 * The rows a document prints under a note's total: "of which Sales tax (8%)" per tax line (one
 * "of which tax" row at zero for a tax-exempt invoice) and "Net of tax"; none for a note issued
 * before splits were recorded. The PDF and the e-mail print the same rows.
 */
export const summary = (
  note: Pick<CreditNote.CreditNote, "taxLines" | "net">
): ReadonlyArray<readonly [label: string, minor: bigint]> => {
  if (note.taxLines === null || note.net === null) return []
  const taxes =
    note.taxLines.length === 0
      ? [["of which tax", 0n] as const]
      : note.taxLines.map((t) => [`of which ${t.name} (${Decimal.formatPercent(t.rate)})`, t.amount] as const)
  return [...taxes, ["Net of tax", note.net]]
}
