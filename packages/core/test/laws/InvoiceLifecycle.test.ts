/**
 * Laws of the invoice state machine, driven by random sequences of moves at random times: no
 * sequence reaches a state the machine does not allow, a refused move is a typed error that leaves
 * the invoice as it was, and the final states accept nothing.
 */
import { assert, describe, it } from "@effect/vitest"
import { Arbitrary, DateTime, Effect } from "effect"
import { Invoice, InvoiceLifecycle, Invoicing, PriceBook, Tax } from "../../src/index.ts"
import { InvoicingArbitrary, Primitives } from "../../src/testing/index.ts"

const runs = { arbitrary: { runs: 150 } }

const Move = Primitives.element(["issue", "pay", "overdue", "cancel"] as const)
type Move = typeof Move extends Arbitrary.Arbitrary<infer A> ? A : never

/** A move and how long after the previous one it happens (up to 45 days, so net terms can lapse). */
const step = Arbitrary.all({ move: Move, hoursLater: Primitives.int(0, 45 * 24) })

/** A draft invoice of a generated month priced by the reference card. */
const draft = Arbitrary.map(
  InvoicingArbitrary.invoiceInput({
    priceBook: PriceBook.referenceCard,
    tax: { policy: Tax.referenceCard, profile: {} }
  }),
  (input) => Effect.runSync(Invoicing.priceInvoice(input))
)

const apply = (invoice: Invoice.Invoice, move: Move, at: DateTime.Utc, graceDays = 0) => {
  switch (move) {
    case "issue":
      return InvoiceLifecycle.issue(invoice, { number: Invoice.formatNumber(2026, 1), at })
    case "pay":
      return InvoiceLifecycle.markPaid(invoice, { at, reference: "wire-1" })
    case "overdue":
      return InvoiceLifecycle.markOverdue(invoice, { at, graceDays })
    case "cancel":
      return InvoiceLifecycle.cancel(invoice, { at, reason: "customer request" })
  }
}

const target: Record<Move, Invoice.InvoiceStatus> = {
  issue: "issued",
  pay: "paid",
  overdue: "overdue",
  cancel: "cancelled"
}

/** What must hold of an invoice in each state, whatever path led there. */
const assertConsistent = (invoice: Invoice.Invoice) => {
  const issued = invoice.status !== "draft"
  assert.strictEqual(invoice.number !== null, issued, "number iff issued")
  assert.strictEqual(invoice.issuedAt !== null, issued, "issuedAt iff issued")
  assert.strictEqual(invoice.dueAt !== null, issued, "dueAt iff issued")
  assert.strictEqual(invoice.paidAt !== null, invoice.status === "paid", "paidAt iff paid")
  assert.strictEqual(
    invoice.cancelledAt !== null,
    invoice.status === "cancelled",
    "cancelledAt iff cancelled"
  )
  if (invoice.overdueAt !== null) assert.isTrue(DateTime.isGreaterThan(invoice.overdueAt, invoice.dueAt!))
  // Moving through states never touches the money.
  assert.deepStrictEqual(Invoice.reconciliationErrors(invoice), [])
}

describe("laws: InvoiceLifecycle", () => {
  it.effect.prop(
    "random sequences of moves never reach an illegal state; refused moves are typed errors that change nothing",
    { invoice: draft, steps: Arbitrary.array(step, { maxLength: 12 }), graceDays: Primitives.int(0, 10) },
    ({ invoice, steps, graceDays }) =>
      Effect.gen(function* () {
        let current = invoice
        let at = invoice.createdAt
        for (const { move, hoursLater } of steps) {
          at = DateTime.add(at, { hours: hoursLater })
          const result = yield* Effect.result(apply(current, move, at, graceDays))
          if (result._tag === "Success") {
            assert.isTrue(InvoiceLifecycle.canTransition(current.status, result.success.status))
            assert.strictEqual(result.success.status, target[move])
            assert.strictEqual(result.success.total, current.total)
            // Overdue only once the due date plus the customer's grace has passed.
            if (move === "overdue")
              assert.isTrue(DateTime.isGreaterThan(at, InvoiceLifecycle.overdueAfter(current, graceDays)!))
            current = result.success
          } else if (result.failure._tag === "IllegalInvoiceTransition") {
            assert.isFalse(InvoiceLifecycle.canTransition(current.status, target[move]))
            assert.strictEqual(result.failure.code, "INVOICE.ILLEGAL_TRANSITION")
          } else {
            // The only other refusal: overdue before the due date plus the grace has passed.
            assert.strictEqual(move, "overdue")
            assert.strictEqual(current.status, "issued")
            assert.isFalse(DateTime.isGreaterThan(at, InvoiceLifecycle.overdueAfter(current, graceDays)!))
          }
          assertConsistent(current)
        }
      }),
    runs
  )

  it.effect.prop(
    "paid and cancelled are final: every move from them is an IllegalInvoiceTransition",
    {
      invoice: draft,
      ending: Primitives.element(["pay", "cancel"] as const),
      move: Move,
      hoursLater: Primitives.int(0, 1000 * 24)
    },
    ({ invoice, ending, move, hoursLater }) =>
      Effect.gen(function* () {
        const issued = yield* apply(invoice, "issue", invoice.createdAt)
        const final = yield* apply(issued, ending, DateTime.add(invoice.createdAt, { hours: 1 }))
        assert.deepStrictEqual(InvoiceLifecycle.transitions[final.status], [])
        const error = yield* Effect.flip(
          apply(final, move, DateTime.add(invoice.createdAt, { hours: hoursLater }))
        )
        assert.strictEqual(error._tag, "IllegalInvoiceTransition")
      }),
    runs
  )
})
