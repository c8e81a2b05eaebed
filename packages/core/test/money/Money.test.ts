import { assert, describe, it } from "@effect/vitest"
import { BigDecimal, Effect, Schema } from "effect"
import { Money } from "../../src/index.ts"

const d = BigDecimal.fromStringUnsafe
const usd = (minor: bigint) => Money.make("USD", minor)

describe("Money.round", () => {
  it("half-up (the default) takes halves away from zero, to the currency's minor unit", () => {
    assert.strictEqual(Money.round(d("0.005"), "USD").minor, 1n)
    assert.strictEqual(Money.round(d("0.0049999"), "USD").minor, 0n)
    assert.strictEqual(Money.round(d("-0.005"), "USD").minor, -1n)
    assert.strictEqual(Money.round(d("250.0005"), "USD").minor, 25000n)
    assert.strictEqual(Money.round(d("1234.5"), "JPY").minor, 1235n)
    assert.strictEqual(Money.round(d("1.0005"), "BHD").minor, 1001n)
  })

  it("each named mode on the halfway and non-halfway cases", () => {
    const cases: ReadonlyArray<[Money.RoundingMode, string, bigint]> = [
      ["half-even", "0.025", 2n],
      ["half-even", "0.035", 4n],
      ["half-down", "0.025", 2n],
      ["half-down", "0.0251", 3n],
      ["up", "0.021", 3n],
      ["up", "-0.021", -3n],
      ["down", "0.029", 2n],
      ["down", "-0.029", -2n],
      ["ceiling", "-0.021", -2n],
      ["floor", "-0.021", -3n],
      ["floor", "0.029", 2n]
    ]
    for (const [mode, amount, expected] of cases) {
      assert.strictEqual(Money.round(d(amount), "USD", mode).minor, expected, `${mode} ${amount}`)
    }
  })
})

describe("Money.allocate", () => {
  it("splits $100.00 three ways as 33.34 / 33.33 / 33.33 and loses nothing", () => {
    assert.deepStrictEqual(
      Money.allocate(usd(10000n), [1n, 1n, 1n]).map((m) => m.minor),
      [3334n, 3333n, 3333n]
    )
  })

  it("gives leftover cents to the largest remainders, ties to the earlier part", () => {
    // 10 cents by 3:7 → 3 / 7 exactly; 10 cents by 1:1:1 → 4 / 3 / 3; 5 cents by 1:2 → 2 (1.67) / 3 (3.33)
    assert.deepStrictEqual(
      Money.allocate(usd(10n), [3n, 7n]).map((m) => m.minor),
      [3n, 7n]
    )
    assert.deepStrictEqual(
      Money.allocate(usd(5n), [1n, 2n]).map((m) => m.minor),
      [2n, 3n]
    )
  })

  it("allocates negative totals symmetrically and all-zero weights evenly", () => {
    assert.deepStrictEqual(
      Money.allocate(usd(-10000n), [1n, 1n, 1n]).map((m) => m.minor),
      [-3334n, -3333n, -3333n]
    )
    assert.deepStrictEqual(
      Money.allocate(usd(5n), [0n, 0n]).map((m) => m.minor),
      [3n, 2n]
    )
  })

  it("refuses no weights and negative weights", () => {
    assert.throws(() => Money.allocate(usd(1n), []), /at least one weight/)
    assert.throws(() => Money.allocate(usd(1n), [1n, -1n]), /must not be negative/)
  })
})

