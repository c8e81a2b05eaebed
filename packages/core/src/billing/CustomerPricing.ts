/**
 * Pricing one customer's period, as the billing run, its dry run, the metrics estimate and
 * repricing do it: the customer's usage events aggregated by the policy's catalogue, priced by the
 * policy's book of the customer's currency with the customer's terms (`Invoicing.priceInvoice`),
 * and checked to reconcile. Nothing is written and no number is taken: the result is a draft.
 */
import { type DateTime, Effect, Schema } from "effect"
import type { Customer } from "../customer/Customer.ts"
import { CustomerId, type InvoiceId } from "../Ids.ts"
import { randomUuid } from "../notifications/Notification.ts"
import * as Usage from "../usage/Usage.ts"
import { UsageEventRepo } from "../usage/UsageEventRepo.ts"
import * as Invoice from "./Invoice.ts"
import * as Invoicing from "./Invoicing.ts"
import type * as Period from "./Period.ts"
import * as PriceBook from "./PriceBook.ts"
import { bookOf, PricingPolicy } from "./PricingPolicy.ts"
import * as Quote from "./Quote.ts"

/** A priced invoice that does not reconcile (a bug in a price book or the pricing). */
export class InvoiceDoesNotReconcile extends Schema.TaggedError<InvoiceDoesNotReconcile>()(
  "InvoiceDoesNotReconcile",
  { customerId: CustomerId, problems: Schema.Array(Schema.String) }
) {
  /** Stable error code. */
  readonly code = "BILLING.DOES_NOT_RECONCILE"
}

/**
 * Prices a customer's period from its aggregated usage into a draft (no number, nothing written):
 * by the policy's book of the customer's currency, with the customer's terms. Charges priced per
 * transaction need `transactions` (see {@link priceFromEvents}).
 */
export const priceUsage = Effect.fn("CustomerPricing.priceUsage")(function* (
  customer: Customer,
  period: Period.Period,
  usage: Usage.Metrics,
  options: {
    readonly at: DateTime.Utc
    readonly invoiceId?: InvoiceId
    readonly transactions?: Usage.Transactions | undefined
  }
) {
  const policy = yield* PricingPolicy
  const book = yield* bookOf(policy, customer)
  const draft = yield* Invoicing.priceInvoice({
    invoiceId: options.invoiceId ?? ((yield* randomUuid) as InvoiceId),
    customerId: customer.id,
    plan: customer.plan,
    taxProfile: customer.taxProfile,
    period,
    priceBook: book,
    taxPolicy: policy.taxPolicy,
    usage,
    createdAt: options.at,
    netDays: customer.netDays,
    terms: customer.terms,
    transactions: options.transactions
  })
  const problems = Invoice.reconciliationErrors(draft)
  if (problems.length > 0) return yield* new InvoiceDoesNotReconcile({ customerId: customer.id, problems })
  return draft
})

/**
 * The usage of a customer's period from its events, as pricing needs it: the metrics of the
 * catalogue and, for the metrics of its charges priced per transaction, each transaction.
 */
export const usageFromEvents = Effect.fn("CustomerPricing.usageFromEvents")(function* (
  customer: Customer,
  period: Period.Period,
  events: ReadonlyArray<Usage.UsageEvent>
) {
  const policy = yield* PricingPolicy
  const book = yield* bookOf(policy, customer)
  const usage = yield* Usage.aggregate({ catalog: policy.catalog, customerId: customer.id, period, events })
  const metrics = Quote.transactionMetrics(yield* PriceBook.plan(book, customer.plan), customer.terms)
  const transactions =
    metrics.size === 0
      ? undefined
      : yield* Usage.transactions({ customerId: customer.id, period, events, metrics })
  return { usage, transactions }
})

/** Prices a customer's period from its events into a draft (no number, nothing written). */
export const priceFromEvents = Effect.fn("CustomerPricing.priceFromEvents")(function* (
  customer: Customer,
  period: Period.Period,
  events: ReadonlyArray<Usage.UsageEvent>,
  options: { readonly at: DateTime.Utc; readonly invoiceId?: InvoiceId }
) {
  const { usage, transactions } = yield* usageFromEvents(customer, period, events)
  return yield* priceUsage(customer, period, usage, { ...options, transactions })
})

/**
 * Prices a customer's period into a draft, reading its usage without closing the period (no
 * number, nothing written): a preview, as `dryRun` and the metrics estimate show it.
 */
export const priceDraft = Effect.fn("CustomerPricing.priceDraft")(function* (
  customer: Customer,
  period: Period.Period,
  options: { readonly at: DateTime.Utc; readonly invoiceId?: InvoiceId }
) {
  const events = yield* UsageEventRepo.use((r) => r.listForPeriod(customer.id, period))
  return yield* priceFromEvents(customer, period, events, options)
})
