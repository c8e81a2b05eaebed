/**
 * Laws of per-customer terms over generated price books, usage, tax and terms (coupons active in
 * the period, commitments, negotiated prices): invoices still reconcile, coupons never make a total
 * negative (nor raise it), and a commitment never lowers a bill.
 */
import { assert, describe, it } from "@effect/vitest"
import { Arbitrary, BigDecimal, Effect } from "effect"
import { type CustomerTerms, Decimal, Invoice, Invoicing, Money } from "../../src/index.ts"
import {
  DecimalArbitrary,
  InvoicingArbitrary,
  PricingArbitrary,
  Primitives,
  TermsArbitrary
} from "../../src/testing/index.ts"

const runs = { timeout: 120_000, arbitrary: { runs: 75 } }

/** A month of a generated book with generated terms for its plan's plan. */
const withTerms = (options: InvoicingArbitrary.InvoiceInputOptions = {}, maxCouponAmount?: string) =>
  Arbitrary.flatMap(InvoicingArbitrary.invoiceInput(options), (input) =>
    Arbitrary.map(
      TermsArbitrary.customerTerms(input.period, {
        plan: input.priceBook.plans[input.plan],
        maxCouponAmount
      }),
      (terms): Invoicing.PriceInvoiceInput => ({ ...input, terms })
    )
  )

const without = (terms: CustomerTerms.CustomerTerms, part: "coupons" | "commitment") => {
  const { [part]: _dropped, ...rest } = terms
  return rest
}

describe("laws: customer terms", () => {
  it.effect.prop(
    "every invoice with terms reconciles exactly, with a discount line per coupon that took something",
    { input: withTerms() },
    ({ input }) =>
      Effect.gen(function* () {
        const invoice = yield* Invoicing.priceInvoice(input)
        assert.deepStrictEqual(Invoice.reconciliationErrors(invoice), [])
        const coupons = invoice.discounts.filter((d) => d.kind === "coupon")
        assert.isAtMost(coupons.length, input.terms?.coupons?.length ?? 0)
        for (const d of coupons) assert.isTrue(d.amount > 0n)
      }),
    runs
  )

  it.effect.prop(
    "coupons never make a total negative, and never raise it (even coupons larger than the bill)",
    { input: withTerms({}, "100000") },
    ({ input }) =>
      Effect.gen(function* () {
        const withCoupons = yield* Invoicing.priceInvoice(input)
        const plain = yield* Invoicing.priceInvoice({
          ...input,
          terms: without(input.terms ?? {}, "coupons")
        })
        assert.isTrue(withCoupons.total >= 0n && withCoupons.taxable >= 0n)
        assert.isTrue(withCoupons.total <= plain.total)
        assert.isTrue(withCoupons.discount <= withCoupons.subtotal)
      }),
    runs
  )

  it.effect.prop(
    "a commitment never lowers a bill, and its true-up is exactly the shortfall",
    {
      input: withTerms(),
      minimum: DecimalArbitrary.decimal({ max: "100000", maxScale: 2 })
    },
    ({ input, minimum }) =>
      Effect.gen(function* () {
        const terms = without(input.terms ?? {}, "commitment")
        const plain = yield* Invoicing.priceInvoice({ ...input, terms })
        const committed = yield* Invoicing.priceInvoice({
          ...input,
          terms: { ...terms, commitment: { minimum } }
        })
        assert.isTrue(committed.total >= plain.total, `${committed.total} < ${plain.total}`)
        assert.isTrue(committed.subtotal >= plain.subtotal)
        const trueUp = committed.lines.filter((l) => l.kind === "commitment")
        const charges = plain.subtotal
        const floor = Money.round(minimum, input.priceBook.currency, input.priceBook.rounding).minor
        if (floor > charges) {
          assert.strictEqual(trueUp.length, 1)
          assert.strictEqual(trueUp[0]!.amount, floor - charges)
          assert.strictEqual(committed.subtotal, floor)
        } else assert.strictEqual(trueUp.length, 0)
      }),
    runs
  )

  it.effect.prop(
    "with the capped discount and monotone models, more usage never lowers a total, terms included",
    {
      scenario: Arbitrary.flatMap(
        withTerms({
          model: Primitives.oneOf(
            PricingArbitrary.perUnitModel,
            PricingArbitrary.packageModel,
            PricingArbitrary.graduatedModel(),
            PricingArbitrary.percentageModel
          ),
          discount: PricingArbitrary.cappedVolume
        }),
        (input) =>
          Arbitrary.map(
            Arbitrary.all(
              Array.from(input.usage.keys(), () =>
                Primitives.oneOf(Arbitrary.Constant(Decimal.zero), DecimalArbitrary.quantity)
              )
            ),
            (extras) => ({ input: { ...input, terms: { ...input.terms, prices: [] } }, extras })
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
        assert.isTrue(before.total <= after.total, `${before.total} > ${after.total}`)
      }),
    runs
  )
})