describe("Money arithmetic and parsing", () => {
  it("parses major units exactly and refuses sub-minor precision", () => {
    assert.deepStrictEqual(Money.fromMajor("USD", "5000.01"), usd(500001n))
    assert.deepStrictEqual(Money.fromMajor("USD", "-0.5"), usd(-50n))
    assert.deepStrictEqual(Money.fromMajor("JPY", "1200"), Money.make("JPY", 1200n))
    assert.strictEqual(Money.fromMajor("USD", "0.001"), undefined)
    assert.strictEqual(Money.fromMajor("JPY", "1.5"), undefined)
    assert.strictEqual(Money.fromMajor("USD", "1e3"), undefined)
  })

  it("refuses to add two currencies with a typed CurrencyMismatch", () => {
    const error = (() => {
      try {
        Money.add(usd(1n), Money.make("EUR", 1n))
        return undefined
      } catch (e) {
        return e
      }
    })()
    assert.instanceOf(error, Money.CurrencyMismatch)
    assert.strictEqual((error as Money.CurrencyMismatch).code, "MONEY.CURRENCY_MISMATCH")
  })

  it("sums exactly far beyond Number.MAX_SAFE_INTEGER", () => {
    const big = usd(9007199254740993n)
    assert.strictEqual(Money.sum("USD", [big, big, usd(1n)]).minor, 18014398509481987n)
  })

  it("formats with grouping and exact digits", () => {
    assert.strictEqual(Money.format(usd(500001n)), "$5,000.01")
    assert.strictEqual(Money.format(usd(-5n)), "-$0.05")
    assert.strictEqual(Money.format(Money.make("JPY", 1234567n)), "¥1,234,567")
    assert.strictEqual(Money.format(Money.make("BHD", 1001n)), "BHD 1.001")
  })
})

describe("Money schema", () => {
  it("decodes integer strings and safe integers, encodes to strings", () => {
    const decode = Schema.decodeUnknownSync(Money.Money)
    assert.deepStrictEqual(decode({ currency: "USD", minor: "200000" }), usd(200000n))
    assert.deepStrictEqual(decode({ currency: "USD", minor: 7 }), usd(7n))
    assert.deepStrictEqual(Schema.encodeSync(Money.Money)(usd(5n)), { currency: "USD", minor: "5" })
  })

  it("refuses fractional minor units, unknown currencies and non-numbers", () => {
    const decode = Schema.decodeUnknownResult(Money.Money)
    for (const bad of [
      { currency: "USD", minor: 1.5 },
      { currency: "USD", minor: "1.5" },
      { currency: "XXX", minor: 1 },
      { currency: "USD", minor: "abc" },
      { currency: "USD" }
    ]) {
      assert.strictEqual(decode(bad)._tag, "Failure", JSON.stringify(bad))
    }
  })

  it("refuses amounts beyond ±Money.maxMinor (2^53 − 1) both ways", () => {
    const decode = Schema.decodeUnknownResult(Money.Money)
    assert.strictEqual(decode({ currency: "USD", minor: "9007199254740991" })._tag, "Success")
    assert.strictEqual(decode({ currency: "USD", minor: "-9007199254740991" })._tag, "Success")
    assert.strictEqual(decode({ currency: "USD", minor: "9007199254740992" })._tag, "Failure")
    assert.strictEqual(decode({ currency: "USD", minor: "9223372036854775808" })._tag, "Failure")
    assert.strictEqual(Schema.encodeUnknownResult(Money.Money)(usd(Money.maxMinor + 1n))._tag, "Failure")
  })
})

describe("Money.ensureWithinRange", () => {
  it.effect("passes amounts within the ceiling and names the one beyond it, with a stable code", () =>
    Effect.gen(function* () {
      assert.deepStrictEqual(
        yield* Money.ensureWithinRange("total", usd(Money.maxMinor)),
        usd(Money.maxMinor)
      )
      const error = yield* Effect.flip(Money.ensureWithinRange("line storage", usd(Money.maxMinor + 1n)))
      assert.strictEqual(error.code, "AMOUNT.OUT_OF_RANGE")
      assert.strictEqual(error.what, "line storage")
      assert.include(error.message, "line storage of 9007199254740992 USD minor units exceeds the limit")
    })
  )
})

describe("Money.formatExact", () => {
  it("keeps every digit, pads to the minor unit, groups, and names the currency", () => {
    assert.strictEqual(Money.formatExact("USD", d("0.0003")), "$0.0003")
    assert.strictEqual(Money.formatExact("USD", d("15000")), "$15,000.00")
    assert.strictEqual(Money.formatExact("USD", d("0.04995")), "$0.04995")
    assert.strictEqual(Money.formatExact("USD", d("-1.5")), "-$1.50")
    assert.strictEqual(Money.formatExact("JPY", d("1200")), "¥1,200")
    assert.strictEqual(Money.formatExact("CHF", d("2.5")), "CHF 2.50")
    assert.strictEqual(Money.formatExact("BHD", d("1")), "BHD 1.000")
    assert.strictEqual(Money.formatExact("USD", d("12345678901234567.5")), "$12,345,678,901,234,567.50")
  })
})
