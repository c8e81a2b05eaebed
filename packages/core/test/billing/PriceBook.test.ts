import { assert, describe, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import { Decimal, PriceBook, Tier } from "../../src/index.ts"

const encoded = () => Schema.encodeSync(PriceBook.PriceBook)(PriceBook.referenceCard) as any

const decodeError = (book: unknown) => Effect.runSync(Effect.flip(PriceBook.decode(book))).message

describe("PriceBook", () => {
  it("the reference card's base prices are $2,000 / $8,000 / $15,000 / $25,000", () => {
    assert.deepStrictEqual(
      Tier.all.map((t) => Decimal.format(PriceBook.basePrice(PriceBook.referenceCard, t))),
      ["2000", "8000", "15000", "25000"]
    )
  })

  it.effect("round-trips through its JSON form (decimals as strings)", () =>
    Effect.gen(function* () {
      const json = encoded()
      assert.strictEqual(json.plans.standard.charges[1].model.bands[0].unitPrice, "0.0004")
      const again = yield* PriceBook.decode(JSON.parse(JSON.stringify(json)))
      assert.deepStrictEqual(Schema.encodeSync(PriceBook.PriceBook)(again), json)
    })
  )

  it("names the offending field of an invalid book", () => {
    const cases: ReadonlyArray<[string, (b: any) => void, RegExp]> = [
      [
        "negative unit price",
        (b) => (b.plans.standard.charges[2].model.unitPrice = "-1"),
        /must not be negative/
      ],
      [
        "float-looking price",
        (b) => (b.plans.standard.charges[2].model.unitPrice = "1e-3"),
        /decimal number/
      ],
      [
        "unbounded middle band",
        (b) => (b.plans.standard.charges[1].model.bands[0].upTo = null),
        /only the last band/
      ],
      [
        "bounded last band",
        (b) => (b.plans.standard.charges[1].model.bands[1].upTo = "5"),
        /last band must be unbounded/
      ],
      [
        "decreasing bands",
        (b) => {
          b.plans.fintech.charges[1].model.bands = [
            { upTo: "10", unitPrice: "1" },
            { upTo: "5", unitPrice: "1" },
            { upTo: null, unitPrice: "1" }
          ]
        },
        /strictly increase/
      ],
      ["fractional package size", (b) => (b.plans.standard.charges[5].model.size = "2.5"), /whole units/],
      [
        "duplicate charge code",
        (b) => (b.plans.healthcare.charges[2].code = "platform"),
        /unique within a plan/
      ],
      [
        "rate above 1",
        (b) => (b.discount = { _tag: "CappedVolume", threshold: "5000", rate: "5" }),
        /between 0 and 1/
      ],
      ["missing tier", (b) => delete b.plans["gov-federal"], /gov-federal/],
      ["unknown currency", (b) => (b.currency = "XYZ"), /currency/],
      ["unknown rounding", (b) => (b.rounding = "nearest"), /rounding/],
      ["unknown model", (b) => (b.plans.standard.charges[2].model = { _tag: "Magic" }), /model/]
    ]
    for (const [name, mutate, pattern] of cases) {
      const book = encoded()
      mutate(book)
      assert.match(decodeError(book), pattern, name)
    }
  })
})
