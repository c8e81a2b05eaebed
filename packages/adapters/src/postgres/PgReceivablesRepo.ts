/**
 * `ReceivablesRepo` on PostgreSQL (migration 0015): an invoice's payments and credit notes.
 * Amounts travel as text and decode through the core's schemas, like the invoices'. The account
 * of an invoice is read after `SELECT … FOR UPDATE` of its row when asked to lock, so the
 * decisions about one invoice's money are taken one after another.
 */
import { CreditNote, type Ids, Payment, PersistenceError, ReceivablesRepo } from "@securebase/core"
import { Array as Arr, DateTime, Effect, Layer, Option, Schema } from "effect"
import { SqlClient } from "effect/sql"
import * as PgInvoiceRepo from "./PgInvoiceRepo.ts"
import { mapRead, mapWrite } from "./SqlErrors.ts"

const PaymentRow = Schema.Struct({
  id: Schema.String,
  invoice_id: Schema.String,
  customer_id: Schema.String,
  currency: Schema.String,
  amount: Schema.String,
  method: Schema.String,
  reference: Schema.String,
  paid_at: Schema.DateTimeUtcFromDate,
  idempotency_key: Schema.String,
  recorded_at: Schema.DateTimeUtcFromDate
})
const CreditNoteRow = Schema.Struct({
  id: Schema.String,
  number: Schema.String,
  invoice_id: Schema.String,
  customer_id: Schema.String,
  currency: Schema.String,
  reason: Schema.String,
  amount: Schema.String,
  credited: Schema.String,
  refunded: Schema.String,
  issued_at: Schema.DateTimeUtcFromDate
})
const LineRow = Schema.Struct({
  credit_note_id: Schema.String,
  position: Schema.Number,
  description: Schema.String,
  invoice_line: Schema.NullOr(Schema.Number),
  amount: Schema.String
})

const decodePayment = Schema.decodeUnknownEffect(Payment.Payment)
const decodeCreditNote = Schema.decodeUnknownEffect(CreditNote.CreditNote)

const toPayment = (raw: unknown) =>
  Effect.flatMap(Schema.decodeUnknownEffect(PaymentRow)(raw), (r) =>
    decodePayment({
      id: r.id,
      invoiceId: r.invoice_id,
      customerId: r.customer_id,
      currency: r.currency,
      amount: r.amount,
      method: r.method,
      reference: r.reference,
      paidAt: r.paid_at,
      idempotencyKey: r.idempotency_key,
      recordedAt: r.recorded_at
    })
  )

const paymentColumns = `id::text, invoice_id::text, customer_id::text, currency, amount::text, method, reference,
  paid_at, idempotency_key, recorded_at`
const noteColumns = `id::text, number, invoice_id::text, customer_id::text, currency, reason, amount::text,
  credited::text, refunded::text, issued_at`
const lineColumns = `credit_note_id::text, position, description, invoice_line, amount::text`

