/**
 * `priceInvoice`: the pure function from (customer, plan, price book, usage, period, terms) to a
 * draft invoice: the quote of `Quote.quote` (whose module comment gives the order of operations
 * and names every rounding) with the invoice's ids, dates and payment terms.
 */
import { type DateTime, Effect } from "effect"
import type { CustomerId, InvoiceId } from "../Ids.ts"
import type { Metrics, Transactions } from "../usage/Usage.ts"
import type * as CustomerTerms from "./CustomerTerms.ts"
import type { Invoice } from "./Invoice.ts"
import * as InvoiceModule from "./Invoice.ts"
import type { Period } from "./Period.ts"
import type { Plan, PlanCode, PriceBook } from "./PriceBook.ts"
import * as PriceBookModule from "./PriceBook.ts"
import * as Quote from "./Quote.ts"
import type * as Tax from "./Tax.ts"

/** A usage charge names a metric that the metrics do not contain. */
export const MissingMetric = Quote.MissingMetric
export type MissingMetric = Quote.MissingMetric

/** The exact (unrounded) price of one charge and the quantities behind it (see `Quote.priceCharge`). */
export const priceCharge = Quote.priceCharge

/** Everything needed to price one customer's month. */
export interface PriceInvoiceInput {
  readonly invoiceId: InvoiceId
  readonly customerId: CustomerId
  readonly plan: PlanCode
  readonly taxProfile: Tax.TaxProfile
  readonly period: Period
  readonly priceBook: PriceBook
  readonly taxRules: Tax.TaxRules
  readonly usage: Metrics
  readonly createdAt: DateTime.Utc
  readonly netDays?: number
  /** The customer's negotiated prices, coupons and commitment (default list prices). */
  readonly terms?: CustomerTerms.CustomerTerms | undefined
  /** Each transaction's quantity, for charges priced per transaction. */
  readonly transactions?: Transactions | undefined
  /**
   * The charges to price instead of the book's plan of `plan` (a month split by plan changes
   * prices each segment's prorated charges); the invoice still records `plan`.
   */
  readonly charges?: Plan | undefined
}

/**
 * Prices a customer's month into a draft invoice whose amounts reconcile exactly: the book's plan
 * of the customer's plan code (`UnknownPlan` when the book has none), quoted by `Quote.quote` with the book's settings, the tax policy and the terms.
 */
export const priceInvoice = Effect.fnUntraced(function* (input: PriceInvoiceInput) {
  const book = input.priceBook
  const plan = input.charges ?? (yield* PriceBookModule.plan(book, input.plan))
  const quoted = yield* Quote.quote(plan, input.usage, {
    ...Quote.bookSettings(book),
    tax: { policy: input.taxRules, profile: input.taxProfile },
    terms: input.terms,
    period: input.period,
    transactions: input.transactions
  })
  const invoice: Invoice = {
    id: input.invoiceId,
    number: null,
    customerId: input.customerId,
    plan: input.plan,
    period: input.period,
    currency: quoted.currency,
    priceBookId: book.id,
    status: "draft",
    lines: quoted.lines,
    subtotal: quoted.subtotal,
    discounts: quoted.discounts,
    discount: quoted.discount,
    discountDescription: quoted.discountDescription,
    taxable: quoted.taxable,
    taxLines: quoted.taxLines,
    tax: quoted.tax,
    taxExemption: quoted.taxExemption,
    total: quoted.total,
    netDays: input.netDays ?? InvoiceModule.defaultNetDays,
    createdAt: input.createdAt,
    issuedAt: null,
    dueAt: null,
    paidAt: null,
    overdueAt: null,
    cancelledAt: null,
    paymentReference: null,
    cancellationReason: null
  }
  return invoice
})
