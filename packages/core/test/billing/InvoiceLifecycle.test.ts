import { assert, describe, it } from "@effect/vitest"
import { DateTime, Effect } from "effect"
import { Invoice, InvoiceLifecycle } from "../../src/index.ts"
import { priceReferenceSync } from "../fixtures.ts"

const issuedAt = DateTime.makeUnsafe("2026-11-01T00:00:00Z")
const number = Invoice.formatNumber(2026, 123)
const draft = () => priceReferenceSync("standard")
const issued = () => Effect.runSync(InvoiceLifecycle.issue(draft(), { number, at: issuedAt }))

describe("InvoiceLifecycle", () => {
  it("numbers invoices INV-YYYY-NNNNNN", () => {
    assert.strictEqual(number, "INV-2026-000123")
    assert.strictEqual(Invoice.formatNumber(2027, 1234567), "INV-2027-1234567")
  })

  it.effect("draft → issued sets the number and a net-30 due date", () =>
    Effect.gen(function* () {
      const inv = yield* InvoiceLifecycle.issue(draft(), { number, at: issuedAt })
      assert.strictEqual(inv.status, "issued")
      assert.strictEqual(inv.number, "INV-2026-000123")
      assert.strictEqual(DateTime.formatIso(inv.dueAt!), "2026-12-01T00:00:00.000Z")
    })
  )

  it.effect("custom terms: net 45", () =>
    Effect.gen(function* () {
      const inv = yield* InvoiceLifecycle.issue(
        { ...draft(), netDays: 45 },
        {
          number,
          at: issuedAt
        }
      )
      assert.strictEqual(DateTime.formatIso(inv.dueAt!), "2026-12-16T00:00:00.000Z")
    })
  )

  it.effect("issued → paid records the payment", () =>
    Effect.gen(function* () {
      const at = DateTime.makeUnsafe("2026-11-20T00:00:00Z")
      const inv = yield* InvoiceLifecycle.markPaid(issued(), { at, reference: "wire-7781" })
      assert.strictEqual(inv.status, "paid")
      assert.strictEqual(inv.paymentReference, "wire-7781")
    })
  )

  it.effect("issued → overdue only after the due date (no grace); then overdue → paid", () =>
    Effect.gen(function* () {
      const early = yield* Effect.flip(
        InvoiceLifecycle.markOverdue(issued(), {
          at: DateTime.makeUnsafe("2026-12-01T00:00:00Z"),
          graceDays: 0
        })
      )
      assert.strictEqual(early._tag, "InvoiceNotYetDue")
      const late = yield* InvoiceLifecycle.markOverdue(issued(), {
        at: DateTime.makeUnsafe("2026-12-01T00:00:01Z"),
        graceDays: 0
      })
      assert.strictEqual(late.status, "overdue")
      const paid = yield* InvoiceLifecycle.markPaid(late, {
        at: DateTime.makeUnsafe("2026-12-10T00:00:00Z"),
        reference: "card-1"
      })
      assert.strictEqual(paid.status, "paid")
    })
  )

  it.effect("a net-0 invoice is not overdue seconds after it is issued, only after the overdue grace", () =>
    Effect.gen(function* () {
      const net0 = yield* InvoiceLifecycle.issue({ ...draft(), netDays: 0 }, { number, at: issuedAt })
      assert.strictEqual(DateTime.formatIso(net0.dueAt!), DateTime.formatIso(issuedAt))
      const graceDays = 5
      const secondsLater = DateTime.add(issuedAt, { seconds: 5 })
      assert.isTrue(InvoiceLifecycle.isPastDue(net0, secondsLater))
      assert.isFalse(InvoiceLifecycle.isOverdueAt(net0, secondsLater, graceDays))
      const early = yield* Effect.flip(InvoiceLifecycle.markOverdue(net0, { at: secondsLater, graceDays }))
      assert.strictEqual(early._tag, "InvoiceNotYetDue")
      const notYet = early as InvoiceLifecycle.InvoiceNotYetDue
      assert.strictEqual(notYet.code, "INVOICE.NOT_YET_DUE")
      assert.strictEqual(DateTime.formatIso(notYet.overdueAfter), "2026-11-06T00:00:00.000Z")
      // The last instant of the grace is still not overdue; the next one is.
      const edge = DateTime.makeUnsafe("2026-11-06T00:00:00Z")
      assert.isFalse(InvoiceLifecycle.isOverdueAt(net0, edge, graceDays))
      assert.strictEqual(
        (yield* Effect.flip(InvoiceLifecycle.markOverdue(net0, { at: edge, graceDays })))._tag,
        "InvoiceNotYetDue"
      )
      const after = DateTime.add(edge, { milliseconds: 1 })
      assert.isTrue(InvoiceLifecycle.isOverdueAt(net0, after, graceDays))
      const overdue = yield* InvoiceLifecycle.markOverdue(net0, { at: after, graceDays })
      assert.strictEqual(overdue.status, "overdue")
      // A customer whose terms have no grace is overdue as soon as the due date has passed.
      assert.isTrue(InvoiceLifecycle.isOverdueAt(net0, secondsLater, 0))
    })
  )

  it.effect("issued → cancelled and overdue → cancelled keep the reason", () =>
    Effect.gen(function* () {
      const at = DateTime.makeUnsafe("2026-12-05T00:00:00Z")
      const a = yield* InvoiceLifecycle.cancel(issued(), { at, reason: "duplicate" })
      assert.strictEqual(a.cancellationReason, "duplicate")
      const overdue = yield* InvoiceLifecycle.markOverdue(issued(), { at, graceDays: 0 })
      const b = yield* InvoiceLifecycle.cancel(overdue, { at, reason: "written off" })
      assert.strictEqual(b.status, "cancelled")
    })
  )

  it.effect("every illegal move is an IllegalInvoiceTransition naming from and to", () =>
    Effect.gen(function* () {
      const at = DateTime.makeUnsafe("2027-01-05T00:00:00Z")
      const paid = yield* InvoiceLifecycle.markPaid(issued(), { at, reference: "r" })
      const cancelled = yield* InvoiceLifecycle.cancel(issued(), { at, reason: "r" })
      const attempts = [
        [draft(), InvoiceLifecycle.markPaid(draft(), { at, reference: "r" }), "paid"],
        [draft(), InvoiceLifecycle.markOverdue(draft(), { at, graceDays: 0 }), "overdue"],
        [draft(), InvoiceLifecycle.cancel(draft(), { at, reason: "r" }), "cancelled"],
        [issued(), InvoiceLifecycle.issue(issued(), { number, at }), "issued"],
        [paid, InvoiceLifecycle.markPaid(paid, { at, reference: "again" }), "paid"],
        [paid, InvoiceLifecycle.cancel(paid, { at, reason: "r" }), "cancelled"],
        [paid, InvoiceLifecycle.markOverdue(paid, { at, graceDays: 0 }), "overdue"],
        [cancelled, InvoiceLifecycle.markPaid(cancelled, { at, reference: "r" }), "paid"],
        [cancelled, InvoiceLifecycle.issue(cancelled, { number, at }), "issued"]
      ] as const
      for (const [from, attempt, to] of attempts) {
        const error = yield* Effect.flip(attempt as Effect.Effect<unknown, { _tag: string }>)
        assert.strictEqual(error._tag, "IllegalInvoiceTransition")
        const e = error as InvoiceLifecycle.IllegalInvoiceTransition
        assert.strictEqual(e.from, from.status)
        assert.strictEqual(e.to, to)
        assert.strictEqual(e.code, "INVOICE.ILLEGAL_TRANSITION")
      }
    })
  )

  it("the transition table matches the card: paid and cancelled are final", () => {
    assert.deepStrictEqual(InvoiceLifecycle.transitions.paid, [])
    assert.deepStrictEqual(InvoiceLifecycle.transitions.cancelled, [])
    assert.isTrue(InvoiceLifecycle.canTransition("overdue", "paid"))
    assert.isFalse(InvoiceLifecycle.canTransition("overdue", "issued"))
    assert.isFalse(InvoiceLifecycle.canTransition("draft", "paid"))
  })

  it("isPastDue is what an overdue sweep selects", () => {
    const inv = issued()
    assert.isFalse(InvoiceLifecycle.isPastDue(inv, DateTime.makeUnsafe("2026-12-01T00:00:00Z")))
    assert.isTrue(InvoiceLifecycle.isPastDue(inv, DateTime.makeUnsafe("2026-12-02T00:00:00Z")))
    assert.isFalse(InvoiceLifecycle.isPastDue(draft(), DateTime.makeUnsafe("2030-01-01T00:00:00Z")))
  })
})
