/**
 * Receivables on PostgreSQL (migration 0015), on PGlite and on the real server: payments (partial,
 * idempotent by key under concurrency), void, credit notes with gap-free `CN-` numbers under
 * concurrency, audit in the same transaction, and row-level security on the new tables.
 */
import { assert } from "@effect/vitest"
import {
  AuditLog,
  CreditNote,
  CustomerRepo,
  Decimal,
  type Ids,
  Invoice,
  InvoiceDirectory,
  InvoiceLifecycle,
  InvoiceRepo,
  IssueCreditNote,
  Payment,
  Receivables,
  RecordPayment,
  Tenancy,
  VoidInvoice
} from "@securebase/core"
import { DateTime, Effect, Layer, Option, Schema } from "effect"
import { SqlClient } from "effect/sql"
import type { SqlError } from "effect/sql/SqlError"
import * as PgBilling from "../../src/postgres/PgBilling.ts"
import * as PgCreditNoteNumbers from "../../src/postgres/PgCreditNoteNumbers.ts"
import * as PgInvoiceDirectory from "../../src/postgres/PgInvoiceDirectory.ts"
import * as PgReceivablesRepo from "../../src/postgres/PgReceivablesRepo.ts"
import * as Fixtures from "./support/Fixtures.ts"
import { suite } from "./support/TestDatabase.ts"

const layer = Layer.mergeAll(
  PgReceivablesRepo.layer,
  PgCreditNoteNumbers.layer,
  PgBilling.layer,
  PgInvoiceDirectory.layer
).pipe(Layer.provideMerge(Fixtures.adapters))

// Compared encoded, as Repositories.test.ts compares invoices: a note's tax rate is a BigDecimal,
// whose lazily cached normal form differs between the issued note and the one read back.
const encodeNote = Schema.encodeSync(CreditNote.CreditNote)

let sequence = 0
/** A customer with one issued invoice (an invoice number of its own, far from the billing run's). */
const issuedInvoice = Effect.gen(function* () {
  const tenancy = yield* Tenancy.Tenancy
  const customerId = Fixtures.customerId()
  sequence += 1
  const number = Invoice.formatNumber(2090, Math.floor(Math.random() * 1e9) * 100 + sequence)
  const invoice = yield* InvoiceLifecycle.issue(yield* Fixtures.draftInvoice(customerId), {
    number,
    at: DateTime.makeUnsafe("2026-11-01T00:00:00Z")
  })
  yield* tenancy.runAs(
    customerId,
    Effect.gen(function* () {
      yield* CustomerRepo.CustomerRepo.use((r) => r.insert(Fixtures.customer(customerId)))
      yield* InvoiceRepo.InvoiceRepo.use((r) => r.insert(invoice))
    })
  )
  return { customerId, invoice }
})

const payment = (amount: bigint, key: string, reference = `wire ${key}`): Payment.PaymentInput => ({
  amount,
  method: "bank_transfer",
  reference,
  paidAt: DateTime.makeUnsafe("2026-11-05T10:00:00Z"),
  idempotencyKey: Schema.decodeSync(Payment.IdempotencyKey)(key)
})

const actions = (customerId: Ids.CustomerId) =>
  Effect.flatMap(Tenancy.Tenancy, (t) =>
    t.runAs(
      customerId,
      Effect.map(
        AuditLog.AuditLog.use((a) => a.list(customerId)),
        (events) => events.map((e) => e.action as string)
      )
    )
  )

const verify = (customerId: Ids.CustomerId) =>
  Effect.flatMap(Tenancy.Tenancy, (t) =>
    t.runAs(
      customerId,
      AuditLog.AuditLog.use((a) => a.verify(customerId))
    )
  )

/** The SqlError reason of a refused statement (or the tag of any other failure). */
const reason = <A, E extends { readonly _tag: string }, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.match(effect, {
    onFailure: (e) => (e._tag === "SqlError" ? (e as unknown as SqlError).reason._tag : e._tag),
    onSuccess: () => "succeeded"
  })

