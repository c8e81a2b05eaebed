/** The credit note e-mail: what was credited and how it was applied, the seller's contact, escaped HTML. */
import { assert, describe, it } from "@effect/vitest"
import { BigDecimal, DateTime } from "effect"
import { type CreditNote, CreditNoteMail, type Ids, Invoice, type Seller } from "../../src/index.ts"

const seller: Seller.Seller = {
  name: "Acme Billing GmbH",
  addressLines: ["Hauptstraße 1"],
  supportEmail: "help@acme.example"
}
const invoice = {
  number: Invoice.formatNumber(2026, 9),
  period: "2026-10" as Invoice.Invoice["period"],
  currency: "USD" as Invoice.Invoice["currency"]
}
const note = (
  credited: bigint,
  refunded: bigint,
  reason = "SLA credit, 2026-11-03 outage",
  taxLines: CreditNote.CreditNote["taxLines"] = [
    { jurisdiction: "US", name: "Sales tax", rate: BigDecimal.fromStringUnsafe("0.08"), amount: 6111n }
  ]
): CreditNote.CreditNote => ({
  id: "0b7c2a4e-3f1d-4c55-9a1e-000000000001" as CreditNote.CreditNoteId,
  number: "CN-2026-000004" as CreditNote.CreditNoteNumber,
  invoiceId: "0b7c2a4e-3f1d-4c55-9a1e-000000000002" as Ids.InvoiceId,
  customerId: "0b7c2a4e-3f1d-4c55-9a1e-000000000003" as Ids.CustomerId,
  currency: "USD" as CreditNote.CreditNote["currency"],
  reason,
  lines: [
    { position: 1, description: "Platform fee, 3 days", invoiceLine: 1, amount: credited + refunded - 2500n },
    { position: 2, description: "Goodwill", invoiceLine: null, amount: 2500n }
  ],
  amount: credited + refunded,
  credited,
  refunded,
  taxLines,
  tax: taxLines === null ? null : taxLines.reduce((a, t) => a + t.amount, 0n),
  net: taxLines === null ? null : credited + refunded - taxLines.reduce((a, t) => a + t.amount, 0n),
  issuedAt: DateTime.makeUnsafe("2026-11-05T09:30:00Z")
})

describe("CreditNoteMail", () => {
  it("credited against the amount due: the lines, the split, what is left due, in text and HTML", () => {
    const mail = CreditNoteMail.render(
      note(82500n, 0n),
      invoice,
      { name: "Ledgerline Payments" },
      {
        amountDue: 100000n,
        seller
      }
    )
    assert.strictEqual(mail.subject, "Credit note CN-2026-000004 for invoice INV-2026-000009")
    for (const body of [mail.text, mail.html]) {
      for (const part of [
        "Ledgerline Payments",
        "INV-2026-000009 (2026-10)",
        "2026-11-05",
        "SLA credit, 2026-11-03 outage",
        "1. Platform fee, 3 days",
        "$800.00",
        "2. Goodwill",
        "$25.00",
        "$825.00",
        "of which Sales tax (8%)",
        "$61.11",
        "Net of tax",
        "$763.89",
        "Still due on the invoice",
        "$1,000.00",
        "CN-2026-000004.pdf",
        "help@acme.example",
        "Acme Billing GmbH"
      ])
        assert.include(body, part)
      assert.notInclude(body, "is refunded to you")
    }
  })

  it("states the tax the note reverses, in text and HTML; $0 tax when exempt, nothing for a note without a split", () => {
    const options = { amountDue: 0n, seller }
    const taxed = CreditNoteMail.render(note(82500n, 0n), invoice, { name: "L" }, options)
    assert.include(taxed.text, "of which Sales tax (8%): $61.11\nNet of tax: $763.89")
    assert.include(taxed.html, "of which Sales tax (8%)</td><td")
    assert.include(taxed.html, ">$61.11</td>")
    assert.include(taxed.html, ">Net of tax</td>")
    assert.include(taxed.html, ">$763.89</td>")
    const exempt = CreditNoteMail.render(note(82500n, 0n, "r", []), invoice, { name: "L" }, options)
    assert.include(exempt.text, "of which tax: $0.00\nNet of tax: $825.00")
    const before = CreditNoteMail.render(note(82500n, 0n, "r", null), invoice, { name: "L" }, options)
    for (const body of [before.text, before.html]) {
      assert.notInclude(body, "of which")
      assert.notInclude(body, "Net of tax")
    }
  })

  it("refunded: says how much comes back; HTML escapes what the operator typed", () => {
    const mail = CreditNoteMail.render(
      note(0n, 82500n, "<script>x</script> & co"),
      invoice,
      { name: "A&B <Ltd>" },
      {
        amountDue: 0n,
        seller
      }
    )
    assert.include(mail.text, "$825.00 is refunded to you by the way you paid.")
    assert.include(mail.html, "$825.00 is refunded to you by the way you paid.")
    assert.include(mail.text, "<script>x</script> & co")
    assert.notInclude(mail.html, "<script>")
    assert.include(mail.html, "&lt;script&gt;x&lt;/script&gt; &amp; co")
    assert.include(mail.html, "A&amp;B &lt;Ltd&gt;")
  })
})
