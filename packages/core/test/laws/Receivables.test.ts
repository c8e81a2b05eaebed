/**
 * Laws of receivables, driven by random sequences of payments, credit notes and voids against
 * random invoices: payments plus credits never exceed the total, the amount due is never negative,
 * refunds never exceed what was paid, the invoice is `paid` exactly when nothing is left due, every
 * credit note's tax split is whole, non-negative and adds up (and reverses each tax line exactly
 * once the whole invoice is credited), and a refused step is a typed error that changes nothing.
 */
import { assert, describe, it } from "@effect/vitest"
import { Arbitrary, DateTime, Effect } from "effect"
import {
  CreditNote,
  Invoice,
  InvoiceLifecycle,
  Invoicing,
  type Payment,
  PriceBook,
  Receivables,
  Tax
} from "../../src/index.ts"
import { InvoicingArbitrary, Primitives } from "../../src/testing/index.ts"

const runs = { arbitrary: { runs: 150 } }

const issued = Arbitrary.map(
  InvoicingArbitrary.invoiceInput({
    priceBook: PriceBook.referenceCard,
    tax: { policy: Tax.referenceCard, profile: {} }
  }),
  (input) =>
    Effect.runSync(
      Effect.flatMap(Invoicing.priceInvoice(input), (draft) =>
        InvoiceLifecycle.issue(draft, { number: Invoice.formatNumber(2026, 1), at: draft.createdAt })
      )
    )
)

/** A step: its kind and its amount as a share (in per mille, up to 1.2 of the total) plus a few cents. */
const Step = Arbitrary.all({
  kind: Primitives.element(["pay", "credit", "creditLine", "void"] as const),
  perMille: Primitives.int(0, 1200),
  cents: Primitives.int(-2, 2)
})

const uuid = (n: number) => `0b7c2a4e-3f1d-4c55-9a1e-${n.toString().padStart(12, "0")}`

describe("laws: Receivables", () => {
  it.effect.prop(
    "payments + credits never exceed the total; amountDue is never negative; paid iff nothing is due",
    { invoice: issued, steps: Arbitrary.array(Step, { maxLength: 10 }) },
    ({ invoice, steps }) =>
      Effect.gen(function* () {
        let account: Receivables.Account = { invoice, payments: [], creditNotes: [] }
        const at = DateTime.add(invoice.createdAt, { days: 2 })
        let n = 0
        const refusals = new Set<string>()
        for (const step of steps) {
          n += 1
          const raw = (invoice.total * BigInt(step.perMille)) / 1000n + BigInt(step.cents)
          const amount = raw < 1n ? 1n : raw
          const before = account
          const apply: Effect.Effect<Receivables.Account, { readonly _tag: string }> =
            step.kind === "pay"
              ? Effect.map(
                  Receivables.applyPayment(account, {
                    id: uuid(n) as Payment.PaymentId,
                    input: {
                      amount,
                      method: "card",
                      reference: `r${n}`,
                      paidAt: at,
                      idempotencyKey: `k${n}` as Payment.IdempotencyKey
                    },
                    at
                  }),
                  ({ payment, invoice }) => ({
                    ...account,
                    invoice,
                    payments: [...account.payments, payment]
                  })
                )
              : step.kind === "void"
                ? Effect.map(Receivables.voidInvoice(account, { reason: "void", at }), (invoice) => ({
                    ...account,
                    invoice
                  }))
                : Effect.map(
                    Receivables.applyCreditNote(account, {
                      id: uuid(n) as CreditNote.CreditNoteId,
                      number: CreditNote.formatNumber(2026, n),
                      input:
                        step.kind === "credit" || invoice.lines.length === 0
                          ? { reason: "credit", amount }
                          : { reason: "credit", lines: [{ description: "line", invoiceLine: 1, amount }] },
                      at
                    }),
                    ({ creditNote, invoice }) => ({
                      ...account,
                      invoice,
                      creditNotes: [...account.creditNotes, creditNote]
                    })
                  )
          const result = yield* Effect.result(apply)
          if (result._tag === "Success") account = result.success
          else {
            assert.strictEqual(account, before, "a refused step changes nothing")
            refusals.add(result.failure._tag)
          }

          const total = account.invoice.total
          const paid = Receivables.paid(account)
          const credited = Receivables.credited(account)
          const refunded = Receivables.refunded(account)
          const due = Receivables.amountDue(account)
          assert.isTrue(paid + credited <= total, "payments + credits never exceed the total")
          assert.isTrue(Receivables.creditTotal(account) <= total, "credit notes never exceed the total")
          assert.isTrue(due >= 0n, "amountDue is never negative")
          assert.isTrue(refunded <= paid, "refunds never exceed payments")
          for (const c of account.creditNotes) {
            assert.strictEqual(c.credited + c.refunded, c.amount)
            // The tax split: whole, never negative, adding up with the net to the note's amount.
            assert.isNotNull(c.taxLines)
            assert.strictEqual(c.taxLines!.length, account.invoice.taxLines.length)
            for (const t of c.taxLines!) assert.isTrue(t.amount >= 0n, "a note's tax part is never negative")
            assert.strictEqual(
              c.tax,
              c.taxLines!.reduce((a, t) => a + t.amount, 0n)
            )
            assert.isTrue(c.net! >= 0n, "a note's net is never negative")
            assert.strictEqual(c.tax! + c.net!, c.amount)
            assert.strictEqual(
              c.lines.reduce((a, l) => a + l.amount, 0n),
              c.amount
            )
          }
          if (Receivables.creditTotal(account) === total)
            for (const [i, line] of account.invoice.taxLines.entries())
              assert.strictEqual(
                account.creditNotes.reduce((a, c) => a + c.taxLines![i]!.amount, 0n),
                line.amount,
                "crediting the whole invoice reverses each tax line exactly"
              )
          if (account.invoice.status === "paid") assert.strictEqual(due, 0n, "paid means nothing due")
          if (account.invoice.status === "issued" && total > 0n)
            assert.isTrue(due > 0n, "open means something due")
          if (account.invoice.status === "cancelled")
            assert.strictEqual(paid - refunded, 0n, "no money on a void")
          assert.deepStrictEqual(Invoice.reconciliationErrors(account.invoice), [])
        }
        // Every refusal is one of the typed errors of receivables.
        for (const tag of refusals)
          assert.include(
            [
              "Overpayment",
              "InvoiceNotOpen",
              "CreditExceedsInvoiced",
              "InvoiceHasPayments",
              "IllegalInvoiceTransition"
            ],
            tag
          )
      }),
    runs
  )
})
