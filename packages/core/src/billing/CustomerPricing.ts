/**
 * Pricing one customer's period, as the billing run, its dry run, the metrics estimate and
 * repricing do it: the customer's usage events aggregated by the policy's catalogue, priced by the
 * policy's book of the customer's currency with the customer's terms (`Invoicing.priceInvoice`),
 * and checked to reconcile. Nothing is written and no number is taken: the result is a draft.
 */
import { type BigDecimal, DateTime, Effect, Schema } from "effect"
import { Customer, planAt } from "../customer/Customer.ts"
import { CustomerId, type InvoiceId } from "../Ids.ts"
import * as Money from "../money/Money.ts"
import { randomUuid } from "../notifications/Notification.ts"
import type { MetricCode } from "../usage/Metric.ts"
import * as Usage from "../usage/Usage.ts"
import { UsageEventRepo } from "../usage/UsageEventRepo.ts"
import * as Invoice from "./Invoice.ts"
import * as Invoicing from "./Invoicing.ts"
import * as Period from "./Period.ts"
import * as PriceBook from "./PriceBook.ts"
import { bookOf, Pricing } from "./Pricing.ts"
import * as Proration from "./Proration.ts"
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
  const policy = yield* Pricing
  const book = yield* bookOf(policy, customer)
  const draft = yield* Invoicing.priceInvoice({
    invoiceId: options.invoiceId ?? ((yield* randomUuid) as InvoiceId),
    customerId: customer.id,
    plan: customer.plan,
    taxProfile: customer.taxProfile,
    period,
    priceBook: book,
    taxRules: policy.taxRules,
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
  const policy = yield* Pricing
  const book = yield* bookOf(policy, customer)
  const usage = yield* Usage.aggregate({ catalog: policy.catalog, customerId: customer.id, period, events })
  const metrics = Quote.transactionMetrics(yield* PriceBook.plan(book, customer.plan), customer.terms)
  const transactions =
    metrics.size === 0
      ? undefined
      : yield* Usage.transactions({ customerId: customer.id, period, events, metrics })
  return { usage, transactions }
})

/**
 * The plans a customer's period is priced on, by its plan history: one segment when it kept one
 * plan all month (which may not be today's plan), several when its plan changed inside the month.
 */
export const planSegments = (
  customer: Customer,
  period: Period.Period
): ReadonlyArray<Proration.Segment<PriceBook.PlanCode>> =>
  Proration.segments(
    period,
    planAt(customer, Period.start(period)),
    (customer.planChanges ?? []).map((c) => ({ effectiveAt: c.effectiveAt, to: c.to }))
  )

/**
 * Prices a customer's period from its events into a draft (no number, nothing written), on the
 * plan in force in that month. A month whose plan changed is priced in segments (see
 * {@link priceSegments}).
 */
export const priceFromEvents = Effect.fn("CustomerPricing.priceFromEvents")(function* (
  customer: Customer,
  period: Period.Period,
  events: ReadonlyArray<Usage.UsageEvent>,
  options: { readonly at: DateTime.Utc; readonly invoiceId?: InvoiceId }
) {
  const segments = planSegments(customer, period)
  if (segments.length > 1) return yield* priceSegments(customer, period, events, segments, options)
  const plan = segments[0]!.plan
  const priced = plan === customer.plan ? customer : new Customer({ ...customer, plan })
  const { usage, transactions } = yield* usageFromEvents(priced, period, events)
  return yield* priceUsage(priced, period, usage, { ...options, transactions })
})

/**
 * Prices a month split by plan changes as one invoice. Each segment contributes its plan's
 * charges: flat fees prorated by day (`Proration.share`, whole cents that add up across the
 * month), usage charges on the usage that occurred while that plan was in force (each segment
 * with its plan's included quantities). Lines of earlier segments carry a `_p<n>` suffix on their
 * charge code and say which plan and days they are for; every line keeps its real metric. Discounts,
 * commitments and tax apply to the month as a whole; negotiated prices to the last segment's
 * charges (their codes are the plan's own).
 */
export const priceSegments = Effect.fn("CustomerPricing.priceSegments")(function* (
  customer: Customer,
  period: Period.Period,
  events: ReadonlyArray<Usage.UsageEvent>,
  segments: ReadonlyArray<Proration.Segment<PriceBook.PlanCode>>,
  options: { readonly at: DateTime.Utc; readonly invoiceId?: InvoiceId }
) {
  const policy = yield* Pricing
  const book = yield* bookOf(policy, customer)
  const days = Proration.daysIn(period)
  const charges: Array<PriceBook.Charge> = []
  const usage = new Map<MetricCode, BigDecimal.BigDecimal>()
  const transactions = new Map<MetricCode, ReadonlyArray<BigDecimal.BigDecimal>>()
  const realMetric = new Map<string, MetricCode>()
  for (const [i, segment] of segments.entries()) {
    const suffix = i === segments.length - 1 ? "" : `_p${i + 1}`
    const segmentPlan = yield* PriceBook.plan(book, segment.plan)
    const label = `${segmentPlan.name} plan, days ${segment.fromDay + 1}-${segment.toDay} of ${days}`
    const inSegment = events.filter(
      (e) => !DateTime.isLessThan(e.occurredAt, segment.from) && DateTime.isLessThan(e.occurredAt, segment.to)
    )
    const segmentCustomer = new Customer({ ...customer, plan: segment.plan })
    const used = yield* usageFromEvents(segmentCustomer, period, inSegment)
    for (const charge of segmentPlan.charges) {
      const code = `${charge.code}${suffix}`
      const description = `${charge.description} (${label})`
      if (charge._tag === "Flat") {
        const fee = Money.round(charge.amount, book.currency, book.rounding)
        const part = Proration.share(fee, days, segment.fromDay, segment.toDay)
        charges.push({ ...charge, code, description, amount: Money.toDecimal(part) })
        continue
      }
      const metric = `${charge.metric}${suffix}` as MetricCode
      realMetric.set(metric, charge.metric)
      charges.push({ ...charge, code, description, metric })
      const quantity = used.usage.get(charge.metric)
      if (quantity !== undefined) usage.set(metric, quantity)
      const tx = used.transactions?.get(charge.metric)
      if (tx !== undefined) transactions.set(metric, tx)
    }
  }
  const last = segments.at(-1)!.plan
  const draft = yield* Invoicing.priceInvoice({
    invoiceId: options.invoiceId ?? ((yield* randomUuid) as InvoiceId),
    customerId: customer.id,
    plan: last,
    taxProfile: customer.taxProfile,
    period,
    priceBook: book,
    taxRules: policy.taxRules,
    usage,
    createdAt: options.at,
    netDays: customer.netDays,
    terms: customer.terms,
    transactions: transactions.size === 0 ? undefined : transactions,
    charges: { charges: charges as unknown as PriceBook.Plan["charges"] }
  })
  const invoice: Invoice.Invoice = {
    ...draft,
    lines: draft.lines.map((l) =>
      l.metric === null ? l : { ...l, metric: realMetric.get(l.metric) ?? l.metric }
    )
  }
  const problems = Invoice.reconciliationErrors(invoice)
  if (problems.length > 0) return yield* new InvoiceDoesNotReconcile({ customerId: customer.id, problems })
  return invoice
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
