/** The table in Discount.ts's header, checked row by row. */
import { assert, describe, it } from "@effect/vitest"
import { Decimal, Discount, Money } from "../../src/index.ts"

const rule = (tag: "CappedVolume" | "AllUnitsVolume" | "MarginalVolume"): Discount.DiscountRule => ({
  _tag: tag,
  threshold: Decimal.unsafe("5000"),
  rate: Decimal.unsafe("0.05")
})
const off = (r: Discount.DiscountRule, subtotal: string) =>
  Money.format(Discount.compute(r, Money.unsafeMajor("USD", subtotal), "half-up"))

describe("Discount.compute", () => {
  const rows: ReadonlyArray<[string, string, string, string]> = [
    // subtotal, capped, all-units, marginal
    ["5000.00", "$0.00", "$0.00", "$0.00"],
    ["5000.01", "$0.01", "$250.00", "$0.00"],
    ["5200.00", "$200.00", "$260.00", "$10.00"],
    ["10000.00", "$500.00", "$500.00", "$250.00"]
  ]
  for (const [subtotal, capped, all, marginal] of rows) {
    it(`$${subtotal}: capped ${capped}, all-units ${all}, marginal ${marginal}`, () => {
      assert.strictEqual(off(rule("CappedVolume"), subtotal), capped)
      assert.strictEqual(off(rule("AllUnitsVolume"), subtotal), all)
      assert.strictEqual(off(rule("MarginalVolume"), subtotal), marginal)
    })
  }

  it("capped equals all-units from threshold / (1 − rate) = $5,263.16 up", () => {
    assert.strictEqual(off(rule("CappedVolume"), "5263.15"), "$263.15")
    assert.strictEqual(off(rule("AllUnitsVolume"), "5263.15"), "$263.16")
    assert.strictEqual(off(rule("CappedVolume"), "5263.16"), off(rule("AllUnitsVolume"), "5263.16"))
  })

  it("the all-units rule is earned by the qualifying amount (the bill before coupons), computed on what is left", () => {
    // Regression (found by the coupon law): a $5,200 bill less a $300 coupon leaves $4,900, under
    // the $5,000 threshold. Judged on that, the all-units rule gave nothing: $4,900 with the coupon
    // against $4,940 without it ($5,200 less 5%). Judged on the bill before coupons, 5% of the
    // $4,900 left comes off: $4,655.
    const left = Money.unsafeMajor("USD", "4900.00")
    const before = Money.unsafeMajor("USD", "5200.00")
    assert.strictEqual(
      Money.format(Discount.compute(rule("AllUnitsVolume"), left, "half-up", before)),
      "$245.00"
    )
    assert.strictEqual(Money.format(Discount.compute(rule("AllUnitsVolume"), left, "half-up")), "$0.00")
    // The other rules only ever look at what is left.
    assert.strictEqual(Money.format(Discount.compute(rule("CappedVolume"), left, "half-up", before)), "$0.00")
    assert.strictEqual(
      Money.format(Discount.compute(rule("MarginalVolume"), left, "half-up", before)),
      "$0.00"
    )
  })

  it("no discount and a zero subtotal give zero", () => {
    assert.strictEqual(off({ _tag: "NoDiscount" }, "99999.99"), "$0.00")
    assert.strictEqual(off(rule("CappedVolume"), "0.00"), "$0.00")
  })

  it("the reference card rule is the capped one", () => {
    assert.strictEqual(Discount.referenceCard._tag, "CappedVolume")
    assert.match(Discount.describe(Discount.referenceCard, "USD")!, /5% over \$5,000\.00/)
  })
})
