/**
 * Laws of whole invoices over generated price books, tax policies and usage: every invoice
 * reconciles to the minor unit, no amount is fractional, usage lines behave (zero usage is free,
 * included usage is free, more usage never lowers a monotone line or a monotone book's total), and
 * books and invoices survive their Schemas.
 */
import { assert, describe, it } from "@effect/vitest"
import { Arbitrary, BigDecimal, Effect, Schema } from "effect"
import { Decimal, Invoice, Invoicing, Money, PriceBook, PricingModel } from "../../src/index.ts"
import {
  DecimalArbitrary,
  InvoicingArbitrary,
  PricingArbitrary,
  Primitives
} from "../../src/testing/index.ts"

const runs = { arbitrary: { runs: 75 } }

// The canonical JSON codec: `Schema.DateTimeUtc` encodes to an ISO string only through it.
const InvoiceJson = Schema.toCodecJson(Invoice.Invoice)

const amountsOf = (invoice: Invoice.Invoice): ReadonlyArray<unknown> => [
  invoice.subtotal,
  invoice.discount,
  invoice.taxable,
  invoice.tax,
  invoice.total,
  ...invoice.lines.flatMap((l) => [l.amount, l.discount]),
  ...invoice.taxLines.flatMap((t) => [t.taxable, t.amount])
]

/** Models whose price never falls as quantity grows (volume can, at a band edge, by design). */
const monotoneModel = Primitives.oneOf(
  PricingArbitrary.perUnitModel,
  PricingArbitrary.packageModel,
  PricingArbitrary.graduatedModel(),
  PricingArbitrary.percentageModel
)

