/**
 * `PriceBookLaws.check`: the reference book passes every law; books that break one are caught with
 * a counterexample that names the plan, the metric and the amounts (the gov-federal Volume cliff
 * the reference book used to have, the literal all-units discount); the result is deterministic
 * for a seed; books priced per transaction are checked from generated transactions.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { Decimal, PriceBook } from "../../src/index.ts"
import { PriceBookLaws } from "../../src/testing/index.ts"

const timeout = { timeout: 120_000 }
const d = Decimal.unsafe

/** The reference book as it was: gov-federal API calls priced by Volume. */
const withVolumeCliff = Effect.runSync(
  PriceBook.withCharge(PriceBook.referenceCard, "gov-federal", {
    _tag: "Usage",
    code: "api_calls",
    description: "API calls",
    metric: "api_calls" as never,
    included: d("20000000"),
    model: {
      _tag: "Volume",
      bands: [
        { upTo: d("100000000"), unitPrice: d("0.0002") },
        { upTo: null, unitPrice: d("0.00015") }
      ]
    }
  })
)

describe("PriceBookLaws.check", () => {
  it.effect(
    "the shipped reference book obeys every law",
    () =>
      Effect.map(PriceBookLaws.check(PriceBook.referenceCard), (found) => assert.deepStrictEqual(found, [])),
    timeout
  )

  it.effect(
    "finds the Volume cliff the reference book had: 120,000,000.001 gov-federal calls cost $5,130 less",
    () =>
      Effect.gen(function* () {
        const found = yield* PriceBookLaws.check(withVolumeCliff, { only: ["monotone"] })
        assert.isAbove(found.length, 0)
        const cliff = found.find((c) => c.plan === "gov-federal" && c.metric === "api_calls")
        assert.isDefined(cliff, JSON.stringify(found))
        assert.match(cliff!.message, /cost \$41,040\.00, less than \$46,170\.00/)
        assert.strictEqual(cliff!.usage.api_calls, "120000000.001")
        assert.isTrue(found.every((c) => c.law === "monotone" && c.plan === "gov-federal"))
        const text = PriceBookLaws.render(withVolumeCliff, found)
        assert.include(text, "✗ monotone")
        assert.include(text, "✓ reconciliation")
        assert.include(
          text,
          "    plan gov-federal, metric api_calls: 120000000.001 api_calls cost $41,040.00"
        )
        assert.include(text, "    usage: api_calls 120000000.001")
      }),
    timeout
  )

  it.effect(
    "finds the literal all-units discount: $5,000.01 pays $4,750.01",
    () =>
      Effect.gen(function* () {
        const literal = PriceBook.withDiscount(PriceBook.referenceCard, {
          _tag: "AllUnitsVolume",
          threshold: d("5000"),
          rate: d("0.05")
        })
        const found = yield* PriceBookLaws.check(literal, { only: ["monotone"] })
        assert.include(
          found.map((c) => c.message),
          "the discount rule (AllUnitsVolume) lowers a bill: a subtotal of $5,000.01 pays $4,750.01 after it, less than $5,000.00 for $5,000.00"
        )
      }),
    timeout
  )

  it.effect(
    "is deterministic for a seed",
    () =>
      Effect.gen(function* () {
        const options = { only: ["monotone"] as const, runs: 30, seed: 7 }
        const a = yield* PriceBookLaws.check(withVolumeCliff, options)
        const b = yield* PriceBookLaws.check(withVolumeCliff, options)
        assert.deepStrictEqual(a, b)
      }),
    timeout
  )

  it.effect(
    "checks a book priced per transaction from generated transactions",
    () =>
      Effect.gen(function* () {
        const payments = yield* PriceBook.withCharge(PriceBook.referenceCard, "fintech", {
          _tag: "Usage",
          code: "card_processing",
          description: "Card processing",
          metric: "data_transfer_gb" as never,
          included: d("0"),
          model: {
            _tag: "Percentage",
            rate: d("0.029"),
            feePerTransaction: d("0.30"),
            minimumPerTransaction: d("0.50"),
            maximumPerTransaction: d("25"),
            freeTransactions: 10,
            freeAmount: d("500")
          }
        })
        assert.deepStrictEqual(yield* PriceBookLaws.check(payments, { runs: 50 }), [])
      }),
    timeout
  )
})
