/**
 * The `credit_notes` and `credit_note_lines` rows (migrations 0015 and 0030), defined once: their
 * schemas are the SELECT lists, {@link read} assembles a `CreditNote` from a note row and its line
 * rows, and {@link write} / {@link writeLines} are the INSERTs' values. Amounts travel as text.
 * The note's tax split is stored once, as `tax_lines` (NULL for a note issued before 0030); its
 * `tax` and `net` are derived from it on reading.
 */
import { CreditNote } from "@securebase/core"
import { DateTime, Effect, Schema } from "effect"
import * as Columns from "./Columns.ts"
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
  tax_lines: Schema.Unknown,
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
const TaxLines = Schema.Array(CreditNote.CreditNoteTaxLine)
const decodeTaxLines = Schema.decodeUnknownEffect(TaxLines)
const encodeTaxLines = Schema.encodeSync(TaxLines)

/** The stored split, with its sum and the net; all null for a note issued before 0030. */
const taxOf = (
  row: typeof CreditNoteRow.Type
): Effect.Effect<{ taxLines: unknown; tax: string | null; net: string | null }, Schema.SchemaError> => {
  const stored = Columns.json(row.tax_lines)
  if (stored === null || stored === undefined) return Effect.succeed({ taxLines: null, tax: null, net: null })
  return Effect.map(decodeTaxLines(stored), (taxLines) => {
    const tax = taxLines.reduce((a, t) => a + t.amount, 0n)
    return { taxLines: stored, tax: tax.toString(), net: (BigInt(row.amount) - tax).toString() }
  })
}

/** Note rows and the line rows of those notes as `CreditNote`s, lines by position. */
export const read = (noteRows: unknown, lineRows: unknown) =>
  Effect.gen(function* () {
    const rows = yield* decodeRows(noteRows)
    const lines = yield* decodeLines(lineRows)
    return yield* Effect.forEach(rows, (r) =>
      Effect.flatMap(taxOf(r), (split) =>
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
          ...split,
          issuedAt: r.issued_at
        })
      )
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
  // Every note written states its split ([] for a tax-exempt invoice); only notes from before 0030 lack one.
  tax_lines: n.taxLines === null ? null : JSON.stringify(encodeTaxLines(n.taxLines)),
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
