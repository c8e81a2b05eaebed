/**
 * Generators of whole billing scenarios: everything `Invoicing.priceInvoice` needs (a customer,
 * a plan, a price book, a tax policy and profile, a month's usage), so a law can be stated about
 * every invoice at once.
 */
import { Arbitrary } from "effect"
import type * as Invoicing from "../billing/Invoicing.ts"
import * as Period from "../billing/Period.ts"
import type * as PriceBook from "../billing/PriceBook.ts"
import type * as Tax from "../billing/Tax.ts"
import type { InvoiceId } from "../Ids.ts"
import * as Metric from "../usage/Metric.ts"
import { priceBook as anyPriceBook, type PriceBookOptions, planCodeOf } from "./PricingArbitrary.ts"
import { int } from "./Primitives.ts"
import { policyAndProfile } from "./TaxArbitrary.ts"
import { customerId, metrics, period } from "./UsageArbitrary.ts"

/** Options of {@link invoiceInput}: a fixed price book, tax policy or catalogue, or book options. */
export interface InvoiceInputOptions extends PriceBookOptions {
  readonly priceBook?: PriceBook.PriceBook | undefined
  readonly tax?: { readonly policy: Tax.TaxRules; readonly profile: Tax.TaxProfile } | undefined
  readonly catalog?: Metric.Catalog | undefined
}

/**
 * The input of `Invoicing.priceInvoice`: a generated (or the given) price book, any plan, a tax
 * policy and profile, metrics for every catalogue metric, a period, and net 0..60 days.
 */
export const invoiceInput = (
  options: InvoiceInputOptions = {}
): Arbitrary.Arbitrary<Invoicing.PriceInvoiceInput> => {
  const catalog = options.catalog ?? Metric.defaultCatalog
  const book =
    options.priceBook === undefined
      ? anyPriceBook({ ...options, metrics: options.metrics ?? Array.from(catalog.keys()) })
      : Arbitrary.Constant(options.priceBook)
  return Arbitrary.map(
    Arbitrary.all({
      bookAndPlan: Arbitrary.flatMap(book, (priceBook) =>
        Arbitrary.map(planCodeOf(priceBook), (plan) => ({ priceBook, plan }))
      ),
      tax: options.tax === undefined ? policyAndProfile : Arbitrary.Constant(options.tax),
      usage: metrics(catalog),
      customerId,
      period,
      netDays: int(0, 60)
    }),
    (s): Invoicing.PriceInvoiceInput => ({
      invoiceId: "00000000-0000-4000-8000-0000000000aa" as InvoiceId,
      customerId: s.customerId,
      plan: s.bookAndPlan.plan,
      taxProfile: s.tax.profile,
      period: s.period,
      priceBook: s.bookAndPlan.priceBook,
      taxRules: s.tax.policy,
      usage: s.usage,
      // Invoices are drafted when the month closes: the first instant after the period.
      createdAt: Period.end(s.period),
      netDays: s.netDays
    })
  )
}
