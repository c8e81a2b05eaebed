/**
 * Gap-free credit note numbers per year (`CN-2026-000001`) over `next_credit_note_number(year)`
 * (migration 0015): a counter row moved in the caller's transaction, so a rollback gives the
 * number back. Call it inside the `Tenancy.runAs` that issues the note.
 */
import { CreditNote, CreditNoteNumbers } from "@securebase/core"
import { Effect, Layer, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { mapRead } from "./SqlErrors.ts"

const Row = Schema.Struct({ n: Schema.String })

/** Builds the service over the current `SqlClient`. */
export const make = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  return CreditNoteNumbers.CreditNoteNumbers.of({
    next: (year) =>
      mapRead("CreditNoteNumbers.next")(
        Effect.flatMap(sql`SELECT next_credit_note_number(${year})::text AS n`, (rows) =>
          Schema.decodeUnknownEffect(Row)(rows[0])
        )
      ).pipe(
        Effect.map((row) => CreditNote.formatNumber(year, BigInt(row.n))),
        Effect.withSpan("CreditNoteNumbers.next", { attributes: { year } })
      )
  })
})

/** `CreditNoteNumbers` on the current `SqlClient`. */
export const layer: Layer.Layer<CreditNoteNumbers.CreditNoteNumbers, never, SqlClient.SqlClient> =
  Layer.effect(CreditNoteNumbers.CreditNoteNumbers, make)