/** Builds the repository over the current `SqlClient`. */
export const make = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const invoices = yield* PgInvoiceRepo.make

  const notes = (noteRows: unknown, lineRows: unknown) =>
    Effect.gen(function* () {
      const rows = yield* Schema.decodeUnknownEffect(Schema.Array(CreditNoteRow))(noteRows)
      const lines = yield* Schema.decodeUnknownEffect(Schema.Array(LineRow))(lineRows)
      return yield* Effect.forEach(rows, (r) =>
        decodeCreditNote({
          id: r.id,
          number: r.number,
          invoiceId: r.invoice_id,
          customerId: r.customer_id,
          currency: r.currency,
          reason: r.reason,
          lines: lines
            .filter((l) => l.credit_note_id === r.id)
            .sort((a, b) => a.position - b.position)
            .map((l) => ({
              position: l.position,
              description: l.description,
              invoiceLine: l.invoice_line,
              amount: l.amount
            })),
          amount: r.amount,
          credited: r.credited,
          refunded: r.refunded,
          issuedAt: r.issued_at
        })
      )
    })

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
          const paymentRows = yield* sql`SELECT ${sql.unsafe(paymentColumns)} FROM payments
            WHERE customer_id = ${invoice.customerId} AND invoice_id = ${invoiceId} ORDER BY recorded_at, id`
          const noteRows = yield* sql`SELECT ${sql.unsafe(noteColumns)} FROM credit_notes
            WHERE customer_id = ${invoice.customerId} AND invoice_id = ${invoiceId} ORDER BY number`
          const lineRows = yield* sql`SELECT ${sql.unsafe(lineColumns)} FROM credit_note_lines
            WHERE credit_note_id IN (SELECT id FROM credit_notes WHERE invoice_id = ${invoiceId})`
          return {
            invoice,
            payments: yield* Effect.forEach(paymentRows, toPayment),
            creditNotes: yield* notes(noteRows, lineRows)
          }
        })
      )
    }).pipe(Effect.withSpan("ReceivablesRepo.account"))

  const paymentByKey = (key: Payment.IdempotencyKey) =>
    mapRead("ReceivablesRepo.paymentByKey")(
      Effect.gen(function* () {
        // Row-level security narrows this to the current customer, whose keys are unique.
        const rows =
          yield* sql`SELECT ${sql.unsafe(paymentColumns)} FROM payments WHERE idempotency_key = ${key}`
        return rows.length === 0 ? Option.none() : Option.some(yield* toPayment(rows[0]))
      })
    ).pipe(Effect.withSpan("ReceivablesRepo.paymentByKey"))

  const insertPayment = (payment: Payment.Payment) =>
    Effect.gen(function* () {
      // ON CONFLICT waits for a concurrent holder of the key to finish, then skips the row: the
      // transaction goes on and reads the payment that won.
      const inserted = yield* sql`
        INSERT INTO payments (id, customer_id, invoice_id, currency, amount, method, reference, paid_at,
          idempotency_key, recorded_at)
        VALUES (${payment.id}, ${payment.customerId}, ${payment.invoiceId}, ${payment.currency},
          ${payment.amount.toString()}::bigint, ${payment.method}, ${payment.reference},
          ${DateTime.formatIso(payment.paidAt)}::timestamptz, ${payment.idempotencyKey},
          ${DateTime.formatIso(payment.recordedAt)}::timestamptz)
        ON CONFLICT ON CONSTRAINT payments_idempotency_key DO NOTHING
        RETURNING id`.pipe(mapWrite("payment", payment.id, "insert"))
      if (inserted.length === 1) return { _tag: "Inserted" } as const
      const existing = yield* paymentByKey(payment.idempotencyKey)
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
      yield* sql`
        INSERT INTO credit_notes (id, customer_id, invoice_id, number, currency, reason, amount, credited, refunded,
          issued_at)
        VALUES (${note.id}, ${note.customerId}, ${note.invoiceId}, ${note.number}, ${note.currency}, ${note.reason},
          ${note.amount.toString()}::bigint, ${note.credited.toString()}::bigint, ${note.refunded.toString()}::bigint,
          ${DateTime.formatIso(note.issuedAt)}::timestamptz)`
      const lines = note.lines.map(
        (l): Record<string, unknown> => ({
          credit_note_id: note.id,
          customer_id: note.customerId,
          position: l.position,
          description: l.description,
          invoice_line: l.invoiceLine,
          amount: l.amount.toString()
        })
      )
      if (Arr.isReadonlyArrayNonEmpty(lines)) yield* sql`INSERT INTO credit_note_lines ${sql.insert(lines)}`
      return note
    }).pipe(mapWrite("credit_note", note.id, "insert"), Effect.withSpan("ReceivablesRepo.insertCreditNote"))

  const creditNoteById = (id: CreditNote.CreditNoteId) =>
    Effect.gen(function* () {
      const rows = yield* mapRead("ReceivablesRepo.creditNoteById")(
        sql`SELECT ${sql.unsafe(noteColumns)} FROM credit_notes WHERE id = ${id}`
      )
      if (rows.length === 0) return yield* new PersistenceError.NotFound({ entity: "credit_note", key: id })
      const lines = yield* mapRead("ReceivablesRepo.creditNoteById")(
        sql`SELECT ${sql.unsafe(lineColumns)} FROM credit_note_lines WHERE credit_note_id = ${id}`
      )
      const [note] = yield* mapRead("ReceivablesRepo.creditNoteById")(notes(rows, lines))
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
