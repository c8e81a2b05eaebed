/** The seller block comes from the environment, and a bad logo file stops the start with a reason. */
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import {
  Invoice,
  InvoiceLifecycle,
  Invoicing,
  Metric,
  type Period,
  PriceBook,
  Seller,
  Tax,
  Usage
} from "@securebase/core"
import { InvoicePdf } from "@securebase/http"
import { ConfigProvider, DateTime, Effect } from "effect"
import * as ServerConfig from "../src/Config.ts"

const load = (env: Record<string, string>) =>
  Effect.provideService(ServerConfig.load, ConfigProvider.ConfigProvider, ConfigProvider.fromEnv({ env }))

// A 2×2 RGB PNG, made for this test.
const png = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEElEQVR4nGMQSFgARAwQCgAbjgRBQm2bmQAAAABJRU5ErkJggg==",
  "base64"
)
const dir = mkdtempSync(join(tmpdir(), "securebase-seller-"))
const logoFile = join(dir, "logo.png")
writeFileSync(logoFile, png)
const notAnImage = join(dir, "logo.txt")
writeFileSync(notAnImage, "not an image")

describe("SellerConfig", () => {
  it.effect("without SELLER_NAME the demo seller, which says to configure it", () =>
    Effect.gen(function* () {
      const c = yield* load({})
      assert.deepStrictEqual(c.seller, Seller.demo)
      assert.include(c.seller.name, "configure SELLER_NAME")
    })
  )

  it.effect("SELLER_* and SUPPORT_EMAIL make the seller; the address splits on newlines and |", () =>
    Effect.gen(function* () {
      const c = yield* load({
        SELLER_NAME: "Acme Billing GmbH",
        SELLER_ADDRESS: "Hauptstraße 1|10115 Berlin\nGermany",
        SELLER_TAX_ID: "DE123456789",
        SELLER_PAYMENT_INSTRUCTIONS: "IBAN DE89 3704 0044 0532 0130 00",
        SUPPORT_EMAIL: "help@acme.example",
        SELLER_LOGO_FILE: logoFile
      })
      assert.strictEqual(c.seller.name, "Acme Billing GmbH")
      assert.deepStrictEqual(c.seller.addressLines, ["Hauptstraße 1", "10115 Berlin", "Germany"])
      assert.strictEqual(c.seller.taxId, "DE123456789")
      assert.strictEqual(c.seller.paymentInstructions, "IBAN DE89 3704 0044 0532 0130 00")
      assert.strictEqual(c.seller.supportEmail, "help@acme.example")
      assert.strictEqual(c.seller.logo?.format, "png")
      assert.deepStrictEqual(c.seller.logo?.bytes, new Uint8Array(png))
    })
  )

  it.effect("a real name never borrows the demo's address, tax id or instructions", () =>
    Effect.gen(function* () {
      const c = yield* load({ SELLER_NAME: "Acme Billing GmbH" })
      assert.deepStrictEqual(c.seller.addressLines, [])
      assert.isUndefined(c.seller.taxId)
      assert.isUndefined(c.seller.paymentInstructions)
    })
  )

  it.effect("a missing or non-image logo file, or a bad SUPPORT_EMAIL, is a configuration error", () =>
    Effect.gen(function* () {
      const missing = yield* Effect.flip(load({ SELLER_LOGO_FILE: join(dir, "nope.png") }))
      assert.strictEqual(missing._tag, "ConfigurationError")
      assert.match(missing.message, /SELLER_LOGO_FILE: cannot read .*nope\.png \(ENOENT\)/)
      const text = yield* Effect.flip(load({ SELLER_LOGO_FILE: notAnImage }))
      assert.match(text.message, /SELLER_LOGO_FILE: .*logo\.txt is neither a PNG nor a JPEG image/)
      const email = yield* Effect.flip(load({ SUPPORT_EMAIL: "not an address" }))
      assert.match(email.message, /SUPPORT_EMAIL must be an e-mail address/)
    })
  )

  it.effect(
    "the configured logo is embedded in the invoice PDF",
    () =>
      Effect.gen(function* () {
        const c = yield* load({ SELLER_NAME: "Acme Billing GmbH", SELLER_LOGO_FILE: logoFile })
        const usage = yield* Usage.metrics(Metric.defaultCatalog, { accounts: "54" })
        const draft = yield* Invoicing.priceInvoice({
          invoiceId: "0b7c2a4e-3f1d-4c55-9a1e-0000000000f1" as never,
          customerId: "0b7c2a4e-3f1d-4c55-9a1e-0000000000c1" as never,
          plan: "fintech",
          taxProfile: {},
          period: "2026-10" as Period.Period,
          priceBook: PriceBook.referenceCard,
          taxRules: Tax.referenceCard,
          usage,
          createdAt: DateTime.makeUnsafe("2026-11-01T00:00:00Z")
        })
        const invoice = yield* InvoiceLifecycle.issue(draft, {
          number: Invoice.formatNumber(2026, 1),
          at: DateTime.makeUnsafe("2026-11-01T00:00:00Z")
        })
        const buyer = { name: "Ledgerline", email: "ap@ledgerline.example" }
        const withLogo = new TextDecoder("latin1").decode(
          yield* InvoicePdf.render(invoice, buyer, { seller: c.seller })
        )
        const without = new TextDecoder("latin1").decode(yield* InvoicePdf.render(invoice, buyer))
        assert.match(withLogo, /\/Subtype \/Image/)
        assert.notMatch(without, /\/Subtype \/Image/)
      }),
    60_000
  )
})
