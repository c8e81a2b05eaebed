/** Customer terms as data: decoded from JSON with errors that name the field. */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import { CustomerTerms } from "../../src/index.ts"

const decodeError = (terms: unknown) => Effect.runSync(Effect.flip(CustomerTerms.decode(terms))).message

const coupon = {
  code: "launch",
  description: "Launch offer",
  discount: { _tag: "PercentOff", rate: "0.2" },
  startPeriod: "2026-10",
  duration: { _tag: "Periods", count: 3 }
}

describe("CustomerTerms", () => {
  it.effect("decodes and encodes its JSON form: decimals as strings", () =>
    Effect.gen(function* () {
      const json = {
        prices: [
          { _tag: "NegotiatedUsage", charge: "accounts", model: { _tag: "PerUnit", unitPrice: "100" } }
        ],
        coupons: [coupon],
        commitment: { minimum: "3000" }
      }
      const terms = yield* CustomerTerms.decode(json)
      assert.deepStrictEqual(Schema.encodeSync(CustomerTerms.CustomerTerms)(terms) as unknown, json)
      assert.deepStrictEqual(yield* CustomerTerms.decode({}), CustomerTerms.none)
    })
  )

  it("names what is wrong with bad terms", () => {
    const cases: ReadonlyArray<[string, unknown, RegExp]> = [
      [
        "a rate written as a percentage",
        { coupons: [{ ...coupon, discount: { _tag: "PercentOff", rate: "20" } }] },
        /fraction/
      ],
      [
        "a negative amount",
        { coupons: [{ ...coupon, discount: { _tag: "AmountOff", amount: "-5" } }] },
        /must not be negative/
      ],
      ["zero periods", { coupons: [{ ...coupon, duration: { _tag: "Periods", count: 0 } }] }, /1/],
      ["a bad start period", { coupons: [{ ...coupon, startPeriod: "2026-13" }] }, /month such as 2026-10/],
      ["duplicate coupon codes", { coupons: [coupon, coupon] }, /coupon codes must be unique/],
      [
        "two prices for one charge",
        {
          prices: [
            { _tag: "NegotiatedFlat", charge: "platform", amount: "1" },
            { _tag: "NegotiatedFlat", charge: "platform", amount: "2" }
          ]
        },
        /at most one negotiated price per charge/
      ],
      ["a negative commitment", { commitment: { minimum: "-1" } }, /must not be negative/]
    ]
    for (const [name, terms, pattern] of cases) assert.match(decodeError(terms), pattern, name)
  })
})
