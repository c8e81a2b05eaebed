/**
 * Laws of money: the one rounding function stays within its mode's bound, allocation never loses
 * or invents a minor unit, and money and decimals survive their Schemas' encode/decode.
 */
import { assert, describe, it } from "@effect/vitest"
import { Arbitrary, BigDecimal, Schema } from "effect"
import { Currency, Decimal, Money } from "../../src/index.ts"
import { DecimalArbitrary, MoneyArbitrary, Primitives } from "../../src/testing/index.ts"

const runs = { arbitrary: { runs: 300 } }

/** Half a minor unit of the currency, in major units (0.005 for USD). */
const halfMinor = (currency: Currency.Currency) => BigDecimal.make(5n, Currency.exponent(currency) + 1)
const distance = (money: Money.Money, x: BigDecimal.BigDecimal) =>
  BigDecimal.abs(BigDecimal.subtract(Money.toDecimal(money), x))

describe("laws: Money.round", () => {
  it.prop(
    "half-* modes land within half a minor unit of the exact amount",
    {
      x: MoneyArbitrary.exactAmount,
      currency: MoneyArbitrary.currency,
      mode: Primitives.element(["half-up", "half-even", "half-down"] as const)
    },
    ({ x, currency, mode }) => {
      assert.isTrue(
        BigDecimal.isLessThanOrEqualTo(distance(Money.round(x, currency, mode), x), halfMinor(currency))
      )
    },
    runs
  )

  it.prop(
    "every mode lands within one minor unit; down never grows, up never shrinks; floor ≤ x ≤ ceiling",
    { x: MoneyArbitrary.exactAmount, currency: MoneyArbitrary.currency },
    ({ x, currency }) => {
      const r = (mode: Money.RoundingMode) => Money.toDecimal(Money.round(x, currency, mode))
      const unit = BigDecimal.make(1n, Currency.exponent(currency))
      for (const mode of Money.RoundingMode.literals) {
        assert.isTrue(BigDecimal.isLessThan(distance(Money.round(x, currency, mode), x), unit), mode)
      }
      assert.isTrue(BigDecimal.isLessThanOrEqualTo(BigDecimal.abs(r("down")), BigDecimal.abs(x)))
      assert.isTrue(BigDecimal.isGreaterThanOrEqualTo(BigDecimal.abs(r("up")), BigDecimal.abs(x)))
      assert.isTrue(BigDecimal.isLessThanOrEqualTo(r("floor"), x))
      assert.isTrue(BigDecimal.isGreaterThanOrEqualTo(r("ceiling"), x))
    },
    runs
  )

  it.prop(
    "money that is already whole minor units is left as it is by every mode",
    { money: MoneyArbitrary.money({ min: -(10n ** 12n) }), mode: MoneyArbitrary.roundingMode },
    ({ money, mode }) => {
      assert.isTrue(Money.equals(Money.round(Money.toDecimal(money), money.currency, mode), money))
    },
    runs
  )
})

describe("laws: Money.allocate", () => {
  it.prop(
    "shares add up to the total exactly and each is within one minor unit of its exact proportion",
    {
      total: MoneyArbitrary.money({ min: -(10n ** 9n), max: 10n ** 9n }),
      weights: Arbitrary.array(Primitives.bigint(0n, 10n ** 6n), { minLength: 1, maxLength: 12 })
    },
    ({ total, weights }) => {
      const shares = Money.allocate(total, weights)
      assert.strictEqual(shares.length, weights.length)
      assert.strictEqual(
        shares.reduce((a, s) => a + s.minor, 0n),
        total.minor
      )
      // All-zero weights split evenly, as if every weight were one.
      const ws = weights.every((w) => w === 0n) ? weights.map(() => 1n) : weights
      const sum = ws.reduce((a, b) => a + b, 0n)
      ws.forEach((w, i) => {
        // |share − total·w/Σw| < 1  ⇔  |share·Σw − total·w| < Σw, all in integers.
        const gap = shares[i]!.minor * sum - total.minor * w
        assert.isTrue((gap < 0n ? -gap : gap) < sum, `share ${i}`)
      })
    },
    runs
  )
})

describe("laws: Schemas", () => {
  it.prop(
    "Money encodes to integer strings and decodes back to the same money",
    { money: MoneyArbitrary.money({ min: -(10n ** 15n), max: 10n ** 15n }) },
    ({ money }) => {
      const encoded = Schema.encodeSync(Money.Money)(money)
      assert.match(encoded.minor as string, /^-?\d+$/)
      assert.isTrue(
        Money.equals(Schema.decodeUnknownSync(Money.Money)(JSON.parse(JSON.stringify(encoded))), money)
      )
    },
    runs
  )

  it.prop(
    "every decimal the Decimal Schema decodes encodes back to a string it decodes to the same value",
    {
      // Up to 30 digits either side of the point, as the pattern allows; before the fix, values
      // such as 10^16 or 10^-16 encoded to "1e+16" and failed their own Schema.
      d: Primitives.oneOf(
        DecimalArbitrary.decimal({ min: "-1000000", max: "1000000", maxScale: 30 }),
        DecimalArbitrary.decimal({ min: "0", max: "999999999999999999999999999999", maxScale: 0 }),
        Arbitrary.map(Primitives.int(0, 29), (k) => BigDecimal.make(1n, -k)),
        Arbitrary.map(Primitives.int(0, 30), (k) => BigDecimal.make(1n, k))
      )
    },
    ({ d }) => {
      const encoded = Schema.encodeSync(Decimal.Decimal)(d)
      assert.isTrue(BigDecimal.equals(Schema.decodeUnknownSync(Decimal.Decimal)(encoded), d), encoded)
    },
    runs
  )

  it("regression: 10^16 and 10^-16 encode in plain digits, not exponent notation", () => {
    assert.strictEqual(Schema.encodeSync(Decimal.Decimal)(BigDecimal.make(1n, -16)), "10000000000000000")
    assert.strictEqual(Schema.encodeSync(Decimal.Decimal)(BigDecimal.make(1n, 16)), "0.0000000000000001")
    assert.strictEqual(Decimal.format(BigDecimal.make(-25n, -15)), "-25000000000000000")
  })
})
