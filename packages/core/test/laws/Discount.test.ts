/**
 * Laws of the volume discount rules. The default (capped) rule and the marginal rule must never let
 * a larger subtotal cost less; the literal "rate of everything once over the threshold" rule does,
 * and the property checker must be able to find the counterexample on its own.
 */
import { assert, describe, it } from "@effect/vitest"
import { Arbitrary, Effect } from "effect"
import { Decimal, Discount, Money } from "../../src/index.ts"
import { MoneyArbitrary, PricingArbitrary, Primitives } from "../../src/testing/index.ts"

const runs = { arbitrary: { runs: 300 } }

/** The discounted subtotal: what the customer pays before tax. */
const discounted = (rule: Discount.DiscountRule, subtotal: Money.Money, mode: Money.RoundingMode) =>
  subtotal.minor - Discount.compute(rule, subtotal, mode).minor

/**
 * A rule, a currency, a mode and two subtotals a ≤ b, half the time close to the threshold where
 * the rules differ (uniform subtotals would almost never land there).
 */
const scenario = (rules: Arbitrary.Arbitrary<Discount.DiscountRule>) =>
  Arbitrary.flatMap(
    Arbitrary.all({ rule: rules, currency: MoneyArbitrary.currency, mode: MoneyArbitrary.roundingMode }),
    ({ rule, currency, mode }) => {
      const threshold = rule._tag === "NoDiscount" ? 0n : Money.round(rule.threshold, currency, mode).minor
      const near = Arbitrary.map(Primitives.bigint(-200n, 200n), (d) =>
        threshold + d < 0n ? 0n : threshold + d
      )
      return Arbitrary.map(
        Arbitrary.all({
          a: Primitives.oneOf(near, MoneyArbitrary.minorUnits({ max: 10n ** 10n })),
          extra: Primitives.oneOf(Primitives.bigint(0n, 3n), MoneyArbitrary.minorUnits({ max: 10n ** 8n }))
        }),
        ({ a, extra }) => ({
          rule,
          mode,
          a: Money.make(currency, a),
          b: Money.make(currency, a + extra)
        })
      )
    }
  )

describe("laws: Discount.compute", () => {
  it.prop(
    "the default (capped) rule never makes a larger subtotal cost less",
    { s: scenario(PricingArbitrary.cappedVolume) },
    ({ s }) => {
      assert.isTrue(discounted(s.rule, s.a, s.mode) <= discounted(s.rule, s.b, s.mode))
    },
    runs
  )

  it.prop(
    "the marginal rule never makes a larger subtotal cost less",
    { s: scenario(PricingArbitrary.marginalVolume) },
    ({ s }) => {
      assert.isTrue(discounted(s.rule, s.a, s.mode) <= discounted(s.rule, s.b, s.mode))
    },
    runs
  )

  it.prop(
    "every rule's discount is between zero and the subtotal, and the capped one never takes the bill below the threshold",
    { s: scenario(PricingArbitrary.discountRule) },
    ({ s }) => {
      for (const subtotal of [s.a, s.b]) {
        const d = Discount.compute(s.rule, subtotal, s.mode).minor
        assert.isTrue(d >= 0n && d <= subtotal.minor)
        if (s.rule._tag === "CappedVolume" && d > 0n) {
          const threshold = Money.round(s.rule.threshold, subtotal.currency, s.mode).minor
          assert.isTrue(subtotal.minor - d >= threshold)
        }
      }
    },
    runs
  )

  it.effect(
    "the literal all-units rule is NOT monotone: the checker finds a larger bill that costs less",
    () =>
      Effect.gen(function* () {
        const result = yield* Arbitrary.checkEffect(
          scenario(PricingArbitrary.allUnitsVolume),
          (s) => discounted(s.rule, s.a, s.mode) <= discounted(s.rule, s.b, s.mode),
          { runs: 2000, seed: "all-units" }
        )
        assert.strictEqual(result._tag, "Falsified")
        if (result._tag !== "Falsified") return
        const { rule, a, b, mode } = result.shrunkInput
        assert.isTrue(a.minor < b.minor && discounted(rule, a, mode) > discounted(rule, b, mode))
        // The card's own numbers: $5,000.01 would pay $4,750.01, less than $5,000.00 pays.
        const card: Discount.DiscountRule = {
          _tag: "AllUnitsVolume",
          threshold: Decimal.unsafe("5000"),
          rate: Decimal.unsafe("0.05")
        }
        const at = (major: string) => discounted(card, Money.unsafeMajor("USD", major), "half-up")
        assert.strictEqual(at("5000.00"), 500000n)
        assert.strictEqual(at("5000.01"), 475001n)
      })
  )
})
