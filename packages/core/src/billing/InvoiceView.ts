/**
 * What a customer reads on an invoice, decided once: the state (draft, open, overdue, paid, void)
 * and its notice, seller and buyer blocks, the lines (each band of a graduated or volume line
 * under it; usage lines with no usage folded into one "not used" line), the totals (subtotal,
 * discounts, tax, total), the payments and credit notes, and the amount due. The PDF and the
 * e-mails (text and HTML) all render this one view, so they cannot disagree.
 *
 * Payments, credit notes, a void and the provider's hosted payment link are optional inputs: the invoice alone says paid (with its
 * `paidAt` and reference) or cancelled; a payments ledger, when the caller has one, lists each
 * payment and makes a partly paid invoice show what is still due.
 */
import { DateTime } from "effect"
import type { BillingAddress } from "../customer/Customer.ts"
import type { Currency } from "../money/Currency.ts"
import * as Decimal from "../money/Decimal.ts"
import * as Money from "../money/Money.ts"
import type * as Breakdown from "./Breakdown.ts"
import type * as Invoice from "./Invoice.ts"
import * as InvoiceText from "./InvoiceText.ts"
import type { Seller } from "./Seller.ts"

/** Who is billed: the customer's name and billing e-mail, and its address and tax id when known. */
export interface Buyer {
  readonly name: string
  readonly email: string
  readonly addressLines?: ReadonlyArray<string> | undefined
  readonly taxId?: string | null | undefined
}

/**
 * A billing address as printed lines: street lines, then the city line (US, Canadian and
 * Australian order "City, Region 94105"; elsewhere "10115 City, Region"), then the country code.
 */
export const addressLines = (address: BillingAddress): ReadonlyArray<string> => {
  const regionFirst = address.country === "US" || address.country === "CA" || address.country === "AU"
  const region = address.region === undefined ? "" : `, ${address.region}`
  const city = regionFirst
    ? `${address.city}${region}${address.postalCode === undefined ? "" : ` ${address.postalCode}`}`
    : `${address.postalCode === undefined ? "" : `${address.postalCode} `}${address.city}${region}`
  return [address.line1, ...(address.line2 === undefined ? [] : [address.line2]), city, address.country]
}

/**
 * The buyer block of a customer: the one place that maps the customer record to what the PDF and
 * e-mails print (the download, the attachment and the e-mail bodies all call it): name, billing
 * e-mail, and the billing address and tax id when the customer has them.
 */
export const buyerOf = (customer: {
  readonly name: string
  readonly email: string
  readonly billingAddress?: BillingAddress | undefined
  readonly taxId?: string | undefined
}): Buyer => ({
  name: customer.name,
  email: customer.email,
  addressLines: customer.billingAddress === undefined ? [] : addressLines(customer.billingAddress),
  taxId: customer.taxId ?? null
})

/** One payment received against the invoice. */
export interface Payment {
  readonly amount: bigint
  readonly paidAt: DateTime.Utc
  /** "card", "bank transfer", … */
  readonly method?: string | null | undefined
  readonly reference?: string | null | undefined
}

/** One credit note against the invoice. */
export interface CreditNote {
  readonly number: string
  readonly amount: bigint
  readonly issuedAt: DateTime.Utc
  readonly reason?: string | null | undefined
}

/** A void: the number stays used, nothing is due. */
export interface Void {
  readonly at: DateTime.Utc
  readonly reason: string
}

/** What the view is made from. */
export interface Input {
  readonly invoice: Invoice.Invoice
  readonly buyer: Buyer
  readonly seller: Seller
  readonly payments?: ReadonlyArray<Payment> | undefined
  readonly creditNotes?: ReadonlyArray<CreditNote> | undefined
  /** Given when the invoice was voided (an invoice whose status is `void` or `cancelled` is void without it). */
  readonly voided?: Void | undefined
  /**
   * The payment provider's hosted payment page, when the invoice has been pushed to one (null or
   * absent otherwise); printed as "Pay online" while something is due.
   */
  readonly payUrl?: string | null | undefined
}

/** The invoice's state as the customer sees it. */
export type State =
  | { readonly _tag: "Draft" }
  | { readonly _tag: "Open"; readonly dueAt: DateTime.Utc | null }
  | { readonly _tag: "Overdue"; readonly dueAt: DateTime.Utc | null }
  | { readonly _tag: "Paid"; readonly paidAt: DateTime.Utc | null; readonly method: string | null }
  | { readonly _tag: "Void"; readonly at: DateTime.Utc | null; readonly reason: string | null }

