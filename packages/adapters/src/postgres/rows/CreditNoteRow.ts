/**
 * The `credit_notes` and `credit_note_lines` rows (migration 0015), defined once: their schemas
 * are the SELECT lists, {@link read} assembles a `CreditNote` from a note row and its line rows,
 * and {@link write} / {@link writeLines} are the INSERTs' values. Amounts travel as text.
 */
import { CreditNote } from "@securebase/core"
import { DateTime, Effect, Schema } from "effect"
import { select } from "./Columns.ts"

/** A `credit_notes` row as read. */
export const CreditNoteRow = Schema.Struct({
  id: Schema.String,
  customer_id: Schema.String,
  invoice_id: Schema.String,
  number: Schema.String,
  currency: Schema.String,
  reason: Schema.String,
  amount: Schema.String,
  credited: Schema.String,
  refunded: Schema.String,
  issued_at: Schema.DateTimeUtcFromDate
})

/** A `credit_note_lines` row as read. */
export const LineRow = Schema.Struct({
  credit_note_id: Schema.String,
  customer_id: Schema.String,
  position: Schema.Number,
  description: Schema.String,
  invoice_line: Schema.NullOr(Schema.Number),
  amount: Schema.String
})

/** The SELECT list of {@link CreditNoteRow} (alias `c`). */
export const columns = select(
  CreditNoteRow,
  {
    id: "::text",
    customer_id: "::text",
    invoice_id: "::text",
    amount: "::text",
    credited: "::text",
    refunded: "::text"
  },
  "c"
)

/** The SELECT list of {@link LineRow} (alias `l`). */
export const lineColumns = select(
  LineRow,
  { credit_note_id: "::text", customer_id: "::text", amount: "::text" },
  "l"
)

const decodeRows = Schema.decodeUnknownEffect(Schema.Array(CreditNoteRow))
const decodeLines = Schema.decodeUnknownEffect(Schema.Array(LineRow))
const decodeNote = Schema.decodeUnknownEffect(CreditNote.CreditNote)

/** Note rows and the line rows of those notes as `CreditNote`s, lines by position. */
export const read = (noteRows: unknown, lineRows: unknown) =>
  Effect.gen(function* () {
    const rows = yield* decodeRows(noteRows)
    const lines = yield* decodeLines(lineRows)
    return yield* Effect.forEach(rows, (r) =>
      decodeNote({
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

/** The row a credit note is inserted as. */
export const write = (n: CreditNote.CreditNote) => ({
  id: n.id,
  customer_id: n.customerId,
  invoice_id: n.invoiceId,
  number: n.number,
  currency: n.currency,
  reason: n.reason,
  amount: n.amount.toString(),
  credited: n.credited.toString(),
  refunded: n.refunded.toString(),
  issued_at: DateTime.formatIso(n.issuedAt)
})

/** The rows a credit note's lines are inserted as. */
export const writeLines = (n: CreditNote.CreditNote): Array<Record<string, unknown>> =>
  n.lines.map((l) => ({
    credit_note_id: n.id,
    customer_id: n.customerId,
    position: l.position,
    description: l.description,
    invoice_line: l.invoiceLine,
    amount: l.amount.toString()
  }))
