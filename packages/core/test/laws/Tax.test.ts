/**
 * Laws of tax: never negative, zero for exempt customers, and the printed tax lines are exactly
 * the rounded components (so an invoice's tax lines always add up to its tax).
 */
import { assert, describe, it } from "@effect/vitest"
import { BigDecimal, Effect } from "effect"
import { Money, Tax } from "../../src/index.ts"
import { MoneyArbitrary, TaxArbitrary } from "../../src/testing/index.ts"

const runs = { arbitrary: { runs: 300 } }

describe("laws: Tax.compute", () => {
  it.effect.prop(
    "tax is never negative, and is the sum of each component rounded on its own by the named mode",
    {
      tax: TaxArbitrary.policyAndProfile,
      taxable: MoneyArbitrary.money(),
      mode: MoneyArbitrary.roundingMode
    },
    ({ tax, taxable, mode }) =>
      Effect.gen(function* () {
        const result = yield* Tax.compute(tax.policy, tax.profile, taxable, mode)
        assert.isTrue(result.total.minor >= 0n)
        assert.strictEqual(
          result.total.minor,
          result.lines.reduce((a, l) => a + l.amount.minor, 0n)
        )
        if (tax.profile.exemption !== undefined) return
        const code = tax.profile.jurisdiction ?? tax.policy.defaultJurisdiction
        const components = tax.policy.jurisdictions.find((j) => j.code === code)!.components
        assert.deepStrictEqual(
          result.lines.map((l) => l.amount.minor),
          components.map(
            (c) =>
              Money.round(BigDecimal.multiply(Money.toDecimal(taxable), c.rate), taxable.currency, mode).minor
          )
        )
      }),
    runs
  )

  it.effect.prop(
    "exempt customers pay zero tax, get no tax lines, and have the exemption recorded",
    {
      tax: TaxArbitrary.policyAndProfile,
      taxable: MoneyArbitrary.money(),
      exemption: TaxArbitrary.exemption,
      mode: MoneyArbitrary.roundingMode
    },
    ({ tax, taxable, exemption, mode }) =>
      Effect.gen(function* () {
        const result = yield* Tax.compute(tax.policy, { ...tax.profile, exemption }, taxable, mode)
        assert.strictEqual(result.total.minor, 0n)
        assert.strictEqual(result.lines.length, 0)
        assert.deepStrictEqual(result.exemption, exemption)
      }),
    runs
  )

  it.effect.prop(
    "more taxable never means less tax",
    {
      tax: TaxArbitrary.policyAndProfile,
      taxable: MoneyArbitrary.money({ currency: "USD" }),
      extra: MoneyArbitrary.minorUnits({ max: 1000n }),
      mode: MoneyArbitrary.roundingMode
    },
    ({ tax, taxable, extra, mode }) =>
      Effect.gen(function* () {
        const less = yield* Tax.compute(tax.policy, tax.profile, taxable, mode)
        const more = yield* Tax.compute(
          tax.policy,
          tax.profile,
          Money.make("USD", taxable.minor + extra),
          mode
        )
        assert.isTrue(less.total.minor <= more.total.minor)
      }),
    runs
  )
})
