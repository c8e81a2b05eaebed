/** A book per currency: a customer is priced by the book of its currency, or a typed error. */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { PriceBook, PricingPolicy, Tax } from "../../src/index.ts"

const eur = PriceBook.withId(
  PriceBook.withCurrency(PriceBook.referenceCard, "EUR"),
  "securebase-2026-eur" as never
)

describe("PricingPolicy", () => {
  it.effect("a customer is priced by the book of its currency", () =>
    Effect.gen(function* () {
      const policy = yield* PricingPolicy.make({ priceBooks: [PriceBook.referenceCard, eur] })
      assert.strictEqual((yield* PricingPolicy.bookOf(policy, { currency: "EUR" })).id, eur.id)
      assert.strictEqual(
        (yield* PricingPolicy.bookOf(policy, { currency: "USD" })).id,
        PriceBook.referenceCard.id
      )
    })
  )

  it.effect("a currency without a book is a typed error, never another currency's prices", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(PricingPolicy.bookOf(PricingPolicy.referenceCard, { currency: "JPY" }))
      assert.deepStrictEqual(
        [error._tag, error.code, error.currency],
        ["NoPriceBookForCurrency", "PRICING.NO_BOOK_FOR_CURRENCY", "JPY"]
      )
    })
  )

  it.effect("two books of one currency are refused", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        PricingPolicy.make({ priceBooks: [PriceBook.referenceCard, PriceBook.referenceCard] })
      )
      assert.deepStrictEqual([error._tag, error.currency], ["DuplicateCurrencyBook", "USD"])
    })
  )

  it("helpers replace one part: a book per currency, the tax policy", () => {
    const withEur = PricingPolicy.withPriceBook(PricingPolicy.referenceCard, eur)
    assert.deepStrictEqual(
      withEur.priceBooks.map((b) => b.currency),
      ["USD", "EUR"]
    )
    const cheaperUsd = PriceBook.withId(PriceBook.referenceCard, "usd-2027" as never)
    assert.deepStrictEqual(
      PricingPolicy.withPriceBook(withEur, cheaperUsd).priceBooks.map((b) => b.id),
      ["securebase-2026-eur", "usd-2027"]
    )
    const untaxed: Tax.TaxPolicy = {
      defaultJurisdiction: "DE",
      jurisdictions: [
        {
          code: "DE",
          name: "Germany",
          components: [{ name: "VAT", rate: Tax.referenceCard.jurisdictions[0].components[0].rate }]
        }
      ]
    }
    assert.strictEqual(PricingPolicy.withTaxPolicy(withEur, untaxed).taxPolicy.defaultJurisdiction, "DE")
  })
})