describe("laws: Invoicing.priceInvoice", () => {
  it.effect.prop(
    "every invoice reconciles exactly: lines, discount shares, taxable, tax lines and total",
    { input: InvoicingArbitrary.invoiceInput() },
    ({ input }) =>
      Effect.gen(function* () {
        const invoice = yield* Invoicing.priceInvoice(input)
        assert.deepStrictEqual(Invoice.reconciliationErrors(invoice), [])
        assert.strictEqual(invoice.lines.length, input.priceBook.plans[input.plan]!.charges.length)
        assert.strictEqual(invoice.status, "draft")
      }),
    runs
  )

  it.effect.prop(
    "no amount is ever fractional: all are bigint minor units, and encode as integer strings",
    { input: InvoicingArbitrary.invoiceInput() },
    ({ input }) =>
      Effect.gen(function* () {
        const invoice = yield* Invoicing.priceInvoice(input)
        for (const amount of amountsOf(invoice)) assert.strictEqual(typeof amount, "bigint")
        const encoded = Schema.encodeSync(Invoice.Invoice)(invoice)
        for (const amount of [encoded.subtotal, encoded.discount, encoded.tax, encoded.total]) {
          assert.match(String(amount), /^\d+$/)
        }
        // Each line is its exact price rounded once, by the book's mode.
        const charges = input.priceBook.plans[input.plan]!.charges
        for (const [i, line] of invoice.lines.entries()) {
          const exact = yield* Invoicing.priceCharge(charges[i]!, input.usage)
          assert.strictEqual(
            line.amount,
            Money.round(exact.exact, invoice.currency, input.priceBook.rounding).minor
          )
        }
      }),
    runs
  )

  it.effect.prop(
    "zero usage prices every usage line at zero, so the bill is the flat fees",
    { input: InvoicingArbitrary.invoiceInput() },
    ({ input }) =>
      Effect.gen(function* () {
        const usage = new Map(Array.from(input.usage.keys(), (code) => [code, Decimal.zero] as const))
        const invoice = yield* Invoicing.priceInvoice({ ...input, usage })
        for (const line of invoice.lines) if (line.kind === "usage") assert.strictEqual(line.amount, 0n)
        assert.strictEqual(
          invoice.subtotal,
          invoice.lines.filter((l) => l.kind === "flat").reduce((a, l) => a + l.amount, 0n)
        )
      }),
    runs
  )

  it.effect.prop(
    "included quantity is free: usage up to it costs nothing, and beyond it only the excess is priced",
    {
      charge: PricingArbitrary.usageCharge("metered"),
      used: DecimalArbitrary.quantity,
      extra: DecimalArbitrary.quantity
    },
    ({ charge, used, extra }) =>
      Effect.gen(function* () {
        const within = BigDecimal.min(used, charge.included)
        const free = yield* Invoicing.priceCharge(charge, new Map([[charge.metric, within]]))
        assert.isTrue(BigDecimal.isZero(free.exact))
        const over = yield* Invoicing.priceCharge(
          charge,
          new Map([[charge.metric, BigDecimal.sum(charge.included, extra)]])
        )
        assert.isTrue(BigDecimal.equals(over.billable, extra))
        assert.isTrue(BigDecimal.equals(over.exact, PricingModel.price(charge.model, extra)))
      }),
    runs
  )

  it.effect.prop(
    "more usage never lowers a per-unit, package, graduated or percentage line, in minor units, by any mode",
    {
      charge: PricingArbitrary.usageCharge("metered", { model: monotoneModel }),
      used: DecimalArbitrary.quantity,
      extra: DecimalArbitrary.quantity,
      mode: Primitives.element(Money.RoundingMode.literals)
    },
    ({ charge, used, extra, mode }) =>
      Effect.gen(function* () {
        const line = (q: BigDecimal.BigDecimal) =>
          Effect.map(
            Invoicing.priceCharge(charge, new Map([[charge.metric, q]])),
            (p) => Money.round(p.exact, "USD", mode).minor
          )
        assert.isTrue((yield* line(used)) <= (yield* line(BigDecimal.sum(used, extra))))
      }),
    runs
  )

  it.effect.prop(
    "with the default capped discount and monotone models, more usage never makes the total smaller",
    {
      scenario: Arbitrary.flatMap(
        InvoicingArbitrary.invoiceInput({ model: monotoneModel, discount: PricingArbitrary.cappedVolume }),
        (input) =>
          Arbitrary.map(
            Arbitrary.all(
              Array.from(input.usage.keys(), () =>
                Primitives.oneOf(Arbitrary.Constant(Decimal.zero), DecimalArbitrary.quantity)
              )
            ),
            (extras) => ({ input, extras })
          )
      )
    },
    ({ scenario: { input, extras } }) =>
      Effect.gen(function* () {
        const more = new Map(
          Array.from(input.usage, ([code, q], i) => [code, BigDecimal.sum(q, extras[i]!)] as const)
        )
        const before = yield* Invoicing.priceInvoice(input)
        const after = yield* Invoicing.priceInvoice({ ...input, usage: more })
        assert.isTrue(before.subtotal <= after.subtotal, "subtotal")
        assert.isTrue(before.taxable <= after.taxable, "discounted subtotal")
        assert.isTrue(before.total <= after.total, "total")
      }),
    runs
  )
})

describe("laws: Schemas of books and invoices", () => {
  it.prop(
    "every generated price book is valid by the PriceBook Schema and survives encode → JSON → decode",
    { book: PricingArbitrary.priceBook() },
    ({ book }) => {
      assert.isTrue(Schema.is(PriceBook.PriceBook)(book))
      const json = JSON.parse(JSON.stringify(Schema.encodeSync(PriceBook.PriceBook)(book)))
      const decoded = Schema.decodeUnknownSync(PriceBook.PriceBook)(json)
      assert.deepStrictEqual(Schema.encodeSync(PriceBook.PriceBook)(decoded), json)
    },
    runs
  )

  it.effect.prop(
    "every invoice survives its JSON codec (encode → JSON text → decode) unchanged",
    { input: InvoicingArbitrary.invoiceInput() },
    ({ input }) =>
      Effect.gen(function* () {
        const invoice = yield* Invoicing.priceInvoice(input)
        const json = JSON.parse(JSON.stringify(Schema.encodeSync(InvoiceJson)(invoice)))
        const decoded = Schema.decodeUnknownSync(InvoiceJson)(json)
        assert.deepStrictEqual(Schema.encodeSync(InvoiceJson)(decoded), json)
        assert.deepStrictEqual(Invoice.reconciliationErrors(decoded), [])
        assert.strictEqual(decoded.total, invoice.total)
      }),
    runs
  )
})
