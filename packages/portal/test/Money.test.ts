/** Money on the portal's pages: exact from minor units, in the currency's own decimals. */
import { assert, describe, it } from "@effect/vitest"
import { BigDecimal } from "effect"
import {
  decimalString,
  formatMoney,
  formatPercent,
  formatPreciseMoney,
  toDecimalString
} from "../src/format/Money.ts"

describe("formatMoney", () => {
  it("formats amounts beyond 2^53 exactly, where a float division rounds", () => {
    const amount = 1234567890123456789n
    assert.strictEqual(formatMoney(amount, "USD", "en-US"), "$12,345,678,901,234,567.89")
    // What dividing a float would have shown:
    assert.notStrictEqual(
      new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" }).format(Number(amount) / 100),
      "$12,345,678,901,234,567.89"
    )
  })

  it("uses the currency's minor unit: cents, whole yen, fils", () => {
    assert.strictEqual(formatMoney(927756n, "USD", "en-US"), "$9,277.56")
    assert.strictEqual(formatMoney(1234n, "JPY", "en-US"), "¥1,234")
    // Intl separates some currency codes with a no-break space.
    assert.strictEqual(formatMoney(1234n, "BHD", "en-US").replace(/\s/g, " "), "BHD 1.234")
    assert.strictEqual(formatMoney(5n, "USD", "en-US"), "$0.05")
    assert.strictEqual(formatMoney(-5n, "USD", "en-US"), "-$0.05")
    assert.strictEqual(formatMoney(0n, "EUR", "de-DE").replace(/\s/g, " "), "0,00 €")
  })

  it("writes minor units as a decimal string by moving the point", () => {
    assert.strictEqual(toDecimalString(5n, 2), "0.05")
    assert.strictEqual(toDecimalString(-123456n, 2), "-1234.56")
    assert.strictEqual(toDecimalString(7n, 0), "7")
  })
})

describe("decimals", () => {
  it("prints exact decimals without exponent notation", () => {
    assert.strictEqual(decimalString(BigDecimal.fromStringUnsafe("0.0004")), "0.0004")
    assert.strictEqual(
      decimalString(BigDecimal.fromStringUnsafe("10000000000000000000")),
      "10000000000000000000"
    )
    assert.strictEqual(formatPercent(BigDecimal.fromStringUnsafe("0.08"), "en-US"), "8%")
    assert.strictEqual(formatPercent(BigDecimal.fromStringUnsafe("0.0825"), "en-US"), "8.25%")
  })
})

describe("formatPreciseMoney", () => {
  it("keeps every fraction digit of an exact amount, and at least the currency's own", () => {
    const d = (s: string) => BigDecimal.fromStringUnsafe(s)
    assert.strictEqual(formatPreciseMoney(d("0.0004"), "USD", "en-US"), "$0.0004")
    assert.strictEqual(formatPreciseMoney(d("12.5"), "USD", "en-US"), "$12.50")
    assert.strictEqual(formatPreciseMoney(d("1200"), "USD", "en-US"), "$1,200.00")
    assert.strictEqual(
      formatPreciseMoney(d("1234567890123.123456789"), "USD", "en-US"),
      "$1,234,567,890,123.123456789"
    )
    assert.strictEqual(formatPreciseMoney(d("3.5"), "JPY", "en-US"), "¥3.5")
    assert.strictEqual(formatPreciseMoney(d("-0.125"), "USD", "en-US"), "-$0.125")
  })
})
