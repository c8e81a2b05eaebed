import { assert, describe, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import { Decimal, PriceBook } from "../../src/index.ts"

const encoded = () => Schema.encodeSync(PriceBook.PriceBook)(PriceBook.referenceCard) as any

const decodeError = (book: unknown) => Effect.runSync(Effect.flip(PriceBook.decode(book))).message

describe("PriceBook", () => {
  it.effect("the reference card's base prices are $2,000 / $8,000 / $15,000 / $25,000", () =>
    Effect.gen(function* () {
      const prices = []
      for (const code of PriceBook.planCodes(PriceBook.referenceCard)) {
        prices.push(Decimal.format(yield* PriceBook.basePrice(PriceBook.referenceCard, code)))
      }
      assert.deepStrictEqual(prices, ["2000", "8000", "15000", "25000"])
    })
  )

  it.effect("a plan code the book does not have is a typed UnknownPlan, never a crash", () =>
    Effect.gen(function* () {
      for (const code of ["enterprise", "constructor", "__proto__", "toString"]) {
        const error = yield* Effect.flip(PriceBook.plan(PriceBook.referenceCard, code))
        assert.deepStrictEqual(
          [error._tag, error.code, error.plan, error.priceBookId],
          ["UnknownPlan", "PRICING.UNKNOWN_PLAN", code, "securebase-2026"]
        )
        assert.strictEqual(error.message, `the price book securebase-2026 has no plan ${code}`)
      }
    })
  )

  it.effect("plans are data: a book with one plan of any code decodes, and prices it", () =>
    Effect.gen(function* () {
      const json = encoded()
      const solo = { ...json, plans: { "solo-2026_v2": { ...json.plans.standard, name: "Solo" } } }
      const book = yield* PriceBook.decode(solo)
      assert.deepStrictEqual(PriceBook.planCodes(book), ["solo-2026_v2"])
      assert.strictEqual(Decimal.format(yield* PriceBook.basePrice(book, "solo-2026_v2")), "2000")
      assert.strictEqual((yield* Effect.flip(PriceBook.basePrice(book, "standard")))._tag, "UnknownPlan")
    })
  )

  it.effect("withPlan adds or replaces a plan, withoutPlan removes one, withCharge edits one", () =>
    Effect.gen(function* () {
      const card = PriceBook.referenceCard
      const starter: PriceBook.CatalogPlan = {
        ...card.plans.standard,
        name: "Starter",
        charges: [{ _tag: "Flat", code: "platform", description: "Starter", amount: Decimal.unsafe("99") }]
      }
      const added = PriceBook.withPlan(card, "starter", starter)
      assert.deepStrictEqual(PriceBook.planCodes(added), [
        "standard",
        "fintech",
        "healthcare",
        "gov-federal",
        "starter"
      ])
      assert.strictEqual(Decimal.format(yield* PriceBook.basePrice(added, "starter")), "99")
      // Pure: the original book is untouched.
      assert.deepStrictEqual(PriceBook.planCodes(card), ["standard", "fintech", "healthcare", "gov-federal"])
      const replaced = PriceBook.withPlan(added, "standard", starter)
      assert.strictEqual(Decimal.format(yield* PriceBook.basePrice(replaced, "standard")), "99")
      const removed = PriceBook.withoutPlan(added, "fintech")
      assert.deepStrictEqual(PriceBook.planCodes(removed), [
        "standard",
        "healthcare",
        "gov-federal",
        "starter"
      ])
      const dearer = yield* PriceBook.withCharge(card, "fintech", {
        _tag: "Flat",
        code: "platform",
        description: "Platform subscription",
        amount: Decimal.unsafe("8500")
      })
      assert.strictEqual(Decimal.format(yield* PriceBook.basePrice(dearer, "fintech")), "8500")
      assert.strictEqual(dearer.plans.fintech!.charges.length, card.plans.fintech.charges.length)
      const unknown = yield* Effect.flip(
        PriceBook.withCharge(card, "enterprise", {
          _tag: "Flat",
          code: "x",
          description: "X",
          amount: Decimal.zero
        })
      )
      assert.strictEqual(unknown._tag, "UnknownPlan")
      // Every helper's result is still a valid book.
      for (const b of [added, replaced, removed, dearer]) {
        yield* PriceBook.decode(Schema.encodeSync(PriceBook.PriceBook)(b))
      }
    })
  )

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
      ["no plans", (b) => (b.plans = {}), /at least one plan/],
      ["bad plan code", (b) => (b.plans.Enterprise = b.plans.standard), /plan code/],
      ["plan code too long", (b) => (b.plans[`p${"x".repeat(64)}`] = b.plans.standard), /plan code/],
      ["missing entitlements", (b) => delete b.plans.fintech.entitlements, /entitlements/],
      [
        "bad entitlement",
        (b) => (b.plans.fintech.entitlements.maxApiKeys = 0),
        /maxApiKeys|greater than or equal to 1/
      ],
      [
        "unknown framework",
        (b) => (b.plans.fintech.entitlements.complianceFrameworks = ["ISO"]),
        /complianceFrameworks|CIS/
      ],
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
