/**
 * Writes the price book's JSON Schema (generated from the core's `PriceBook` Schema) to
 * packages/core/schema/price-book.schema.json. A test fails when the committed file differs from
 * what this writes, so run it after changing the price book's Schema:
 *
 *   npm run schema:price-book
 */
import { writeFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { PriceBook } from "../packages/core/src/index.ts"

/** Where the schema is committed. */
export const file = fileURLToPath(new URL("../packages/core/schema/price-book.schema.json", import.meta.url))

/** The file's exact text. */
export const text = (): string => `${JSON.stringify(PriceBook.jsonSchema(), null, 2)}\n`

if (import.meta.main) {
  writeFileSync(file, text())
  console.log(`wrote ${file}`)
}