suite("Receivables", (it) => {
  it.effect("a partial payment, then the rest: amount due to the cent, paid, audited in the chain", () =>
    Effect.gen(function* () {
      const { customerId, invoice } = yield* issuedInvoice
      const total = invoice.total
      const part = total / 3n
      const first = yield* RecordPayment.record(customerId, invoice.id, payment(part, "p-1"))
      assert.isFalse(first.replayed)
      assert.strictEqual(Receivables.amountDue(first.account), total - part)
      assert.strictEqual(first.account.invoice.status, "issued")
      const second = yield* RecordPayment.record(customerId, invoice.id, payment(total - part, "p-2"))
      assert.strictEqual(Receivables.amountDue(second.account), 0n)
      assert.strictEqual(second.account.invoice.status, "paid")

      const stored = yield* Effect.flatMap(Tenancy.Tenancy, (t) =>
        t.runAs(
          customerId,
          PgReceivablesRepo.make.pipe(Effect.flatMap((r) => r.account(invoice.id, { lock: false })))
        )
      )
      assert.deepStrictEqual(
        stored.payments.map((p) => [p.amount, p.idempotencyKey, p.method]),
        [
          [part, "p-1", "bank_transfer"],
          [total - part, "p-2", "bank_transfer"]
        ]
      )
      assert.strictEqual(stored.invoice.status, "paid")
      assert.strictEqual(DateTime.formatIso(stored.invoice.paidAt!), "2026-11-05T10:00:00.000Z")
      assert.deepStrictEqual(yield* actions(customerId), [
        "invoice.payment_recorded",
        "invoice.payment_recorded",
        "invoice.paid"
      ])
      assert.strictEqual((yield* verify(customerId))._tag, "ChainIntact")
    }).pipe(Effect.provide(layer))
  )

  it.effect(
    "an overpayment is refused and stores nothing; the database refuses one written around the core",
    () =>
      Effect.gen(function* () {
        const { customerId, invoice } = yield* issuedInvoice
        const error = yield* Effect.flip(
          RecordPayment.record(customerId, invoice.id, payment(invoice.total + 1n, "over"))
        )
        assert.strictEqual(error._tag, "Overpayment")
        assert.deepStrictEqual(yield* actions(customerId), [])
        const sql = yield* SqlClient.SqlClient
        const tenancy = yield* Tenancy.Tenancy
        const direct = yield* reason(
          tenancy.runAs(
            customerId,
            sql`INSERT INTO payments (id, customer_id, invoice_id, currency, amount, method, reference, paid_at,
                idempotency_key, recorded_at)
              VALUES (gen_random_uuid(), ${customerId}, ${invoice.id}, 'USD', ${(invoice.total + 1n).toString()}::bigint,
                'card', 'x', now(), 'direct', now())`
          )
        )
        assert.strictEqual(direct, "ConstraintError")
      }).pipe(Effect.provide(layer))
  )

  it.effect("the same key and body replays the payment; the same key with another body is refused", () =>
    Effect.gen(function* () {
      const { customerId, invoice } = yield* issuedInvoice
      const first = yield* RecordPayment.record(customerId, invoice.id, payment(1000n, "same"))
      const again = yield* RecordPayment.record(customerId, invoice.id, payment(1000n, "same"))
      assert.isTrue(again.replayed)
      assert.strictEqual(again.payment.id, first.payment.id)
      assert.strictEqual(Receivables.amountDue(again.account), invoice.total - 1000n)
      const reused = yield* Effect.flip(RecordPayment.record(customerId, invoice.id, payment(1001n, "same")))
      assert.strictEqual(reused._tag, "IdempotencyKeyReused")
      assert.deepStrictEqual(yield* actions(customerId), ["invoice.payment_recorded"])
    }).pipe(Effect.provide(layer))
  )

  it.effect(
    "10 concurrent payments with one key store one payment; every answer is that payment",
    () =>
      Effect.gen(function* () {
        const { customerId, invoice } = yield* issuedInvoice
        const results = yield* Effect.forEach(
          Array.from({ length: 10 }),
          () => RecordPayment.record(customerId, invoice.id, payment(2500n, "concurrent-key")),
          { concurrency: 10 }
        )
        assert.strictEqual(new Set(results.map((r) => r.payment.id)).size, 1)
        assert.strictEqual(results.filter((r) => !r.replayed).length, 1)
        const sql = yield* SqlClient.SqlClient
        const tenancy = yield* Tenancy.Tenancy
        const rows = yield* tenancy.runAs(
          customerId,
          sql<{ n: string; sum: string }>`SELECT count(*)::text AS n, sum(amount)::text AS sum FROM payments`
        )
        assert.deepStrictEqual(rows[0], { n: "1", sum: "2500" })
        assert.deepStrictEqual(yield* actions(customerId), ["invoice.payment_recorded"])
      }).pipe(Effect.provide(layer)),
    120_000
  )

  it.effect(
    "concurrent credit notes take gap-free CN- numbers; a refused or rolled-back note takes none",
    () =>
      Effect.gen(function* () {
        const invoices = yield* Effect.forEach(Array.from({ length: 4 }), () => issuedInvoice)
        const notes = yield* Effect.forEach(
          Array.from({ length: 12 }),
          (_, i) => {
            const { customerId, invoice } = invoices[i % invoices.length]!
            return IssueCreditNote.issue(customerId, invoice.id, { reason: `goodwill ${i}`, amount: 100n })
          },
          { concurrency: 12 }
        )
        // Refused by the core (beyond the total): no number is taken.
        const { customerId, invoice } = invoices[0]!
        const refused = yield* Effect.flip(
          IssueCreditNote.issue(customerId, invoice.id, { reason: "too much", amount: invoice.total })
        )
        assert.strictEqual(refused._tag, "CreditExceedsInvoiced")
        // Rolled back after the number was taken: the number comes back.
        const tenancy = yield* Tenancy.Tenancy
        const rolledBack = yield* Effect.flip(
          tenancy.runAs(
            customerId,
            Effect.andThen(
              PgCreditNoteNumbers.make.pipe(
                Effect.flatMap((n) => n.next(DateTime.getPartUtc(DateTime.nowUnsafe(), "year")))
              ),
              Effect.fail("then something failed" as const)
            )
          )
        )
        assert.strictEqual(rolledBack, "then something failed")
        const last = yield* IssueCreditNote.issue(customerId, invoice.id, { reason: "after", amount: 1n })

        const year = DateTime.getPartUtc(DateTime.nowUnsafe(), "year")
        const numbers = [...notes.map((n) => n.creditNote.number), last.creditNote.number].sort()
        assert.deepStrictEqual(
          numbers,
          Array.from({ length: 13 }, (_, i) => CreditNote.formatNumber(year, i + 1))
        )
        for (const n of notes) {
          assert.strictEqual(n.creditNote.credited, 100n)
          assert.strictEqual(n.creditNote.refunded, 0n)
        }
        assert.strictEqual(Receivables.amountDue(last.account), invoice.total - 3n * 100n - 1n)
        const audit = yield* actions(customerId)
        assert.deepStrictEqual(
          audit,
          Array.from({ length: 4 }, () => "credit_note.issued")
        )
        assert.strictEqual((yield* verify(customerId))._tag, "ChainIntact")
      }).pipe(Effect.provide(layer)),
    120_000
  )

  it.effect("a credit note with lines reads back whole; one on a paid invoice is a refund", () =>
    Effect.gen(function* () {
      const { customerId, invoice } = yield* issuedInvoice
      yield* RecordPayment.record(customerId, invoice.id, payment(invoice.total, "all"))
      const line = invoice.lines[0]!
      const issued = yield* IssueCreditNote.issue(customerId, invoice.id, {
        reason: "refund of a line",
        lines: [
          { description: "part of the first line", invoiceLine: line.position, amount: 700n },
          { description: "goodwill", amount: 300n }
        ]
      })
      assert.strictEqual(issued.creditNote.refunded, 1000n)
      assert.strictEqual(issued.creditNote.credited, 0n)
      const tenancy = yield* Tenancy.Tenancy
      const read = yield* tenancy.runAs(
        customerId,
        PgReceivablesRepo.make.pipe(Effect.flatMap((r) => r.creditNoteById(issued.creditNote.id)))
      )
      assert.deepStrictEqual(encodeNote(read), encodeNote(issued.creditNote))
    }).pipe(Effect.provide(layer))
  )

  it.effect(
    "a note's tax split reads back; two notes crediting the whole invoice reverse its tax exactly; a note from before 0030 has none",
    () =>
      Effect.gen(function* () {
        const { customerId, invoice } = yield* issuedInvoice
        const salesTax = invoice.taxLines[0]!
        assert.strictEqual(invoice.taxLines.length, 1)
        assert.isTrue(salesTax.amount > 0n)
        const first = yield* IssueCreditNote.issue(customerId, invoice.id, {
          reason: "a third",
          amount: invoice.total / 3n
        })
        const rest = invoice.total - invoice.total / 3n
        const second = yield* IssueCreditNote.issue(customerId, invoice.id, {
          reason: "the rest",
          amount: rest
        })
        const tenancy = yield* Tenancy.Tenancy
        const read = (id: CreditNote.CreditNoteId) =>
          tenancy.runAs(customerId, PgReceivablesRepo.make.pipe(Effect.flatMap((r) => r.creditNoteById(id))))
        const [a, b] = [yield* read(first.creditNote.id), yield* read(second.creditNote.id)]
        assert.deepStrictEqual(encodeNote(a), encodeNote(first.creditNote))
        assert.deepStrictEqual(encodeNote(b), encodeNote(second.creditNote))
        for (const n of [a, b]) {
          assert.deepStrictEqual(
            n.taxLines!.map((t) => [t.jurisdiction, t.name, Decimal.format(t.rate)]),
            [["US", "Sales tax", "0.08"]]
          )
          assert.strictEqual(n.tax! + n.net!, n.amount)
        }
        assert.strictEqual(a.tax! + b.tax!, salesTax.amount)
        assert.strictEqual(a.net! + b.net!, invoice.total - salesTax.amount)

        // A note stored before migration 0030 has no split (tax_lines NULL): it reads as null.
        const sql = yield* SqlClient.SqlClient
        yield* sql`UPDATE credit_notes SET tax_lines = NULL WHERE id = ${a.id}`
        const old = yield* read(a.id)
        assert.deepStrictEqual([old.taxLines, old.tax, old.net], [null, null, null])
        assert.strictEqual(old.amount, a.amount)
        const stored = yield* sql<{ t: string }>`SELECT jsonb_typeof(tax_lines) AS t FROM credit_notes
          WHERE id = ${b.id}`
        assert.strictEqual(stored[0]!.t, "array")
      }).pipe(Effect.provide(layer))
  )

  it.effect("void keeps the number; a paid or part-paid invoice cannot be voided", () =>
    Effect.gen(function* () {
      const { customerId, invoice } = yield* issuedInvoice
      const voided = yield* VoidInvoice.voidInvoice(customerId, invoice.id, "issued in error")
      assert.strictEqual(voided.invoice.status, "cancelled")
      const stored = yield* Effect.flatMap(Tenancy.Tenancy, (t) =>
        t.runAs(
          customerId,
          InvoiceRepo.InvoiceRepo.use((r) => r.findById(invoice.id))
        )
      )
      assert.deepStrictEqual(
        [stored.status, stored.number, stored.cancellationReason],
        ["cancelled", invoice.number, "issued in error"]
      )
      assert.deepStrictEqual(yield* actions(customerId), ["invoice.voided"])
      const onVoid = yield* Effect.flip(RecordPayment.record(customerId, invoice.id, payment(1n, "late")))
      assert.strictEqual(onVoid._tag, "InvoiceNotOpen")

      const other = yield* issuedInvoice
      yield* RecordPayment.record(other.customerId, other.invoice.id, payment(5n, "some"))
      const withMoney = yield* Effect.flip(VoidInvoice.voidInvoice(other.customerId, other.invoice.id, "x"))
      assert.strictEqual(withMoney._tag, "InvoiceHasPayments")
    }).pipe(Effect.provide(layer))
  )

  it.effect("row-level security: another customer sees none of it and cannot write into it", () =>
    Effect.gen(function* () {
      const a = yield* issuedInvoice
      const b = yield* issuedInvoice
      yield* RecordPayment.record(a.customerId, a.invoice.id, payment(10n, "a-pay"))
      yield* IssueCreditNote.issue(a.customerId, a.invoice.id, { reason: "a credit", amount: 10n })
      const tenancy = yield* Tenancy.Tenancy
      const sql = yield* SqlClient.SqlClient

      // B, by id, through the core: A's invoice does not exist for B.
      const byId = yield* Effect.flip(RecordPayment.record(b.customerId, a.invoice.id, payment(1n, "b-pay")))
      assert.strictEqual(byId._tag, "NotFound")
      const note = yield* Effect.flip(
        IssueCreditNote.issue(b.customerId, a.invoice.id, { reason: "x", amount: 1n })
      )
      assert.strictEqual(note._tag, "NotFound")
      const voided = yield* Effect.flip(VoidInvoice.voidInvoice(b.customerId, a.invoice.id, "x"))
      assert.strictEqual(voided._tag, "NotFound")

      // B, in SQL: A's rows are invisible, and writing rows for A is refused.
      const seen = yield* tenancy.runAs(
        b.customerId,
        sql<{ p: string; c: string; l: string; d: string }>`SELECT
          (SELECT count(*) FROM payments)::text AS p, (SELECT count(*) FROM credit_notes)::text AS c,
          (SELECT count(*) FROM credit_note_lines)::text AS l, (SELECT count(*) FROM dunning_steps)::text AS d`
      )
      assert.deepStrictEqual(seen[0], { p: "0", c: "0", l: "0", d: "0" })
      const forged = yield* reason(
        tenancy.runAs(
          b.customerId,
          sql`INSERT INTO payments (id, customer_id, invoice_id, currency, amount, method, reference, paid_at,
                idempotency_key, recorded_at)
              VALUES (gen_random_uuid(), ${a.customerId}, ${a.invoice.id}, 'USD', 1, 'card', 'x', now(), 'forged', now())`
        )
      )
      assert.strictEqual(forged, "AuthorizationError")
      const forgedNote = yield* reason(
        tenancy.runAs(
          b.customerId,
          sql`INSERT INTO credit_notes (id, customer_id, invoice_id, number, currency, reason, amount, credited,
                refunded, issued_at)
              VALUES (gen_random_uuid(), ${a.customerId}, ${a.invoice.id}, 'CN-2099-000001', 'USD', 'x', 1, 1, 0, now())`
        )
      )
      assert.strictEqual(forgedNote, "AuthorizationError")
      // The application role cannot move the counter but through the function.
      const counter = yield* reason(
        tenancy.runAs(b.customerId, sql`UPDATE credit_note_number_sequences SET last_value = 0`)
      )
      assert.strictEqual(counter, "AuthorizationError")
      // With no tenant context, nothing is visible.
      const none = yield* tenancy.runAs(
        b.customerId,
        Effect.andThen(
          sql`SELECT set_config('app.customer_id', '', true)`,
          sql<{
            n: string
          }>`SELECT (SELECT count(*) FROM payments) + (SELECT count(*) FROM credit_notes) AS n`
        )
      )
      assert.strictEqual(String(none[0]!.n), "0")
    }).pipe(Effect.provide(layer))
  )

  it.effect("the directory finds an invoice's customer for an operator; an unknown id has none", () =>
    Effect.gen(function* () {
      const { customerId, invoice } = yield* issuedInvoice
      const directory = yield* InvoiceDirectory.InvoiceDirectory
      assert.deepStrictEqual(yield* directory.customerOf(invoice.id), Option.some(customerId))
      assert.deepStrictEqual(yield* directory.customerOf(Fixtures.invoiceId()), Option.none())
    }).pipe(Effect.provide(layer))
  )
})
