/**
 * The PDF is read back with pdfjs-dist (Mozilla's PDF reader) and its text checked, so the test
 * proves what a person opening the file would see, not just that bytes came out.
 */

import { dirname } from "node:path"
import { fileURLToPath } from "node:url"
import { assert, describe, it } from "@effect/vitest"
import {
  CustomerTerms,
  Decimal,
  Invoice,
  InvoiceLifecycle,
  Invoicing,
  Metric,
  type Period,
  PriceBook,
  Tax,
  Usage
} from "@securebase/core"
import { DateTime, Effect } from "effect"
import * as InvoicePdf from "../../src/invoices/InvoicePdf.ts"

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
      // Collapse pdfjs's separate space items so assertions read like the printed line.
      pages.push(
        content.items
          .map((item) => ("str" in item ? item.str : ""))
          .join(" ")
          .replace(/\s+/g, " ")
      )
    }
    return { pages, numPages: doc.numPages, info: (await doc.getMetadata()).info as Record<string, unknown> }
  })

const issued = (
  figures: Record<string, string>,
  taxProfile: Tax.TaxProfile = {},
  plan: "fintech" | "gov-federal" = "fintech"
) =>
  Effect.flatMap(
    Effect.flatMap(Usage.metrics(Metric.defaultCatalog, figures), (usage) =>
      Invoicing.priceInvoice({
        invoiceId: "0b7c2a4e-3f1d-4c55-9a1e-0000000000f1" as never,
        customerId: "0b7c2a4e-3f1d-4c55-9a1e-0000000000c1" as never,
        plan,
        taxProfile,
        period: "2026-10" as Period.Period,
        priceBook: PriceBook.referenceCard,
        taxPolicy: Tax.referenceCard,
        usage,
        createdAt: DateTime.makeUnsafe("2026-11-01T00:00:00Z")
      })
    ),
    (draft) =>
      InvoiceLifecycle.issue(draft, {
        number: Invoice.formatNumber(2026, 42),
        at: DateTime.makeUnsafe("2026-11-01T00:00:00Z")
      })
  )

const customer = { name: "Ledgerline Payments", email: "billing@ledgerline.example" }

const draftInput = (): Invoicing.PriceInvoiceInput => ({
  invoiceId: "0b7c2a4e-3f1d-4c55-9a1e-0000000000f3" as never,
  customerId: "0b7c2a4e-3f1d-4c55-9a1e-0000000000c1" as never,
  plan: "fintech",
  taxProfile: {},
  period: "2026-10" as Period.Period,
  priceBook: PriceBook.referenceCard,
  taxPolicy: Tax.referenceCard,
  usage: new Map(Array.from(Metric.defaultCatalog.keys(), (code) => [code, Decimal.zero])),
  createdAt: DateTime.makeUnsafe("2026-11-01T00:00:00Z")
})

