import { assert, describe, it } from "@effect/vitest"
import { DateTime, Effect } from "effect"
import { CreditNote, Invoice, InvoiceLifecycle, Payment, Receivables } from "../../src/index.ts"
import { priceReferenceSync } from "../fixtures.ts"

const issuedAt = DateTime.makeUnsafe("2026-11-01T00:00:00Z")
const now = DateTime.makeUnsafe("2026-11-10T00:00:00Z")
const issued = () =>
  Effect.runSync(
    InvoiceLifecycle.issue(priceReferenceSync("standard", { api_calls: "150000" }), {
      number: Invoice.formatNumber(2026, 1),
      at: issuedAt
    })
  )
const account = (invoice = issued()): Receivables.Account => ({ invoice, payments: [], creditNotes: [] })

let ids = 0
const nextId = () => `0b7c2a4e-3f1d-4c55-9a1e-${(++ids).toString().padStart(12, "0")}`

const payInput = (amount: bigint, key = `key-${amount}-${ids}`): Payment.PaymentInput => ({
  amount,
  method: "bank_transfer",
  reference: `wire ${key}`,
  paidAt: DateTime.makeUnsafe("2026-11-05T12:00:00Z"),
  idempotencyKey: key as Payment.IdempotencyKey
})

const pay = (acc: Receivables.Account, amount: bigint) =>
  Effect.map(
    Receivables.applyPayment(acc, { id: nextId() as Payment.PaymentId, input: payInput(amount), at: now }),
    ({ payment, invoice }): Receivables.Account => ({ ...acc, invoice, payments: [...acc.payments, payment] })
  )

const credit = (acc: Receivables.Account, input: CreditNote.CreditNoteInput, sequence = 1) =>
  Effect.map(
    Receivables.applyCreditNote(acc, {
      id: nextId() as CreditNote.CreditNoteId,
      number: CreditNote.formatNumber(2026, sequence),
      input,
      at: now
    }),
    ({ creditNote, invoice }) => ({
      account: { ...acc, invoice, creditNotes: [...acc.creditNotes, creditNote] } as Receivables.Account,
      creditNote
    })
  )

