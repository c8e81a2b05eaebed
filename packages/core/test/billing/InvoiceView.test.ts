/** The invoice view decides the state and the amount due once, for the PDF and the e-mails. */
import { assert, describe, it } from "@effect/vitest"
import { DateTime, Effect } from "effect"
import { type Breakdown, Decimal, Invoice, InvoiceLifecycle, InvoiceView, Seller } from "../../src/index.ts"
import { priceReference } from "../fixtures.ts"

const at = (iso: string) => DateTime.makeUnsafe(iso)
const buyer = { name: "Ledgerline Payments", email: "billing@ledgerline.example" }

// The reference card's standard month with 54 accounts (its pricing is tested elsewhere; here only
// what the view does with its total, $8,823.60, matters).
const issued = Effect.flatMap(priceReference("standard", { accounts: "54" }), (draft) =>
  InvoiceLifecycle.issue(draft, { number: Invoice.formatNumber(2026, 7), at: at("2026-11-01T00:00:00Z") })
)

describe("InvoiceView.make", () => {
  it.effect("an open invoice owes its total less payments and credit notes, to the cent", () =>
    Effect.gen(function* () {
      const invoice = yield* issued
      const open = InvoiceView.make({ invoice, buyer, seller: Seller.demo })
      assert.strictEqual(invoice.total, 882_360n)
      assert.strictEqual(open.state._tag, "Open")
      assert.strictEqual(open.amountDueMinor, invoice.total)
      const partly = InvoiceView.make({
        invoice,
        buyer,
        seller: Seller.demo,
        payments: [{ amount: 100_001n, paidAt: at("2026-11-03T00:00:00Z") }],
        creditNotes: [{ number: "CN-2026-000001", amount: 99n, issuedAt: at("2026-11-04T00:00:00Z") }]
      })
      assert.strictEqual(partly.state._tag, "Open")
      assert.strictEqual(partly.amountDueMinor, invoice.total - 100_001n - 99n)
      // $8,823.60 − $1,000.01 − $0.99 = $7,822.60.
      assert.strictEqual(partly.amountDue.amount, "$7,822.60")
      assert.strictEqual(partly.settlements.length, 2)
      assert.strictEqual(partly.paymentInstructions, Seller.demo.paymentInstructions)
    })
  )

  it.effect("payments covering the total make it paid, with the last method, and never a negative due", () =>
    Effect.gen(function* () {
      const invoice = yield* issued
      const view = InvoiceView.make({
        invoice,
        buyer,
        seller: Seller.demo,
        payments: [
          { amount: invoice.total - 1n, paidAt: at("2026-11-03T00:00:00Z"), method: "card" },
          { amount: 500n, paidAt: at("2026-11-04T00:00:00Z"), method: "bank transfer" }
        ]
      })
      assert.deepStrictEqual(view.state, {
        _tag: "Paid",
        paidAt: at("2026-11-04T00:00:00Z"),
        method: "bank transfer"
      })
      assert.strictEqual(view.amountDueMinor, 0n)
      assert.strictEqual(view.paymentInstructions, null)
      assert.strictEqual(view.notice, "Paid on 2026-11-04 by bank transfer. Thank you.")
    })
  )

  it.effect("void (given, or a cancelled invoice) owes nothing; a draft is not payable", () =>
    Effect.gen(function* () {
      const invoice = yield* issued
      const voided = InvoiceView.make({
        invoice,
        buyer,
        seller: Seller.demo,
        voided: { at: at("2026-11-02T00:00:00Z"), reason: "wrong entity" }
      })
      assert.strictEqual(voided.stateLabel, "VOID")
      assert.strictEqual(voided.amountDueMinor, 0n)
      const cancelled = yield* InvoiceLifecycle.cancel(invoice, {
        at: at("2026-11-02T00:00:00Z"),
        reason: "dup"
      })
      assert.strictEqual(
        InvoiceView.make({ invoice: cancelled, buyer, seller: Seller.demo }).state._tag,
        "Void"
      )
      const draft = yield* priceReference("standard", { accounts: "54" })
      const view = InvoiceView.make({ invoice: draft, buyer, seller: Seller.demo })
      assert.strictEqual(view.stateLabel, "DRAFT")
      assert.strictEqual(view.paymentInstructions, null)
    })
  )

  it.effect("usage lines without usage fold into one line; used lines within the included stay", () =>
    Effect.gen(function* () {
      // 3 accounts used, 50 included: $0.00 but used, so printed; the other metrics had no usage.
      const invoice = yield* priceReference("standard", { accounts: "3" })
      const view = InvoiceView.make({ invoice, buyer, seller: Seller.demo })
      const accounts = view.lines.find((l) => l.description === "Managed accounts")
      assert.isDefined(accounts)
      assert.strictEqual(accounts!.amount, "$0.00")
      const unusedCount = invoice.lines.length - view.lines.length
      assert.isAbove(unusedCount, 0)
      assert.match(view.unused ?? "", /^Not used this period \(\$0\.00\): API calls, /)
      assert.notInclude(view.unused ?? "", "Managed accounts")
    })
  )

  it("buyerOf: name and billing e-mail always, the billing address and tax id when the customer has them", () => {
    assert.deepStrictEqual(InvoiceView.buyerOf(buyer), { ...buyer, addressLines: [], taxId: null })
    assert.deepStrictEqual(
      InvoiceView.buyerOf({
        ...buyer,
        billingAddress: {
          line1: "1 Market St",
          line2: "Suite 400",
          city: "San Francisco",
          region: "CA",
          postalCode: "94105",
          country: "US"
        },
        taxId: "EIN 12-3456789"
      }),
      {
        ...buyer,
        addressLines: ["1 Market St", "Suite 400", "San Francisco, CA 94105", "US"],
        taxId: "EIN 12-3456789"
      }
    )
    assert.deepStrictEqual(
      InvoiceView.addressLines({
        line1: "Hauptstraße 1",
        city: "Berlin",
        postalCode: "10115",
        country: "DE"
      }),
      ["Hauptstraße 1", "10115 Berlin", "DE"]
    )
    assert.deepStrictEqual(InvoiceView.addressLines({ line1: "1 Rue X", city: "Paris", country: "FR" }), [
      "1 Rue X",
      "Paris",
      "FR"
    ])
  })

  it("formatDetail: bands, packages and rates with their money in the invoice's currency", () => {
    const row = (
      fields: Partial<Breakdown.BreakdownRow> & Pick<Breakdown.BreakdownRow, "kind" | "description">
    ) => ({
      from: null,
      to: null,
      units: Decimal.zero,
      unitPrice: null,
      flatFee: null,
      amount: Decimal.zero,
      ...fields
    })
    const u = Decimal.unsafe
    assert.strictEqual(
      InvoiceView.formatDetail(
        row({
          kind: "band",
          description: "band 2",
          from: u("1000"),
          to: null,
          units: u("333"),
          unitPrice: u("0.00015"),
          flatFee: u("5"),
          amount: u("5.04995")
        }),
        "USD"
      ),
      "band 2 (above 1,000): 333 × $0.00015 + $5.00 = $5.04995"
    )
    assert.strictEqual(
      InvoiceView.formatDetail(
        row({
          kind: "rate",
          description: "rate",
          units: u("1200"),
          unitPrice: u("0.029"),
          amount: u("34.8")
        }),
        "EUR"
      ),
      "rate: €1,200.00 × 2.9% = €34.80"
    )
    assert.strictEqual(
      InvoiceView.formatDetail(row({ kind: "free", description: "free transactions", units: u("3") }), "USD"),
      "free transactions (3): $0.00"
    )
  })
})
