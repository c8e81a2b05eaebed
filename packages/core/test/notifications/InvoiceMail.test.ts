/** The invoice e-mails: text and HTML from one view, the seller's support contact, escaped HTML. */
import { assert, describe, it } from "@effect/vitest"
import { DateTime, Effect } from "effect"
import {
  Invoice,
  InvoiceLifecycle,
  InvoiceMail,
  InvoiceText,
  type Seller,
  Seller as SellerModule
} from "../../src/index.ts"
import { priceReference } from "../fixtures.ts"

const seller: Seller.Seller = {
  name: "Acme Billing GmbH",
  addressLines: ["Hauptstraße 1"],
  supportEmail: "help@acme.example",
  paymentInstructions: "IBAN DE89 3704 0044 0532 0130 00"
}
const issued = Effect.flatMap(priceReference("standard", { accounts: "54" }), (draft) =>
  InvoiceLifecycle.issue(draft, {
    number: Invoice.formatNumber(2026, 9),
    at: DateTime.makeUnsafe("2026-11-01T00:00:00Z")
  })
)

describe("InvoiceMail", () => {
  it.effect("issued: text and HTML say the same amount due, how to pay, and whom to ask", () =>
    Effect.gen(function* () {
      const invoice = yield* issued
      const customer = { name: "Ledgerline Payments", email: "ap@ledgerline.example" }
      const mail = InvoiceMail.issued(invoice, customer, seller)
      assert.strictEqual(mail.subject, "Invoice INV-2026-000009 for 2026-10")
      // The text keeps the plain-text invoice; $8,823.60 is this invoice's total (see InvoiceView.test).
      assert.include(mail.text, InvoiceText.render(invoice, { customerName: customer.name }))
      for (const body of [mail.text, mail.html]) {
        assert.include(body, "Please pay $8,823.60 by 2026-12-01, quoting INV-2026-000009.")
        assert.include(body, "IBAN DE89 3704 0044 0532 0130 00")
        assert.include(body, "help@acme.example")
        assert.include(body, "INV-2026-000009.pdf")
        assert.include(body, "Acme Billing GmbH")
      }
      assert.include(mail.text, "Amount due (USD): $8,823.60")
      assert.match(mail.html, /Amount due \(USD\)<\/strong><\/td><td[^>]*><strong>\$8,823\.60<\/strong>/)
      assert.include(mail.html, '<a href="mailto:help@acme.example">')
    })
  )

  it.effect("overdue: says so in both bodies; a customer name cannot inject HTML", () =>
    Effect.gen(function* () {
      const invoice = yield* InvoiceLifecycle.markOverdue(yield* issued, {
        at: DateTime.makeUnsafe("2026-12-07T00:00:00Z"),
        graceDays: 5
      })
      const name = `<script>alert("x")</script> & Co`
      const mail = InvoiceMail.overdue(invoice, { name, email: "a@b.example" }, seller)
      assert.strictEqual(mail.subject, "Overdue: invoice INV-2026-000009 for 2026-10")
      assert.include(mail.text, "Overdue: this invoice was due on 2026-12-01.")
      assert.include(mail.html, "Overdue: this invoice was due on 2026-12-01.")
      assert.include(mail.html, "OVERDUE")
      assert.notInclude(mail.html, "<script>")
      assert.include(mail.html, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co")
      assert.include(mail.text, `Hello ${name},`)
    })
  )

  it.effect("without a configured seller, the demo seller's support contact", () =>
    Effect.gen(function* () {
      const mail = InvoiceMail.issued(yield* issued, { name: "X", email: "x@y.example" })
      assert.include(mail.text, `Questions about this invoice: ${SellerModule.demo.supportEmail}`)
    })
  )

  it.effect(
    "online: Pay online with the hosted page in text and HTML (escaped); manual: nothing about it",
    () =>
      Effect.gen(function* () {
        const invoice = yield* issued
        const customer = { name: "X", email: "x@y.example" }
        const url = "https://invoice.stripe.test/i/in_1?a=1&b=2"
        const online = InvoiceMail.issued(invoice, customer, seller, { payUrl: url })
        assert.include(online.text, `Pay online: ${url}`)
        assert.include(
          online.html,
          '<strong>Pay online:</strong> <a href="https://invoice.stripe.test/i/in_1?a=1&amp;b=2">'
        )
        assert.include(online.text, "IBAN DE89", "the seller's instructions stay")
        const manual = InvoiceMail.issued(invoice, customer, seller)
        for (const body of [manual.text, manual.html]) {
          assert.notInclude(body, "Pay online")
          assert.notInclude(body, "Online payment")
        }
        const overdue = yield* InvoiceLifecycle.markOverdue(invoice, {
          at: DateTime.makeUnsafe("2026-12-07T00:00:00Z"),
          graceDays: 5
        })
        assert.include(
          InvoiceMail.overdue(overdue, customer, seller, { payUrl: url }).text,
          `Pay online: ${url}`
        )
      })
  )

  it.effect(
    "online without a link (the push gave up): says how else to pay; a paid invoice: no link at all",
    () =>
      Effect.gen(function* () {
        const invoice = yield* issued
        const customer = { name: "X", email: "x@y.example" }
        const noLink = InvoiceMail.issued(invoice, customer, seller, { payUrl: null })
        assert.notInclude(noLink.text, "Pay online:")
        for (const body of [noLink.text, noLink.html])
          assert.include(
            body,
            "Online payment is not available for this invoice; please pay as described under How to pay."
          )
        const bare = { ...seller, paymentInstructions: undefined }
        assert.include(
          InvoiceMail.issued(invoice, customer, bare, { payUrl: null }).text,
          "Online payment is not available for this invoice; write to help@acme.example for how to pay."
        )
        const paid = yield* InvoiceLifecycle.markPaid(invoice, {
          at: DateTime.makeUnsafe("2026-11-05T00:00:00Z"),
          reference: "wire-1"
        })
        const paidMail = InvoiceMail.issued(paid, customer, seller, {
          payUrl: "https://invoice.stripe.test/i/in_1"
        })
        assert.notInclude(paidMail.text, "Pay online")
        assert.notInclude(paidMail.text, "Online payment")
      })
  )
})