describe("Receivables", () => {
  it("numbers credit notes CN-YYYY-NNNNNN", () => {
    assert.strictEqual(CreditNote.formatNumber(2026, 1), "CN-2026-000001")
    assert.strictEqual(CreditNote.formatNumber(2027, 1234567), "CN-2027-1234567")
  })

  it.effect("a partial payment reduces the amount due; the rest pays the invoice", () =>
    Effect.gen(function* () {
      const start = account()
      const total = start.invoice.total
      assert.isTrue(total > 100n)
      assert.strictEqual(Receivables.amountDue(start), total)
      const part = total / 3n
      const afterPart = yield* pay(start, part)
      assert.strictEqual(afterPart.invoice.status, "issued")
      assert.strictEqual(Receivables.amountDue(afterPart), total - part)
      const afterRest = yield* pay(afterPart, total - part)
      assert.strictEqual(afterRest.invoice.status, "paid")
      assert.strictEqual(Receivables.amountDue(afterRest), 0n)
      assert.strictEqual(DateTime.formatIso(afterRest.invoice.paidAt!), "2026-11-05T12:00:00.000Z")
      assert.strictEqual(afterRest.invoice.paymentReference, afterRest.payments[1]!.reference)
    })
  )

  it.effect(
    "an overpayment is refused with the amount due; so is a payment on a paid or voided invoice",
    () =>
      Effect.gen(function* () {
        const start = account()
        const over = yield* Effect.flip(pay(start, start.invoice.total + 1n))
        assert.strictEqual(over._tag, "Overpayment")
        assert.strictEqual(over.code, "PAYMENT.OVERPAYMENT")
        if (over._tag === "Overpayment") assert.strictEqual(over.amountDue, start.invoice.total.toString())
        const paidUp = yield* pay(start, start.invoice.total)
        const again = yield* Effect.flip(pay(paidUp, 1n))
        assert.strictEqual(again._tag, "InvoiceNotOpen")
        const voided = yield* Receivables.voidInvoice(start, { reason: "issued in error", at: now })
        const onVoid = yield* Effect.flip(pay({ ...start, invoice: voided }, 1n))
        assert.strictEqual(onVoid._tag, "InvoiceNotOpen")
        const draft = yield* Effect.flip(pay(account(priceReferenceSync("standard")), 1n))
        assert.strictEqual(draft._tag, "InvoiceNotOpen")
      })
  )

  it.effect("a payment dated after now is refused", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        Receivables.applyPayment(account(), {
          id: nextId() as Payment.PaymentId,
          input: { ...payInput(1n), paidAt: DateTime.add(now, { seconds: 1 }) },
          at: now
        })
      )
      assert.strictEqual(error._tag, "PaymentInFuture")
    })
  )

  it.effect(
    "void: cancelled with the reason and the number kept; refused with money received or when paid",
    () =>
      Effect.gen(function* () {
        const start = account()
        const voided = yield* Receivables.voidInvoice(start, { reason: "duplicate", at: now })
        assert.strictEqual(voided.status, "cancelled")
        assert.strictEqual(voided.number, start.invoice.number)
        assert.strictEqual(voided.cancellationReason, "duplicate")
        assert.strictEqual(Receivables.amountDue({ ...start, invoice: voided }), 0n)
        const twice = yield* Effect.flip(
          Receivables.voidInvoice({ ...start, invoice: voided }, { reason: "x", at: now })
        )
        assert.strictEqual(twice._tag, "IllegalInvoiceTransition")

        const part = yield* pay(start, 100n)
        const withMoney = yield* Effect.flip(Receivables.voidInvoice(part, { reason: "x", at: now }))
        assert.strictEqual(withMoney._tag, "InvoiceHasPayments")
        if (withMoney._tag === "InvoiceHasPayments") assert.strictEqual(withMoney.paid, "100")

        const paidUp = yield* pay(start, start.invoice.total)
        const onPaid = yield* Effect.flip(Receivables.voidInvoice(paidUp, { reason: "x", at: now }))
        assert.strictEqual(onPaid._tag, "IllegalInvoiceTransition")
      })
  )

  it.effect("a credit note reduces the amount due; crediting the rest marks the invoice paid", () =>
    Effect.gen(function* () {
      const start = account()
      const total = start.invoice.total
      const first = yield* credit(start, { reason: "service outage", amount: 500n })
      assert.strictEqual(first.creditNote.credited, 500n)
      assert.strictEqual(first.creditNote.refunded, 0n)
      assert.strictEqual(first.creditNote.lines.length, 1)
      assert.strictEqual(first.creditNote.lines[0]!.description, "service outage")
      assert.strictEqual(Receivables.amountDue(first.account), total - 500n)
      const rest = yield* credit(first.account, { reason: "waived", amount: total - 500n }, 2)
      assert.strictEqual(rest.account.invoice.status, "paid")
      assert.strictEqual(rest.account.invoice.paymentReference, "CN-2026-000002")
      assert.strictEqual(Receivables.amountDue(rest.account), 0n)
      const beyond = yield* Effect.flip(credit(rest.account, { reason: "more", amount: 1n }, 3))
      assert.strictEqual(beyond._tag, "CreditExceedsInvoiced")
      if (beyond._tag === "CreditExceedsInvoiced") assert.strictEqual(beyond.available, "0")
    })
  )

  it.effect(
    "a refund note (the money went back) is refunded whole, leaves the amount due as it was, and never exceeds what was received net of refunds",
    () =>
      Effect.gen(function* () {
        const start = account()
        const total = start.invoice.total
        const part = total / 2n
        const partPaid = yield* pay(start, part)
        assert.strictEqual(Receivables.refundable(start), 0n)
        assert.strictEqual(Receivables.refundable(partPaid), part)
        const refund = (acc: Receivables.Account, amount: bigint, sequence: number) =>
          Effect.map(
            Receivables.applyCreditNote(acc, {
              id: nextId() as CreditNote.CreditNoteId,
              number: CreditNote.formatNumber(2026, sequence),
              input: { reason: "Refunded through Stripe (re_1)", amount },
              at: now,
              refund: true
            }),
            ({ creditNote, invoice }) => ({
              account: {
                ...acc,
                invoice,
                creditNotes: [...acc.creditNotes, creditNote]
              } as Receivables.Account,
              creditNote
            })
          )
        // Nothing was paid yet: nothing can go back, even though the whole invoice is creditable.
        const none = yield* Effect.flip(refund(start, 1n, 1))
        assert.strictEqual(none._tag, "RefundExceedsReceived")
        // Part paid: a refund of 100 is refunded whole; the amount due does not move.
        const { account: once, creditNote } = yield* refund(partPaid, 100n, 1)
        assert.deepStrictEqual([creditNote.credited, creditNote.refunded], [0n, 100n])
        assert.strictEqual(Receivables.amountDue(once), Receivables.amountDue(partPaid))
        assert.strictEqual(once.invoice.status, "issued")
        assert.strictEqual(Receivables.refundable(once), part - 100n)
        // One minor unit more than is left to refund is refused, exactly that much is not.
        const over = yield* Effect.flip(refund(once, part - 99n, 2))
        assert.deepStrictEqual(
          over,
          new Receivables.RefundExceedsReceived({
            invoiceId: start.invoice.id,
            requested: (part - 99n).toString(),
            refundable: (part - 100n).toString()
          })
        )
        assert.strictEqual(over.code, "CREDIT_NOTE.REFUND_EXCEEDS_RECEIVED")
        const { account: all } = yield* refund(once, part - 100n, 2)
        assert.strictEqual(Receivables.refundable(all), 0n)
        // A paid invoice: everything received may go back, and it stays paid.
        const paid = yield* pay(start, total)
        assert.strictEqual(Receivables.refundable(paid), total)
        const { account: back } = yield* refund(paid, total, 3)
        assert.deepStrictEqual([back.invoice.status, Receivables.amountDue(back)], ["paid", 0n])
      })
  )

  it.effect("a credit note on a paid invoice is a refund, never beyond what was invoiced", () =>
    Effect.gen(function* () {
      const start = account()
      const total = start.invoice.total
      const part = yield* pay(start, total - 1000n)
      // 1000 still due: a note of 1500 credits 1000 and refunds 500.
      const split = yield* credit(part, { reason: "goodwill", amount: 1500n })
      assert.strictEqual(split.creditNote.credited, 1000n)
      assert.strictEqual(split.creditNote.refunded, 500n)
      assert.strictEqual(split.account.invoice.status, "paid")
      assert.strictEqual(Receivables.amountDue(split.account), 0n)
      const refund = yield* credit(split.account, { reason: "refund", amount: total - 1500n }, 2)
      assert.strictEqual(refund.creditNote.refunded, total - 1500n)
      assert.strictEqual(Receivables.refunded(refund.account), total - 1000n)
      assert.strictEqual(Receivables.refunded(refund.account), Receivables.paid(refund.account))
      const beyond = yield* Effect.flip(credit(refund.account, { reason: "more", amount: 1n }, 3))
      assert.strictEqual(beyond._tag, "CreditExceedsInvoiced")
    })
  )

  it.effect(
    "credit note lines: limited to the named invoice line's net amount; an unknown line is refused",
    () =>
      Effect.gen(function* () {
        const start = account()
        const line = start.invoice.lines[0]!
        const net = line.amount - line.discount
        const ok = yield* credit(start, {
          reason: "line credit",
          lines: [
            { description: "half of line 1", invoiceLine: line.position, amount: net / 2n },
            { description: "general", amount: 1n }
          ]
        })
        assert.strictEqual(ok.creditNote.amount, net / 2n + 1n)
        assert.deepStrictEqual(
          ok.creditNote.lines.map((l) => [l.position, l.invoiceLine, l.amount]),
          [
            [1, line.position, net / 2n],
            [2, null, 1n]
          ]
        )
        const tooMuch = yield* Effect.flip(
          credit(ok.account, {
            reason: "again",
            lines: [{ description: "rest plus one", invoiceLine: line.position, amount: net - net / 2n + 1n }]
          })
        )
        assert.strictEqual(tooMuch._tag, "CreditExceedsInvoiced")
        if (tooMuch._tag === "CreditExceedsInvoiced") {
          assert.strictEqual(tooMuch.invoiceLine, line.position)
          assert.strictEqual(tooMuch.available, (net - net / 2n).toString())
        }
        const unknown = yield* Effect.flip(
          credit(start, { reason: "x", lines: [{ description: "x", invoiceLine: 99, amount: 1n }] })
        )
        assert.strictEqual(unknown._tag, "UnknownInvoiceLine")
        const onDraft = yield* Effect.flip(
          credit(account(priceReferenceSync("standard")), { reason: "x", amount: 1n })
        )
        assert.strictEqual(onDraft._tag, "InvoiceNotOpen")
      })
  )

  it("an idempotent replay is the same request; any other body is not", () => {
    const input = payInput(700n, "k-1")
    const payment: Payment.Payment = {
      id: nextId() as Payment.PaymentId,
      invoiceId: issued().id,
      customerId: issued().customerId,
      currency: "USD",
      amount: 700n,
      method: input.method,
      reference: input.reference,
      paidAt: input.paidAt,
      idempotencyKey: input.idempotencyKey,
      recordedAt: now
    }
    assert.isTrue(Payment.sameRequest(payment, payment.invoiceId, input))
    assert.isFalse(Payment.sameRequest(payment, payment.invoiceId, { ...input, amount: 701n }))
    assert.isFalse(Payment.sameRequest(payment, payment.invoiceId, { ...input, method: "card" }))
    assert.isFalse(Payment.sameRequest(payment, payment.invoiceId, { ...input, paidAt: now }))
    assert.isFalse(
      Payment.sameRequest(
        payment,
        "0b7c2a4e-3f1d-4c55-9a1e-00000000ffff" as Payment.Payment["invoiceId"],
        input
      )
    )
  })
})
