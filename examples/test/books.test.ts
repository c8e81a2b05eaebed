/**
 * Every price book shipped in examples/books decodes, and obeys every pricing law of the core:
 * in particular none charges more usage of any metric less (the reference book is checked in
 * packages/core/test/testing/PriceBookLaws.test.ts).
 */
import { readdirSync, readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { assert, describe, it } from "@effect/vitest"
import { PriceBook } from "@securebase/core"
import { PriceBookLaws } from "@securebase/core/testing"
import { Effect } from "effect"

const dir = fileURLToPath(new URL("../books/", import.meta.url))
const books = readdirSync(dir).filter((f) => f.endsWith(".json"))

describe("examples/books", () => {
  it("holds the examples' books", () => {
    assert.deepStrictEqual(books.toSorted(), ["acme-telemetry.json", "orbital-payments.json"])
  })

  it.effect(
    'the price book of the README\'s "Embedding the core" decodes and obeys every law',
    () =>
      Effect.gen(function* () {
        const readme = readFileSync(fileURLToPath(new URL("../../README.md", import.meta.url)), "utf8")
        const section = readme.slice(readme.indexOf("## Embedding the core"))
        const json = /```json\n([\s\S]*?)\n```/.exec(section)?.[1]
        assert.isDefined(json)
        const book = yield* PriceBook.decode(JSON.parse(json!))
        assert.deepStrictEqual(PriceBook.planCodes(book), ["starter", "pro"])
        assert.deepStrictEqual(yield* PriceBookLaws.check(book), [])
      }),
    { timeout: 120_000 }
  )

  for (const file of books) {
    it.effect(
      `${file} decodes and obeys every pricing law`,
      () =>
        Effect.gen(function* () {
          const book = yield* PriceBook.decode(JSON.parse(readFileSync(`${dir}${file}`, "utf8")))
          assert.deepStrictEqual(yield* PriceBookLaws.check(book), [])
        }),
      { timeout: 120_000 }
    )
  }
})
