/**
 * `ReceivablesRepo` on PostgreSQL (migration 0015): an invoice's payments and credit notes, read
 * and written through their row definitions (`rows/PaymentRow`, `rows/CreditNoteRow`). The account
 * of an invoice is read after `SELECT … FOR UPDATE` of its row when asked to lock, so the
 * decisions about one invoice's money are taken one after another.
 */
import { type CreditNote, type Ids, type Payment, PersistenceError, ReceivablesRepo } from "@securebase/core"
import { Array as Arr, Effect, Layer, Option } from "effect"
import { SqlClient } from "effect/sql"
import * as PgInvoiceRepo from "./PgInvoiceRepo.ts"
import * as CreditNoteRow from "./rows/CreditNoteRow.ts"
import * as PaymentRow from "./rows/PaymentRow.ts"
import { mapRead, mapWrite } from "./SqlErrors.ts"

/** Builds the repository over the current `SqlClient`. */
export const make = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const invoices = yield* PgInvoiceRepo.make
  const payments = sql.unsafe(PaymentRow.columns)
  const notes = sql.unsafe(CreditNoteRow.columns)
  const lines = sql.unsafe(CreditNoteRow.lineColumns)

  const account = (invoiceId: Ids.InvoiceId, options: { readonly lock: boolean }) =>
    Effect.gen(function* () {
      if (options.lock) {
        const locked = yield* mapRead("ReceivablesRepo.account")(
          sql`SELECT id FROM invoices WHERE id = ${invoiceId} FOR UPDATE`
        )
        if (locked.length === 0)
          return yield* new PersistenceError.NotFound({ entity: "invoice", key: invoiceId })
      }
      const invoice = yield* invoices.findById(invoiceId)
      return yield* mapRead("ReceivablesRepo.account")(
        Effect.gen(function* () {
          const paymentRows = yield* sql`SELECT ${payments} FROM payments p
            WHERE p.customer_id = ${invoice.customerId} AND p.invoice_id = ${invoiceId} ORDER BY p.recorded_at, p.id`
          const noteRows = yield* sql`SELECT ${notes} FROM credit_notes c
            WHERE c.customer_id = ${invoice.customerId} AND c.invoice_id = ${invoiceId} ORDER BY c.number`
          const lineRows = yield* sql`SELECT ${lines} FROM credit_note_lines l
            JOIN credit_notes c ON c.id = l.credit_note_id AND c.customer_id = l.customer_id
            WHERE c.customer_id = ${invoice.customerId} AND c.invoice_id = ${invoiceId}`
          return {
            invoice,
            payments: yield* Effect.forEach(paymentRows, PaymentRow.read),
            creditNotes: yield* CreditNoteRow.read(noteRows, lineRows)
          }
        })
      )
    }).pipe(Effect.withSpan("ReceivablesRepo.account"))

  const paymentByKey = (customerId: Ids.CustomerId, key: Payment.IdempotencyKey) =>
    mapRead("ReceivablesRepo.paymentByKey")(
      Effect.gen(function* () {
        // Keys are unique per customer; the worker sees every customer's rows, so name it.
        const rows = yield* sql`SELECT ${payments} FROM payments p
          WHERE p.customer_id = ${customerId} AND p.idempotency_key = ${key}`
        return rows.length === 0 ? Option.none() : Option.some(yield* PaymentRow.read(rows[0]))
      })
    ).pipe(Effect.withSpan("ReceivablesRepo.paymentByKey"))

  const insertPayment = (payment: Payment.Payment) =>
    Effect.gen(function* () {
      // ON CONFLICT waits for a concurrent holder of the key to finish, then skips the row: the
      // transaction goes on and reads the payment that won.
      const inserted = yield* sql`
        INSERT INTO payments ${sql.insert(PaymentRow.write(payment))}
        ON CONFLICT ON CONSTRAINT payments_idempotency_key DO NOTHING
        RETURNING id`.pipe(mapWrite("payment", payment.id, "insert"))
      if (inserted.length === 1) return { _tag: "Inserted" } as const
      const existing = yield* paymentByKey(payment.customerId, payment.idempotencyKey)
      if (Option.isNone(existing))
        return yield* new PersistenceError.PersistenceFailure({
          operation: "ReceivablesRepo.insertPayment",
          kind: "ConflictWithoutRow"
        })
      return { _tag: "Exists", payment: existing.value } as const
    }).pipe(
      Effect.catchTag("AlreadyExists", () =>
        Effect.fail(
          new PersistenceError.PersistenceFailure({
            operation: "ReceivablesRepo.insertPayment",
            kind: "UniqueViolation"
          })
        )
      ),
      Effect.withSpan("ReceivablesRepo.insertPayment")
    )

  const insertCreditNote = (note: CreditNote.CreditNote) =>
    Effect.gen(function* () {
      yield* sql`INSERT INTO credit_notes ${sql.insert(CreditNoteRow.write(note))}`
      const rows = CreditNoteRow.writeLines(note)
      if (Arr.isReadonlyArrayNonEmpty(rows)) yield* sql`INSERT INTO credit_note_lines ${sql.insert(rows)}`
      return note
    }).pipe(mapWrite("credit_note", note.id, "insert"), Effect.withSpan("ReceivablesRepo.insertCreditNote"))

  const creditNoteById = (id: CreditNote.CreditNoteId) =>
    Effect.gen(function* () {
      const noteRows = yield* mapRead("ReceivablesRepo.creditNoteById")(
        sql`SELECT ${notes} FROM credit_notes c WHERE c.id = ${id}`
      )
      if (noteRows.length === 0)
        return yield* new PersistenceError.NotFound({ entity: "credit_note", key: id })
      const [note] = yield* mapRead("ReceivablesRepo.creditNoteById")(
        Effect.flatMap(
          sql`SELECT ${lines} FROM credit_note_lines l WHERE l.credit_note_id = ${id}`,
          (lineRows) => CreditNoteRow.read(noteRows, lineRows)
        )
      )
      return note!
    }).pipe(Effect.withSpan("ReceivablesRepo.creditNoteById"))

  return ReceivablesRepo.ReceivablesRepo.of({
    account,
    paymentByKey,
    insertPayment,
    insertCreditNote,
    creditNoteById
  })
})

/** `ReceivablesRepo` on the current `SqlClient`. */
export const layer: Layer.Layer<ReceivablesRepo.ReceivablesRepo, never, SqlClient.SqlClient> = Layer.effect(
  ReceivablesRepo.ReceivablesRepo,
  make
)
