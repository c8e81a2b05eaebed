/**
 * @securebase/core/testing: generators for property-testing price books, built on effect's own
 * `Arbitrary` (core imports only `effect`), so they plug straight into `@effect/vitest`'s
 * `it.prop` / `it.effect.prop` or `Arbitrary.checkEffect`.
 *
 * ```ts
 * import { InvoicingArbitrary, PricingArbitrary } from "@securebase/core/testing"
 *
 * it.effect.prop("bills reconcile", { input: InvoicingArbitrary.invoiceInput({ priceBook }) }, ({ input }) => ...)
 * ```
 */

/** Exact decimals in a range: quantities, unit prices, rates. */
export * as DecimalArbitrary from "./DecimalArbitrary.ts"
/** Whole billing scenarios: the input of `Invoicing.priceInvoice`. */
export * as InvoicingArbitrary from "./InvoicingArbitrary.ts"
/** Currencies, rounding modes, money in minor units, exact amounts to round. */
export * as MoneyArbitrary from "./MoneyArbitrary.ts"
/** The core's pricing laws run on your own price book: `PriceBookLaws.check(book)`. */
export * as PriceBookLaws from "./PriceBookLaws.ts"
/** Bands, pricing models, charges, plans, discount rules and whole price books. */
export * as PricingArbitrary from "./PricingArbitrary.ts"
/** Bounded integers, choices, optional values, subsets and permutations. */
export * as Primitives from "./Primitives.ts"
/** Tax policies and profiles, exempt or not. */
export * as TaxArbitrary from "./TaxArbitrary.ts"
/** Coupons, commitments and negotiated prices. */
export * as TermsArbitrary from "./TermsArbitrary.ts"
/** Customer ids, periods, catalogues, metrics and usage event streams. */
export * as UsageArbitrary from "./UsageArbitrary.ts"
