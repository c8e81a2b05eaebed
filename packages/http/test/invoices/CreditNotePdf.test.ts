/** The credit note PDF, read back with pdfjs-dist: what a person opening it would see. */
import { dirname } from "node:path"
import { fileURLToPath } from "node:url"
import { assert, describe, it } from "@effect/vitest"
import { CreditNote } from "@securebase/core"
import { BigDecimal, DateTime, Effect } from "effect"
import * as CreditNotePdf from "../../src/invoices/CreditNotePdf.ts"

const pdfText = (bytes: Uint8Array) =>
  Effect.promise(async () => {
    const pdfjs = await import("pdfjs-dist/legacy/build/pdf.mjs")
    const standardFontDataUrl = `${dirname(fileURLToPath(import.meta.resolve("pdfjs-dist/package.json")))}/standard_fonts/`
    const doc = await pdfjs.getDocument({
      data: new Uint8Array(bytes),
      useSystemFonts: false,
      standardFontDataUrl
    }).promise
    const pages: Array<string> = []
    for (let i = 1; i <= doc.numPages; i++) {
      const content = await (await doc.getPage(i)).getTextContent()
      pages.push(
        content.items
          .map((item) => ("str" in item ? item.str : ""))
          .join(" ")
          .replace(/\s+/g, " ")
      )
    }
    return pages.join("\n")
  })

const note: CreditNote.CreditNote = {
  id: "0b7c2a4e-3f1d-4c55-9a1e-0000000000a1" as CreditNote.CreditNoteId,
  number: CreditNote.formatNumber(2026, 7),
  invoiceId: "0b7c2a4e-3f1d-4c55-9a1e-0000000000f1" as CreditNote.CreditNote["invoiceId"],
  customerId: "0b7c2a4e-3f1d-4c55-9a1e-0000000000c1" as CreditNote.CreditNote["customerId"],
  currency: "USD",
  reason: "Service outage on 2026-11-03",
  lines: [
    { position: 1, description: "Platform fee, 2 days", invoiceLine: 1, amount: 53333n },
    { position: 2, description: "Goodwill", invoiceLine: null, amount: 10000n }
  ],
  amount: 63333n,
  credited: 50000n,
  refunded: 13333n,
  taxLines: [
    { jurisdiction: "US-CA", name: "State tax", rate: BigDecimal.fromStringUnsafe("0.0625"), amount: 3687n },
    { jurisdiction: "US-CA", name: "County tax", rate: BigDecimal.fromStringUnsafe("0.01"), amount: 590n }
  ],
  tax: 4277n,
  net: 59056n,
  issuedAt: DateTime.makeUnsafe("2026-11-20T09:00:00Z")
}

describe("CreditNotePdf", () => {
  it.effect("prints the number, the invoice it credits, the lines, the total and how it was applied", () =>
    Effect.gen(function* () {
      const bytes = yield* CreditNotePdf.render(
        note,
        { number: "INV-2026-000042" as never, period: "2026-10" as never },
        { name: "Acme Corp", email: "billing@acme.test" }
      )
      const text = yield* pdfText(bytes)
      assert.include(text, "CREDIT NOTE CN-2026-000007")
      assert.include(text, "Credits invoice INV-2026-000042 for 2026-10")
      assert.include(text, "Issued 2026-11-20")
      assert.include(text, "Reason: Service outage on 2026-11-03")
      assert.include(text, "1 Platform fee, 2 days (invoice line 1) $533.33")
      assert.include(text, "2 Goodwill $100.00")
      assert.include(text, "Total credited $633.33")
      assert.include(text, "of which State tax (6.25%) $36.87")
      assert.include(text, "of which County tax (1%) $5.90")
      assert.include(text, "Net of tax $590.56")
      assert.include(text, "Applied to the amount due $500.00")
      assert.include(text, "Refunded to the customer $133.33")
      // The same note renders to the same bytes.
      const again = yield* CreditNotePdf.render(
        note,
        { number: "INV-2026-000042" as never, period: "2026-10" as never },
        { name: "Acme Corp", email: "billing@acme.test" }
      )
      assert.deepStrictEqual(again, bytes)
    })
  )

  it.effect("a note issued before tax splits were recorded prints no tax rows", () =>
    Effect.gen(function* () {
      const bytes = yield* CreditNotePdf.render(
        { ...note, taxLines: null, tax: null, net: null },
        { number: "INV-2026-000042" as never, period: "2026-10" as never },
        { name: "Acme Corp", email: "billing@acme.test" }
      )
      const text = yield* pdfText(bytes)
      assert.include(text, "Total credited $633.33")
      assert.notInclude(text, "of which")
      assert.notInclude(text, "Net of tax")
    })
  )
})
