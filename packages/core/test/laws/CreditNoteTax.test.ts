/**
 * Laws of a credit note's tax split (D'Hondt apportionment of the cumulative credit), over invoices
 * of up to four tax lines (some at zero) and random sequences of notes that end by crediting the
 * rest: each note's parts are whole, never negative and add up to its amount, and the notes reverse
 * each tax line exactly.
 */
import { assert, describe, it } from "@effect/vitest"
import { Arbitrary, BigDecimal } from "effect"
import { CreditNoteTax, type Invoice, Money } from "../../src/index.ts"
import { Primitives } from "../../src/testing/index.ts"

const runs = { arbitrary: { runs: 300 } }

const invoiceArb = Arbitrary.map(
  Arbitrary.all({
    net: Primitives.bigint(0n, 10n ** 10n),
    taxes: Arbitrary.array(Primitives.bigint(0n, 10n ** 9n), { maxLength: 4 })
  }),
  ({ net, taxes }): Pick<Invoice.Invoice, "total" | "taxLines"> => {
    const total = net + taxes.reduce((a, b) => a + b, 0n)
    return {
      total: total === 0n ? 1n : total,
      taxLines: taxes.map((amount, i) => ({
        jurisdiction: "US",
        name: `Tax ${i + 1}`,
        rate: BigDecimal.fromStringUnsafe("0.05"),
        taxable: net,
        amount
      }))
    }
  }
)

/** Notes as shares (per million) of what is left, a few cents each at least. */
const sharesArb = Arbitrary.array(Primitives.int(0, 1_000_000), { minLength: 0, maxLength: 8 })

describe("laws: CreditNoteTax.split", () => {
  it.prop(
    "every note's parts are whole, ≥ 0 and add up; the notes that credit everything reverse each tax exactly",
    { invoice: invoiceArb, shares: sharesArb },
    ({ invoice, shares }) => {
      let before = 0n
      const notes: Array<CreditNoteTax.TaxSplit> = []
      const issue = (amount: bigint) => {
        const s = CreditNoteTax.split(invoice, before, amount)
        assert.strictEqual(s.taxLines.length, invoice.taxLines.length)
        for (const t of s.taxLines) assert.isTrue(t.amount >= 0n, `negative tax part ${t.amount}`)
        assert.strictEqual(
          s.tax,
          s.taxLines.reduce((a, t) => a + t.amount, 0n)
        )
        assert.isTrue(s.net >= 0n, `negative net ${s.net}`)
        assert.strictEqual(s.tax + s.net, amount)
        notes.push(s)
        before += amount
      }
      for (const share of shares) {
        const left = invoice.total - before
        const amount = (left * BigInt(share)) / 1_000_000n
        if (amount > 0n) issue(amount)
      }
      if (invoice.total - before > 0n) issue(invoice.total - before)
      for (const [i, line] of invoice.taxLines.entries())
        assert.strictEqual(
          notes.reduce((a, n) => a + n.taxLines[i]!.amount, 0n),
          line.amount
        )
      assert.strictEqual(
        notes.reduce((a, n) => a + n.net, 0n),
        invoice.total - invoice.taxLines.reduce((a, t) => a + t.amount, 0n)
      )
    },
    runs
  )

  it("one note for the whole invoice states each tax line's amount; a tax-exempt invoice gives [] and 0", () => {
    const invoice = {
      total: 10800n,
      taxLines: [
        {
          jurisdiction: "US",
          name: "Sales tax",
          rate: BigDecimal.fromStringUnsafe("0.08"),
          taxable: 10000n,
          amount: 800n
        }
      ]
    }
    const whole = CreditNoteTax.split(invoice, 0n, 10800n)
    assert.deepStrictEqual(
      whole.taxLines.map((t) => [t.jurisdiction, t.name, t.amount]),
      [["US", "Sales tax", 800n]]
    )
    assert.strictEqual(whole.net, 10000n)
    // Half, then the rest: 400 + 400.
    const half = CreditNoteTax.split(invoice, 0n, 5400n)
    const rest = CreditNoteTax.split(invoice, 5400n, 5400n)
    assert.deepStrictEqual([half.tax, rest.tax], [400n, 400n])
    assert.deepStrictEqual(CreditNoteTax.split({ total: 10000n, taxLines: [] }, 0n, 2500n), {
      taxLines: [],
      tax: 0n,
      net: 2500n
    })
  })

  it("never states a negative tax where largest remainder would (the Alabama paradox)", () => {
    // $10.00 net + 6% state tax $0.60 + 0.5% county tax $0.05; a note of $0.77, then one of $0.01.
    const weights = [1000n, 60n, 5n]
    const hamilton = (c: bigint) => Money.allocate(Money.make("USD", c), weights).map((m) => m.minor)
    assert.deepStrictEqual(hamilton(77n), [72n, 4n, 1n])
    assert.deepStrictEqual(hamilton(78n), [73n, 5n, 0n]) // the 1-cent note would reverse −$0.01 county tax
    const rate = BigDecimal.fromStringUnsafe("0.06")
    const invoice = {
      total: 1065n,
      taxLines: [
        { jurisdiction: "US-CA", name: "State tax", rate, taxable: 1000n, amount: 60n },
        { jurisdiction: "US-CA", name: "County tax", rate, taxable: 1000n, amount: 5n }
      ]
    }
    const first = CreditNoteTax.split(invoice, 0n, 77n)
    const second = CreditNoteTax.split(invoice, 77n, 1n)
    assert.deepStrictEqual(
      first.taxLines.map((t) => t.amount),
      [4n, 0n]
    )
    assert.deepStrictEqual([second.taxLines.map((t) => t.amount), second.net], [[0n, 0n], 1n])
  })

  it("prints 'of which <tax> (<rate>)' rows and the net; nothing for a note without a split", () => {
    const rate = BigDecimal.fromStringUnsafe("0.055")
    assert.deepStrictEqual(
      CreditNoteTax.summary({
        taxLines: [{ jurisdiction: "FR", name: "VAT", rate, amount: 55n }],
        net: 1000n
      }),
      [
        ["of which VAT (5.5%)", 55n],
        ["Net of tax", 1000n]
      ]
    )
    assert.deepStrictEqual(CreditNoteTax.summary({ taxLines: [], net: 10n }), [
      ["of which tax", 0n],
      ["Net of tax", 10n]
    ])
    assert.deepStrictEqual(CreditNoteTax.summary({ taxLines: null, net: null }), [])
  })
})
