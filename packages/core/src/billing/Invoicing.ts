/**
 * `priceInvoice`: the pure function from (customer, tier, price book, usage, period) to a draft
 * invoice. The order of operations is fixed and each rounding is named:
 *
 * 1. each charge → exact decimal → rounded once to minor units by the book's mode (a line);
 * 2. subtotal = Σ lines (exact, integers);
 * 3. discount by the book's rule on the subtotal, rounded by the book's mode, then allocated over
 *    the lines by largest remainder;
 * 4. tax per component on (subtotal − discount), each rounded by the book's mode;
 * 5. total = subtotal − discount + tax.
 *
 * Every amount (each line, the subtotal, discount, tax, the total) must stay within
 * `Money.maxMinor`; one beyond it is an `AmountOutOfRange` naming it, never an invoice the database
 * cannot store.
 */
import { BigDecimal, type DateTime, Effect, Schema } from "effect"
import type { CustomerId, InvoiceId } from "../Ids.ts"
import * as Decimal from "../money/Decimal.ts"
import * as Money from "../money/Money.ts"
import type { Metrics } from "../usage/Usage.ts"
import * as Discount from "./Discount.ts"
import type { Invoice, InvoiceLine, InvoiceTaxLine } from "./Invoice.ts"
import * as InvoiceModule from "./Invoice.ts"
import type { Period } from "./Period.ts"
import type { Charge, PriceBook } from "./PriceBook.ts"
import * as PricingModel from "./PricingModel.ts"
import * as Tax from "./Tax.ts"
import type { Tier } from "./Tier.ts"

/** A usage charge names a metric that the metrics do not contain. */
export class MissingMetric extends Schema.TaggedError<MissingMetric>()("MissingMetric", {
  charge: Schema.String,
  metric: Schema.String
}) {
  /** Stable error code. */
  readonly code = "PRICING.MISSING_METRIC"
}

/** Everything needed to price one customer's month. */
export interface PriceInvoiceInput {
  readonly invoiceId: InvoiceId
  readonly customerId: CustomerId
  readonly tier: Tier
  readonly taxProfile: Tax.TaxProfile
  readonly period: Period
  readonly priceBook: PriceBook
  readonly taxPolicy: Tax.TaxPolicy
  readonly usage: Metrics
  readonly createdAt: DateTime.Utc
  readonly netDays?: number
}

/** The exact (unrounded) price of one charge and the quantities behind it. */
export const priceCharge = (
  charge: Charge,
  usage: Metrics
): Effect.Effect<
  { quantity: Decimal.Decimal; included: Decimal.Decimal; billable: Decimal.Decimal; exact: Decimal.Decimal },
  MissingMetric
> => {
  if (charge._tag === "Flat") {
    return Effect.succeed({
      quantity: Decimal.one,
      included: Decimal.zero,
      billable: Decimal.one,
      exact: charge.amount
    })
  }
  const quantity = usage.get(charge.metric)
  if (quantity === undefined)
    return Effect.fail(new MissingMetric({ charge: charge.code, metric: charge.metric }))
  const over = BigDecimal.subtract(quantity, charge.included)
  const billable = BigDecimal.isNegative(over) ? Decimal.zero : over
  return Effect.succeed({
    quantity,
    included: charge.included,
    billable,
    exact: PricingModel.price(charge.model, billable)
  })
}

/** Prices a customer's month into a draft invoice whose amounts reconcile exactly. */
export const priceInvoice = Effect.fnUntraced(function* (input: PriceInvoiceInput) {
  const book = input.priceBook
  const currency = book.currency
  const mode = book.rounding
  const charges = book.plans[input.tier].charges
  const priced: Array<Omit<InvoiceLine, "discount">> = []
  for (let i = 0; i < charges.length; i++) {
    const charge = charges[i]!
    const p = yield* priceCharge(charge, input.usage)
    priced.push({
      position: i + 1,
      code: charge.code,
      description: charge.description,
      kind: charge._tag === "Flat" ? "flat" : "usage",
      metric: charge._tag === "Flat" ? null : charge.metric,
      quantity: BigDecimal.normalize(p.quantity),
      included: BigDecimal.normalize(p.included),
      billable: BigDecimal.normalize(p.billable),
      pricing: charge._tag === "Flat" ? "flat" : PricingModel.describe(charge.model),
      amount: (yield* Money.ensureWithinRange(`line ${charge.code}`, Money.round(p.exact, currency, mode)))
        .minor
    })
  }
  const subtotal = yield* Money.ensureWithinRange(
    "subtotal",
    Money.make(
      currency,
      priced.reduce((a, l) => a + l.amount, 0n)
    )
  )
  const discount = Discount.compute(book.discount, subtotal, mode)
  const shares =
    priced.length > 0
      ? Money.allocate(
          discount,
          priced.map((l) => l.amount)
        )
      : []
  const taxable = Money.subtract(subtotal, discount)
  const tax = yield* Tax.compute(input.taxPolicy, input.taxProfile, taxable, mode)
  // Tax and each tax line are at most the total (rates are non-negative), so this bounds them too.
  const total = yield* Money.ensureWithinRange("total", Money.add(taxable, tax.total))
  const invoice: Invoice = {
    id: input.invoiceId,
    number: null,
    customerId: input.customerId,
    tier: input.tier,
    period: input.period,
    currency,
    priceBookId: book.id,
    status: "draft",
    lines: priced.map((l, i): InvoiceLine => ({ ...l, discount: shares[i]!.minor })),
    subtotal: subtotal.minor,
    discount: discount.minor,
    discountDescription: discount.minor > 0n ? Discount.describe(book.discount, currency) : null,
    taxable: taxable.minor,
    taxLines: tax.lines.map(
      (t): InvoiceTaxLine => ({
        jurisdiction: t.jurisdiction,
        name: t.name,
        rate: t.rate,
        taxable: t.taxable.minor,
        amount: t.amount.minor
      })
    ),
    tax: tax.total.minor,
    taxExemption:
      tax.exemption === null ? null : `${tax.exemption.reason} (certificate ${tax.exemption.certificate})`,
    total: total.minor,
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
