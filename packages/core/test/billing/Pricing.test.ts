/** A book per currency: a customer is priced by the book of its currency, or a typed error. */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { PriceBook, Pricing, Tax } from "../../src/index.ts"

const eur = PriceBook.withId(
  PriceBook.withCurrency(PriceBook.referenceCard, "EUR"),
  "securebase-2026-eur" as never
)

describe("Pricing", () => {
  it.effect("a customer is priced by the book of its currency", () =>
    Effect.gen(function* () {
      const policy = yield* Pricing.make({ priceBooks: [PriceBook.referenceCard, eur] })
      assert.strictEqual((yield* Pricing.bookOf(policy, { currency: "EUR" })).id, eur.id)
      assert.strictEqual((yield* Pricing.bookOf(policy, { currency: "USD" })).id, PriceBook.referenceCard.id)
    })
  )

  it.effect("a currency without a book is a typed error, never another currency's prices", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(Pricing.bookOf(Pricing.referenceCard, { currency: "JPY" }))
      assert.deepStrictEqual(
        [error._tag, error.code, error.currency],
        ["NoPriceBookForCurrency", "PRICING.NO_BOOK_FOR_CURRENCY", "JPY"]
      )
    })
  )

  it.effect("two books of one currency are refused", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        Pricing.make({ priceBooks: [PriceBook.referenceCard, PriceBook.referenceCard] })
      )
      assert.strictEqual(error._tag, "DuplicateCurrencyBook")
      assert.deepStrictEqual(error._tag === "DuplicateCurrencyBook" ? error.currency : null, "USD")
    })
  )

  it.effect("a plan's entitlements come from the books; an unknown plan is a typed error", () =>
    Effect.gen(function* () {
      const policy = yield* Pricing.make({ priceBooks: [PriceBook.referenceCard, eur] })
      const fintech = yield* Pricing.entitlements(policy, "fintech")
      assert.strictEqual(fintech.maxApiKeys, 20)
      const error = yield* Effect.flip(Pricing.entitlements(policy, "enterprise"))
      assert.deepStrictEqual([error._tag, error.plan], ["UnknownPlan", "enterprise"])
      const plan = yield* Pricing.planOf(policy, { currency: "EUR", plan: "healthcare" })
      assert.strictEqual(plan.name, "Healthcare")
      const missing = yield* Effect.flip(Pricing.planOf(policy, { currency: "EUR", plan: "enterprise" }))
      assert.strictEqual(missing._tag, "UnknownPlan")
      // The current policy is the reference card unless provided.
      assert.strictEqual((yield* Pricing.entitlementsOf("standard")).apiRateLimitPerMinute, 600)
    })
  )

  it.effect("one plan entitled differently by two books is refused", () =>
    Effect.gen(function* () {
      const looser = PriceBook.withPlan(eur, "fintech", {
        ...eur.plans.fintech!,
        entitlements: { ...eur.plans.fintech!.entitlements, maxApiKeys: 99 }
      })
      const error = yield* Effect.flip(Pricing.make({ priceBooks: [PriceBook.referenceCard, looser] }))
      assert.strictEqual(error._tag, "ConflictingEntitlements")
      assert.deepStrictEqual(
        error._tag === "ConflictingEntitlements" ? [error.code, error.plan, error.priceBookIds] : null,
        ["PRICING.CONFLICTING_ENTITLEMENTS", "fintech", ["securebase-2026", "securebase-2026-eur"]]
      )
    })
  )

  it("helpers replace one part: a book per currency, the tax policy", () => {
    const withEur = Pricing.withPriceBook(Pricing.referenceCard, eur)
    assert.deepStrictEqual(
      withEur.priceBooks.map((b) => b.currency),
      ["USD", "EUR"]
    )
    const cheaperUsd = PriceBook.withId(PriceBook.referenceCard, "usd-2027" as never)
    assert.deepStrictEqual(
      Pricing.withPriceBook(withEur, cheaperUsd).priceBooks.map((b) => b.id),
      ["securebase-2026-eur", "usd-2027"]
    )
    const untaxed: Tax.TaxRules = {
      defaultJurisdiction: "DE",
      jurisdictions: [
        {
          code: "DE",
          name: "Germany",
          components: [{ name: "VAT", rate: Tax.referenceCard.jurisdictions[0].components[0].rate }]
        }
      ]
    }
    assert.strictEqual(Pricing.withTaxRules(withEur, untaxed).taxRules.defaultJurisdiction, "DE")
  })
})