describe("InvoicePdf.render", () => {
  it.effect("prints seller, customer, period, numbered lines, discount, tax, total and due date", () =>
    Effect.gen(function* () {
      const invoice = yield* issued({ accounts: "54", api_calls: "6820000" })
      const bytes = yield* InvoicePdf.render(invoice, customer)
      assert.strictEqual(new TextDecoder().decode(bytes.slice(0, 5)), "%PDF-")
      const { pages, info } = yield* pdfText(bytes)
      const text = pages.join("\n")
      for (const expected of [
        "SecureBase, Inc.",
        "INVOICE INV-2026-000042",
        "Ledgerline Payments",
        "billing@ledgerline.example",
        "2026-10 (UTC calendar month)",
        "2026-11-01",
        "2026-12-01",
        "Net 30",
        "Platform subscription",
        "Managed accounts",
        "6,820,000",
        "$8,000.00",
        "$546.00",
        "$480.00",
        "$9,026.00",
        "-$451.30",
        "Sales tax 8% on $8,574.70",
        "$685.98",
        "Total due (USD)",
        "$9,260.68",
        "Page 1 of 1"
      ]) {
        assert.include(text, expected)
      }
      // Lines are numbered 1..7 in order.
      assert.match(text, /1 Platform subscription[\s\S]*2 API calls[\s\S]*7 Audit log archive/)
      assert.strictEqual(info.Title, "Invoice INV-2026-000042")
    })
  )

  it.effect(
    "each line's breakdown is printed under it; each discount and a commitment's true-up have their line",
    () =>
      Effect.gen(function* () {
        const terms = yield* CustomerTerms.decode({
          coupons: [
            {
              code: "launch10",
              description: "Launch offer",
              discount: { _tag: "PercentOff", rate: "0.1" },
              startPeriod: "2026-10",
              duration: { _tag: "Forever" }
            }
          ],
          commitment: { minimum: "12000" }
        })
        const usage = yield* Usage.metrics(Metric.defaultCatalog, {
          api_calls: "56000000",
          compliance_scans: "1234"
        })
        const draft = yield* Invoicing.priceInvoice({
          invoiceId: "0b7c2a4e-3f1d-4c55-9a1e-0000000000f2" as never,
          customerId: "0b7c2a4e-3f1d-4c55-9a1e-0000000000c1" as never,
          plan: "fintech",
          taxProfile: {},
          period: "2026-10" as Period.Period,
          priceBook: PriceBook.referenceCard,
          taxPolicy: Tax.referenceCard,
          usage,
          createdAt: DateTime.makeUnsafe("2026-11-01T00:00:00Z"),
          terms
        })
        const { pages } = yield* pdfText(yield* InvoicePdf.render(draft, customer))
        const text = pages.join("\n")
        // API calls: 56,000,000 − 5,000,000 included = 51,000,000: 50,000,000 × $0.0003 = $15,000 and
        // 1,000,000 × $0.00015 = $150. Scans: 234 over → 3 packages × $40 = $120.
        assert.include(text, "band 1 (0 to 50,000,000): 50,000,000 × 0.0003 = 15,000")
        assert.include(text, "band 2 (above 50,000,000): 1,000,000 × 0.00015 = 150")
        assert.include(text, "started packages of 100 units: 3 × 40 = 120")
        // $8,000 + $15,150 + $120 = $23,270 ≥ the $12,000 commitment: no true-up. 10% = $2,327 off →
        // $20,943; capped 5% = $1,047.15 → $19,895.85; 8% tax $1,591.67 → $21,487.52.
        assert.include(text, "Coupon launch10: 10% off (Launch offer)")
        assert.include(text, "-$2,327.00")
        assert.include(text, "-$1,047.15")
        assert.include(text, "$21,487.52")
        assert.notInclude(text, "true-up")
        const idle = yield* Invoicing.priceInvoice({ ...draftInput(), terms })
        const idleText = (yield* pdfText(yield* InvoicePdf.render(idle, customer))).pages.join("\n")
        // $8,000 < $12,000: a $4,000 true-up line; 10% of $12,000 = $1,200 → $10,800; 5% = $540.
        // A true-up line is like a flat one: quantity 1, no included quantity.
        assert.include(idleText, "8 Minimum commitment true-up (minimum $12,000.00) 1 $4,000.00")
        assert.include(idleText, "$4,000.00")
        assert.include(idleText, "minimum $12,000.00 less charges $8,000.00: 4,000")
      })
  )

  it.effect("an exempt invoice says so and charges no tax", () =>
    Effect.gen(function* () {
      const invoice = yield* issued(
        {},
        { exemption: { reason: "US federal government purchaser", certificate: "GSA-EX-2026-0042" } },
        "gov-federal"
      )
      const { pages } = yield* pdfText(
        yield* InvoicePdf.render(invoice, { name: "Federal Records Agency", email: "ap@fra.example" })
      )
      const text = pages.join("\n")
      assert.include(text, "Tax exempt: US federal government purchaser (certificate GSA-EX-2026-0042)")
      assert.notInclude(text, "Sales tax")
      assert.include(text, "$23,750.00")
    })
  )

  it.effect("the same invoice renders to the same bytes (dates come from the invoice)", () =>
    Effect.gen(function* () {
      const invoice = yield* issued({ accounts: "54" })
      const a = yield* InvoicePdf.render(invoice, customer)
      const b = yield* InvoicePdf.render(invoice, customer)
      assert.deepStrictEqual(a, b)
    })
  )

  it.effect("a long invoice continues on further pages; unprintable characters do not fail it", () =>
    Effect.gen(function* () {
      const invoice = yield* issued({})
      const many = Array.from({ length: 90 }, (_, i) => ({ ...invoice.lines[0]!, position: i + 1 }))
      const big = { ...invoice, lines: many }
      const { pages, numPages } = yield* pdfText(
        yield* InvoicePdf.render(big, { name: "Zürich AG 北京", email: "x@y.example" })
      )
      assert.isAtLeast(numPages, 2)
      assert.include(pages[0]!, `Page 1 of ${numPages}`)
      assert.include(pages.join("\n"), "90 Platform subscription")
      assert.include(pages.join("\n"), "Zürich AG ??")
    })
  )
})