/** One printed line. */
export interface Line {
  readonly position: number
  readonly description: string
  /** "1" for a flat charge or true-up; the period's total for usage. */
  readonly quantity: string
  /** The included quantity of a usage line, "" otherwise. */
  readonly included: string
  /** How the billable quantity was priced (usage lines), or null. */
  readonly pricing: string | null
  /** The breakdown rows worth printing (bands with quantity, unit price and amount; packages; …). */
  readonly details: ReadonlyArray<string>
  readonly amount: string
}

/** A row of the totals block: a label and an amount. `strong` rows are printed bold. */
export interface TotalRow {
  readonly label: string
  readonly amount: string
  readonly strong: boolean
}

/** The view. Amounts are formatted in the invoice's currency. */
export interface View {
  readonly title: string
  readonly number: string
  readonly state: State
  /** A short word for the state: DRAFT, DUE, OVERDUE, PAID, VOID. */
  readonly stateLabel: string
  /** One sentence on what to do or what happened ("Paid on 2026-11-05 by card."). */
  readonly notice: string
  readonly seller: Seller
  readonly buyer: Buyer
  readonly period: string
  readonly issued: string
  readonly due: string
  readonly terms: string
  readonly plan: string
  readonly lines: ReadonlyArray<Line>
  /** The usage lines without any usage, folded: "Not used this period ($0.00): Scans, Storage". */
  readonly unused: string | null
  /** Subtotal, discounts, tax (or the exemption), total. */
  readonly totals: ReadonlyArray<TotalRow>
  /** Payments and credit notes, each as a negative amount. */
  readonly settlements: ReadonlyArray<TotalRow>
  /** What is still owed, in minor units (0 when paid or void). */
  readonly amountDueMinor: bigint
  readonly amountDue: TotalRow
  /** "Payment instructions" shown only while something is due. */
  readonly paymentInstructions: string | null
  /** The provider's hosted payment page ("Pay online"), shown only while something is due. */
  readonly payOnline: string | null
  readonly footer: string
}

const date = (d: DateTime.Utc | null): string => (d === null ? "-" : DateTime.formatIsoDate(d))

const isVoid = (input: Input): boolean => {
  const status: string = input.invoice.status
  return input.voided !== undefined || status === "void" || status === "cancelled"
}

/** The state of an invoice given what is known of its payments and void. */
export const state = (input: Input, amountDue: bigint): State => {
  const invoice = input.invoice
  if (isVoid(input))
    return {
      _tag: "Void",
      at: input.voided?.at ?? invoice.cancelledAt,
      reason: input.voided?.reason ?? invoice.cancellationReason
    }
  if (invoice.status === "draft") return { _tag: "Draft" }
  const payments = input.payments ?? []
  if (invoice.status === "paid" || (payments.length > 0 && amountDue === 0n)) {
    const last = payments.at(-1)
    return {
      _tag: "Paid",
      paidAt: invoice.paidAt ?? last?.paidAt ?? null,
      method: last?.method ?? null
    }
  }
  if (invoice.status === "overdue") return { _tag: "Overdue", dueAt: invoice.dueAt }
  return { _tag: "Open", dueAt: invoice.dueAt }
}

/**
 * One breakdown row with its money in the invoice's currency: "band 2 (above 50,000,000):
 * 1,000,000 × $0.00015 = $150.00". Quantities, unit prices and amounts are exact (before the
 * line's one rounding), so the rows of a line add up to its amount before rounding.
 */
export const formatDetail = (row: Breakdown.BreakdownRow, currency: Currency): string => {
  const g = Decimal.formatGrouped
  const x = (d: Decimal.Decimal) => Money.formatExact(currency, d)
  const range =
    row.kind !== "band" || row.from === null
      ? ""
      : row.to === null
        ? ` (above ${g(row.from)})`
        : ` (${g(row.from)} to ${g(row.to)})`
  const fee = row.flatFee === null ? "" : ` + ${x(row.flatFee)}`
  const how =
    row.unitPrice === null
      ? ""
      : row.kind === "rate"
        ? `${x(row.units)} × ${Decimal.formatPercent(row.unitPrice)}${fee} = `
        : `${g(row.units)} × ${x(row.unitPrice)}${fee} = `
  const free = row.kind === "free" ? ` (${g(row.units)})` : ""
  return `${row.description}${range}${free}: ${how}${x(row.amount)}`
}

const sum = (xs: ReadonlyArray<{ readonly amount: bigint }>) => xs.reduce((a, x) => a + x.amount, 0n)

/** A usage line with no usage at all (not merely within what is included). */
const isUnused = (line: Invoice.InvoiceLine): boolean =>
  line.kind === "usage" && line.amount === 0n && Decimal.format(line.quantity) === "0"

