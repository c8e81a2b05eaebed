/**
 * The pricing a deployment bills with: its price book, tax policy and metric catalogue. A
 * `Context.Reference` whose default is the reference card, so an embedding team overrides it
 * with its own book (`Layer.succeed(PricingPolicy, …)`) and every part (API estimates, the
 * billing run) prices the same way.
 */
import { Context } from "effect"
import * as Metric from "../usage/Metric.ts"
import * as PriceBook from "./PriceBook.ts"
import * as Tax from "./Tax.ts"

/** What a deployment prices with. */
export interface Policy {
  readonly priceBook: PriceBook.PriceBook
  readonly taxPolicy: Tax.TaxPolicy
  readonly catalog: Metric.Catalog
}

/** The current pricing policy (the reference card unless provided). */
export const PricingPolicy = Context.Reference<Policy>("@securebase/core/billing/PricingPolicy", {
  defaultValue: () => ({
    priceBook: PriceBook.referenceCard,
    taxPolicy: Tax.referenceCard,
    catalog: Metric.defaultCatalog
  })
})
