/**
 * The committed JSON Schema of a price book is the one the Schema generates (run
 * `npm run schema:price-book` after changing it), and it does what editors use it for: every
 * shipped book validates, and the usual mistakes are flagged (validated by Ajv, a real JSON
 * Schema 2020-12 validator).
 */
import { readdirSync, readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { assert, describe, it } from "@effect/vitest"
import { Ajv2020 } from "ajv/dist/2020.js"
import { Schema } from "effect"
import { PriceBook } from "../../packages/core/src/index.ts"
import { file, text } from "../generate-price-book-schema.ts"

const committed = readFileSync(file, "utf8")
const validate = new Ajv2020({ strict: false, allErrors: true }).compile(JSON.parse(committed))
const reference = () =>
  JSON.parse(JSON.stringify(Schema.encodeSync(PriceBook.PriceBook)(PriceBook.referenceCard)))
const errors = (book: unknown) =>
  validate(book) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`)

describe("packages/core/schema/price-book.schema.json", () => {
  it("is exactly what the PriceBook Schema generates", () => {
    assert.strictEqual(committed, text())
  })

  it("accepts the reference book and every book in examples/books", () => {
    assert.deepStrictEqual(errors(reference()), [])
    const dir = fileURLToPath(new URL("../../examples/books/", import.meta.url))
    const books = readdirSync(dir).filter((f) => f.endsWith(".json"))
    assert.isAbove(books.length, 0)
    for (const f of books)
      assert.deepStrictEqual(errors(JSON.parse(readFileSync(`${dir}${f}`, "utf8"))), [], f)
  })

  it("flags the usual mistakes: a number for a decimal, a percentage for a rate, a missing upTo, an unknown model", () => {
    const cases: ReadonlyArray<[string, (b: any) => void, RegExp]> = [
      [
        "a price as a JSON number",
        (b) => (b.plans.standard.charges[2].model.unitPrice = 150),
        /unitPrice must be string/
      ],
      ["a rate as a percentage", (b) => (b.discount.rate = "5"), /discount\/rate must match pattern/],
      [
        "a float-looking decimal",
        (b) => (b.plans.standard.charges[3].model.unitPrice = "2.5e-1"),
        /must match pattern/
      ],
      ["a negative price", (b) => (b.plans.fintech.charges[0].amount = "-8000"), /amount must match pattern/],
      [
        "a band without upTo",
        (b) => delete b.plans.standard.charges[1].model.bands[1].upTo,
        /must have required property 'upTo'/
      ],
      ["an unknown model", (b) => (b.plans.standard.charges[2].model = { _tag: "Magic" }), /model/],
      ["no plan at all", (b) => (b.plans = {}), /plans must NOT have fewer than 1 properties/],
      [
        "a malformed plan code",
        (b) => (b.plans.Enterprise = b.plans.standard),
        /property name must be valid|must match pattern/
      ],
      [
        "a plan without entitlements",
        (b) => delete b.plans.fintech.entitlements,
        /must have required property 'entitlements'/
      ],
      [
        "an entitlement out of range",
        (b) => (b.plans.fintech.entitlements.maxApiKeys = 0),
        /maxApiKeys must be >= 1/
      ]
    ]
    for (const [name, mutate, pattern] of cases) {
      const book = reference()
      mutate(book)
      assert.match(errors(book).join("\n"), pattern, name)
    }
  })
})