/** Builds the view of an invoice. */
export const make = (input: Input): View => {
  const invoice = input.invoice
  const m = (minor: bigint) => Money.format(Money.make(invoice.currency, minor))
  const payments = input.payments ?? []
  const creditNotes = input.creditNotes ?? []
  const settled = sum(payments) + sum(creditNotes)
  const owed = invoice.total - settled
  const provisional = owed > 0n ? owed : 0n
  const st = state(input, provisional)
  const amountDueMinor = st._tag === "Paid" || st._tag === "Void" ? 0n : provisional
  const number = invoice.number ?? "(draft)"

  const lines: Array<Line> = []
  const unused: Array<string> = []
  for (const line of invoice.lines) {
    if (isUnused(line)) {
      unused.push(line.description)
      continue
    }
    lines.push({
      position: line.position,
      description: line.description,
      quantity: line.kind !== "usage" ? "1" : Decimal.formatGrouped(line.quantity),
      included: line.kind !== "usage" ? "" : Decimal.formatGrouped(line.included),
      pricing: line.kind === "usage" ? line.pricing : null,
      details: InvoiceText.breakdownRows(line).map((row) => formatDetail(row, invoice.currency)),
      amount: m(line.amount)
    })
  }

  const totals: Array<TotalRow> = [{ label: "Subtotal", amount: m(invoice.subtotal), strong: false }]
  if (invoice.discounts.length > 0)
    for (const d of invoice.discounts)
      totals.push({ label: d.description, amount: `-${m(d.amount)}`, strong: false })
  else if (invoice.discount > 0n)
    totals.push({
      label: invoice.discountDescription ?? "Discount",
      amount: `-${m(invoice.discount)}`,
      strong: false
    })
  for (const t of invoice.taxLines)
    totals.push({
      label: `${t.name} ${Decimal.formatPercent(t.rate)} on ${m(t.taxable)}`,
      amount: m(t.amount),
      strong: false
    })
  if (invoice.taxExemption !== null)
    totals.push({ label: `Tax exempt: ${invoice.taxExemption}`, amount: m(0n), strong: false })
  totals.push({ label: `Total (${invoice.currency})`, amount: m(invoice.total), strong: true })

  const settlements: Array<TotalRow> = [
    ...payments.map((p) => ({
      label: `Payment received ${date(p.paidAt)}${p.method ? ` by ${p.method}` : ""}${p.reference ? ` (ref ${p.reference})` : ""}`,
      amount: `-${m(p.amount)}`,
      strong: false
    })),
    ...creditNotes.map((c) => ({
      label: `Credit note ${c.number} of ${date(c.issuedAt)}${c.reason ? `: ${c.reason}` : ""}`,
      amount: `-${m(c.amount)}`,
      strong: false
    }))
  ]

  const notice = ((): string => {
    switch (st._tag) {
      case "Void":
        return `VOID${st.at === null ? "" : ` since ${date(st.at)}`}${st.reason ? `: ${st.reason}` : ""}. This invoice is cancelled; nothing is due.`
      case "Paid":
        return `Paid on ${date(st.paidAt)}${st.method ? ` by ${st.method}` : ""}${
          st.method === null && invoice.paymentReference ? ` (ref ${invoice.paymentReference})` : ""
        }. Thank you.`
      case "Overdue":
        return `Overdue: this invoice was due on ${date(st.dueAt)}. Please pay ${m(amountDueMinor)} now, quoting ${number}.`
      case "Open":
        return `Please pay ${m(amountDueMinor)} by ${date(st.dueAt)}, quoting ${number}.`
      case "Draft":
        return "Draft: not yet issued, not payable."
    }
  })()

  const stateLabel = { Draft: "DRAFT", Open: "DUE", Overdue: "OVERDUE", Paid: "PAID", Void: "VOID" }[st._tag]

  return {
    title: `Invoice ${number}`,
    number,
    state: st,
    stateLabel,
    notice,
    seller: input.seller,
    buyer: input.buyer,
    period: `${invoice.period} (UTC calendar month)`,
    issued: date(invoice.issuedAt),
    due: date(invoice.dueAt),
    terms: `Net ${invoice.netDays}`,
    plan: invoice.plan,
    lines,
    unused: unused.length === 0 ? null : `Not used this period (${m(0n)}): ${unused.join(", ")}`,
    totals,
    settlements,
    amountDueMinor,
    amountDue: { label: `Amount due (${invoice.currency})`, amount: m(amountDueMinor), strong: true },
    paymentInstructions:
      amountDueMinor > 0n && (st._tag === "Open" || st._tag === "Overdue")
        ? (input.seller.paymentInstructions ?? null)
        : null,
    payOnline:
      amountDueMinor > 0n && (st._tag === "Open" || st._tag === "Overdue") ? (input.payUrl ?? null) : null,
    footer: `Invoice id ${invoice.id} - price book ${invoice.priceBookId}. Questions: ${input.seller.supportEmail}`
  }
}
