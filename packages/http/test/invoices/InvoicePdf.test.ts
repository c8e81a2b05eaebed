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
  InvoiceView,
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
    const items: Array<{ readonly str: string; readonly x: number; readonly width: number }> = []
    for (let i = 1; i <= doc.numPages; i++) {
      const content = await (await doc.getPage(i)).getTextContent()
      for (const item of content.items)
        if ("str" in item) items.push({ str: item.str, x: item.transform[4] as number, width: item.width })
      // Collapse pdfjs's separate space items so assertions read like the printed line.
      pages.push(
        content.items
          .map((item) => ("str" in item ? item.str : ""))
          .join(" ")
          .replace(/\s+/g, " ")
      )
    }
    return {
      pages,
      items,
      numPages: doc.numPages,
      info: (await doc.getMetadata()).info as Record<string, unknown>
    }
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
        taxRules: Tax.referenceCard,
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
  taxRules: Tax.referenceCard,
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
        "SecureBase Demo Seller (configure SELLER_NAME)",
        "INVOICE INV-2026-000042 DUE",
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
        "Total (USD) $9,260.68",
        "Amount due (USD) $9,260.68",
        "Please pay $9,260.68 by 2026-12-01, quoting INV-2026-000042.",
        "Page 1 of 1"
      ]) {
        assert.include(text, expected)
      }
      // Lines keep their numbers; the four metrics without usage are folded into one $0.00 line.
      assert.match(text, /1 Platform subscription[\s\S]*2 API calls[\s\S]*3 Managed accounts/)
      assert.include(
        text,
        "Not used this period ($0.00): Evidence storage, Data transfer, Compliance scans, Audit log archive"
      )
      assert.notMatch(text, /\d Audit log archive/)
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
          taxRules: Tax.referenceCard,
          usage,
          createdAt: DateTime.makeUnsafe("2026-11-01T00:00:00Z"),
          terms
        })
        const { pages } = yield* pdfText(yield* InvoicePdf.render(draft, customer))
        const text = pages.join("\n")
        // API calls: 56,000,000 − 5,000,000 included = 51,000,000: 50,000,000 × $0.0003 = $15,000 and
        // 1,000,000 × $0.00015 = $150. Scans: 234 over → 3 packages × $40 = $120.
        assert.include(text, "band 1 (0 to 50,000,000): 50,000,000 × $0.0003 = $15,000.00")
        assert.include(text, "band 2 (above 50,000,000): 1,000,000 × $0.00015 = $150.00")
        assert.include(text, "started packages of 100 units: 3 × $40.00 = $120.00")
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
        assert.include(idleText, "minimum $12,000.00 less charges $8,000.00: $4,000.00")
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

  it.effect(
    "the hosted payment link prints as Pay online while something is due; not once paid, not without one",
    () =>
      Effect.gen(function* () {
        const invoice = yield* issued({ accounts: "54" })
        const url = "https://invoice.stripe.test/i/in_1QaBcDeFgHiJkLmN"
        const linked = (yield* pdfText(
          yield* InvoicePdf.render(invoice, customer, { payUrl: url })
        )).pages.join("\n")
        assert.include(linked, `Pay online: ${url}`)
        const manual = (yield* pdfText(yield* InvoicePdf.render(invoice, customer))).pages.join("\n")
        assert.notInclude(manual, "Pay online")
        const paid = yield* InvoiceLifecycle.markPaid(invoice, {
          at: DateTime.makeUnsafe("2026-11-05T00:00:00Z"),
          reference: "wire-7"
        })
        const settled = (yield* pdfText(
          yield* InvoicePdf.render(paid, customer, { payUrl: url })
        )).pages.join("\n")
        assert.notInclude(settled, "Pay online")
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
      // DejaVu Sans has no CJK glyphs: those print as "?", the rest as written.
      assert.include(pages.join("\n"), "Zürich AG ??")
    })
  )

  it.effect("a paid invoice says when and how it was paid, and that nothing is due", () =>
    Effect.gen(function* () {
      const invoice = yield* issued({ accounts: "54", api_calls: "6820000" })
      const paid = yield* InvoiceLifecycle.markPaid(invoice, {
        at: DateTime.makeUnsafe("2026-11-05T10:00:00Z"),
        reference: "WIRE-7781"
      })
      // From the invoice alone: the date and its reference.
      const alone = (yield* pdfText(yield* InvoicePdf.render(paid, customer))).pages.join("\n")
      assert.include(alone, "INVOICE INV-2026-000042 PAID")
      assert.include(alone, "Paid on 2026-11-05 (ref WIRE-7781). Thank you.")
      assert.include(alone, "Total (USD) $9,260.68")
      assert.include(alone, "Amount due (USD) $0.00")
      assert.notInclude(alone, "Total due")
      assert.notInclude(alone, "Please pay")
      assert.notInclude(alone, "How to pay")
      // With the payments ledger: each payment, and the method of the last.
      const ledger = (yield* pdfText(
        yield* InvoicePdf.render(paid, customer, {
          payments: [
            { amount: 500_000n, paidAt: DateTime.makeUnsafe("2026-11-03T00:00:00Z"), method: "card" },
            {
              amount: 426_068n,
              paidAt: DateTime.makeUnsafe("2026-11-05T10:00:00Z"),
              method: "bank transfer",
              reference: "WIRE-7781"
            }
          ]
        })
      )).pages.join("\n")
      assert.include(ledger, "Paid on 2026-11-05 by bank transfer. Thank you.")
      assert.include(ledger, "Payment received 2026-11-03 by card -$5,000.00")
      assert.include(ledger, "Payment received 2026-11-05 by bank transfer (ref WIRE-7781) -$4,260.68")
      assert.include(ledger, "Amount due (USD) $0.00")
    })
  )

  it.effect("a partly paid invoice with a credit note lists both and shows the rest due", () =>
    Effect.gen(function* () {
      const invoice = yield* issued({ accounts: "54", api_calls: "6820000" })
      const text = (yield* pdfText(
        yield* InvoicePdf.render(invoice, customer, {
          payments: [
            { amount: 300_000n, paidAt: DateTime.makeUnsafe("2026-11-10T00:00:00Z"), method: "card" }
          ],
          creditNotes: [
            {
              number: "CN-2026-000001",
              amount: 10_000n,
              issuedAt: DateTime.makeUnsafe("2026-11-12T00:00:00Z"),
              reason: "service credit"
            }
          ]
        })
      )).pages.join("\n")
      // $9,260.68 − $3,000.00 − $100.00 = $6,160.68.
      assert.include(text, "INVOICE INV-2026-000042 DUE")
      assert.include(text, "Payment received 2026-11-10 by card -$3,000.00")
      assert.include(text, "Credit note CN-2026-000001 of 2026-11-12: service credit -$100.00")
      assert.include(text, "Amount due (USD) $6,160.68")
      assert.include(text, "Please pay $6,160.68 by 2026-12-01, quoting INV-2026-000042.")
      assert.include(text, "How to pay")
    })
  )

  it.effect("an overdue invoice says so; a void one prints VOID and nothing due", () =>
    Effect.gen(function* () {
      const invoice = yield* issued({ accounts: "54" })
      const late = yield* InvoiceLifecycle.markOverdue(invoice, {
        at: DateTime.makeUnsafe("2026-12-07T00:00:00Z"),
        graceDays: 5
      })
      const overdue = (yield* pdfText(yield* InvoicePdf.render(late, customer))).pages.join("\n")
      // $8,000 + 4 accounts over × $120 = $8,480; 5% volume = $424 → $8,056; 8% tax $644.48 → $8,700.48.
      assert.include(overdue, "INVOICE INV-2026-000042 OVERDUE")
      assert.include(overdue, "Overdue: this invoice was due on 2026-12-01. Please pay $8,700.48 now")
      assert.include(overdue, "Amount due (USD) $8,700.48")

      const voided = (yield* pdfText(
        yield* InvoicePdf.render(invoice, customer, {
          voided: { at: DateTime.makeUnsafe("2026-11-02T00:00:00Z"), reason: "issued to the wrong entity" }
        })
      )).pages.join("\n")
      assert.include(voided, "INVOICE INV-2026-000042 VOID")
      assert.include(voided, "VOID since 2026-11-02: issued to the wrong entity. This invoice is cancelled")
      assert.include(voided, "Amount due (USD) $0.00")
      assert.notInclude(voided, "Please pay")
      // The stamp across the page is text too.
      assert.match(voided, /VOID Page 1 of 1|Page 1 of 1 VOID/)

      const cancelled = yield* InvoiceLifecycle.cancel(invoice, {
        at: DateTime.makeUnsafe("2026-11-02T00:00:00Z"),
        reason: "duplicate"
      })
      const fromStatus = (yield* pdfText(yield* InvoicePdf.render(cancelled, customer))).pages.join("\n")
      assert.include(fromStatus, "VOID since 2026-11-02: duplicate.")
      assert.include(fromStatus, "Amount due (USD) $0.00")
    })
  )

  it.effect(
    "seller and buyer blocks: configured seller with tax id and instructions; buyer address and tax id",
    () =>
      Effect.gen(function* () {
        const invoice = yield* issued({ accounts: "54" })
        const seller: InvoicePdf.Seller = {
          name: "Acme Billing GmbH",
          addressLines: ["Hauptstraße 1", "10115 Berlin", "Germany"],
          taxId: "DE123456789",
          supportEmail: "help@acme.example",
          paymentInstructions: "IBAN DE89 3704 0044 0532 0130 00, BIC COBADEFFXXX"
        }
        const text = (yield* pdfText(
          yield* InvoicePdf.render(
            invoice,
            // The customer record as the operators' API stores it, mapped as the download maps it.
            InvoiceView.buyerOf({
              name: "Ledgerline Payments",
              email: "billing@ledgerline.example",
              billingAddress: {
                line1: "1 Market St",
                city: "San Francisco",
                region: "CA",
                postalCode: "94105",
                country: "US"
              },
              taxId: "US-EIN 12-3456789"
            }),
            { seller }
          )
        )).pages.join("\n")
        for (const expected of [
          "Acme Billing GmbH Hauptstraße 1 10115 Berlin Germany Tax id: DE123456789 help@acme.example",
          "Bill to Ledgerline Payments billing@ledgerline.example 1 Market St San Francisco, CA 94105 US",
          "Tax id US-EIN 12-3456789",
          "How to pay IBAN DE89 3704 0044 0532 0130 00, BIC COBADEFFXXX",
          "Questions: help@acme.example"
        ])
          assert.include(text, expected)
        assert.notInclude(text, "SecureBase Demo Seller")
      })
  )

  it.effect("non-Latin-1 names round-trip; a long description wraps inside its column", () =>
    Effect.gen(function* () {
      const invoice = yield* issued({ accounts: "54" })
      const name = "Zoë Łukasz Ærø Ğüneş Πέτρος Пётр"
      const long = `Platform subscription for ${name} including the premium compliance reporting bundle and priority support`
      const wide = {
        ...invoice,
        lines: [{ ...invoice.lines[0]!, description: long }, ...invoice.lines.slice(1)]
      }
      const { pages, items } = yield* pdfText(
        yield* InvoicePdf.render(wide, { name, email: "zoe@example.test" })
      )
      const text = pages.join("\n")
      assert.include(text, `Bill to ${name}`)
      assert.notInclude(text, "?")
      // Every piece of the description ends before the Quantity column starts.
      const quantityX = items.find((i) => i.str === "Quantity")!.x
      const pieces = items.filter((i) => long.includes(i.str) && i.str.length > 10)
      assert.isAtLeast(pieces.length, 2)
      for (const piece of pieces) assert.isBelow(piece.x + piece.width, quantityX)
      assert.include(text.replace(/\s+/g, " "), long.split(" ").slice(0, 4).join(" "))
    })
  )
})
