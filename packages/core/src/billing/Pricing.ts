/**
 * The pricing a deployment bills with: a price book per currency, a tax policy and a metric
 * catalogue. A `Context.Reference` whose default is the reference card (one USD book), so an
 * embedding team overrides it with its own (`Layer.succeed(Pricing, Pricing.make(…))`)
 * and every part (API estimates, the billing run) prices the same way. A customer is priced by
 * the book of its currency; a customer whose currency has no book is a typed error, never another
 * currency's prices. A customer's plan code names a plan of that book; its entitlements (limits,
 * frameworks, support) are the plan's, and a plan defined in several books must entitle the same.
 */
import { Context, Effect, Schema } from "effect"
import type { Customer } from "../customer/Customer.ts"
import { Currency } from "../money/Currency.ts"
import * as Metric from "../usage/Metric.ts"
import * as Entitlements from "./Entitlements.ts"
import * as PriceBook from "./PriceBook.ts"
import * as Tax from "./Tax.ts"

/** What a deployment prices with. */
export interface Setup {
  /** One book per currency. */
  readonly priceBooks: ReadonlyArray<PriceBook.PriceBook>
  readonly taxRules: Tax.TaxRules
  readonly catalog: Metric.Catalog
}

/** A policy with two books of one currency (which would a customer be priced by?). */
export class DuplicateCurrencyBook extends Schema.TaggedError<DuplicateCurrencyBook>()(
  "DuplicateCurrencyBook",
  {
    currency: Currency
  }
) {
  /** Stable error code. */
  readonly code = "PRICING.DUPLICATE_CURRENCY_BOOK"
}

/** No price book of the policy is in the customer's currency. */
export class NoPriceBookForCurrency extends Schema.TaggedError<NoPriceBookForCurrency>()(
  "NoPriceBookForCurrency",
  { currency: Currency }
) {
  /** Stable error code. */
  readonly code = "PRICING.NO_BOOK_FOR_CURRENCY"
}

/** Two books define one plan code with different entitlements (which would the customer get?). */
export class ConflictingEntitlements extends Schema.TaggedError<ConflictingEntitlements>()(
  "ConflictingEntitlements",
  { plan: Schema.String, priceBookIds: Schema.Array(Schema.String) }
) {
  /** Stable error code. */
  readonly code = "PRICING.CONFLICTING_ENTITLEMENTS"
}

/**
 * A policy from its books (one per currency), with the reference card's tax policy and catalogue
 * unless given; two books of one currency, or one plan code entitled differently by two books,
 * are refused.
 */
export const make = (options: {
  readonly priceBooks: ReadonlyArray<PriceBook.PriceBook>
  readonly taxRules?: Tax.TaxRules | undefined
  readonly catalog?: Metric.Catalog | undefined
}): Effect.Effect<Setup, DuplicateCurrencyBook | ConflictingEntitlements> =>
  Effect.suspend((): Effect.Effect<Setup, DuplicateCurrencyBook | ConflictingEntitlements> => {
    const seen = new Set<Currency>()
    const plans = new Map<string, PriceBook.PriceBook>()
    for (const book of options.priceBooks) {
      if (seen.has(book.currency)) return Effect.fail(new DuplicateCurrencyBook({ currency: book.currency }))
      seen.add(book.currency)
      for (const [code, plan] of Object.entries(book.plans)) {
        const first = plans.get(code)
        if (first === undefined) plans.set(code, book)
        else if (!Entitlements.equivalent(first.plans[code]!.entitlements, plan.entitlements)) {
          return Effect.fail(new ConflictingEntitlements({ plan: code, priceBookIds: [first.id, book.id] }))
        }
      }
    }
    return Effect.succeed({
      priceBooks: options.priceBooks,
      taxRules: options.taxRules ?? Tax.referenceCard,
      catalog: options.catalog ?? Metric.defaultCatalog
    })
  })

/** The reference card's policy: its USD book, 8% tax and the default catalogue. */
export const referenceCard: Setup = {
  priceBooks: [PriceBook.referenceCard],
  taxRules: Tax.referenceCard,
  catalog: Metric.defaultCatalog
}

/** The current pricing policy (the reference card unless provided). */
export const Pricing = Context.Reference<Setup>("@securebase/core/billing/Pricing", {
  defaultValue: () => referenceCard
})

/** The policy's book of a currency. */
export const bookFor = (
  policy: Setup,
  currency: Currency
): Effect.Effect<PriceBook.PriceBook, NoPriceBookForCurrency> => {
  const book = policy.priceBooks.find((b) => b.currency === currency)
  return book === undefined ? Effect.fail(new NoPriceBookForCurrency({ currency })) : Effect.succeed(book)
}

/** The book a customer is priced by: the one of its currency. */
export const bookOf = (
  policy: Setup,
  customer: Pick<Customer, "currency">
): Effect.Effect<PriceBook.PriceBook, NoPriceBookForCurrency> => bookFor(policy, customer.currency)

/** The policy with `book` as its book of that currency (added, or replacing the one it had). */
export const withPriceBook = (policy: Setup, book: PriceBook.PriceBook): Setup => ({
  ...policy,
  priceBooks: [...policy.priceBooks.filter((b) => b.currency !== book.currency), book]
})

/** The policy with another tax policy. */
export const withTaxRules = (policy: Setup, taxRules: Tax.TaxRules): Setup => ({ ...policy, taxRules })

/** The policy with another metric catalogue. */
export const withCatalog = (policy: Setup, catalog: Metric.Catalog): Setup => ({ ...policy, catalog })

/**
 * The entitlements of a plan code: those of the plan in the policy's books (the same in each), or
 * `UnknownPlan` when no book has it.
 */
export const entitlements = (
  policy: Setup,
  plan: string
): Effect.Effect<Entitlements.Entitlements, PriceBook.UnknownPlan> => {
  const book = policy.priceBooks.find((b) => Object.hasOwn(b.plans, plan))
  return book === undefined
    ? Effect.fail(
        new PriceBook.UnknownPlan({ plan, priceBookId: policy.priceBooks.map((b) => b.id).join(", ") })
      )
    : Effect.succeed(book.plans[plan]!.entitlements)
}

/** The entitlements of a plan code under the current policy. */
export const entitlementsOf = (
  plan: string
): Effect.Effect<Entitlements.Entitlements, PriceBook.UnknownPlan> =>
  Effect.gen(function* () {
    return yield* entitlements(yield* Pricing, plan)
  })

/** The plan a customer is on, from the book of its currency. */
export const planOf = (
  policy: Setup,
  customer: Pick<Customer, "currency" | "plan">
): Effect.Effect<PriceBook.CatalogPlan, NoPriceBookForCurrency | PriceBook.UnknownPlan> =>
  Effect.flatMap(bookOf(policy, customer), (book) => PriceBook.plan(book, customer.plan))
