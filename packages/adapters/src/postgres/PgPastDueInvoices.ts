/** `PastDueInvoices` on PostgreSQL: issued invoices due before an instant, locked, oldest due first. */
import { type Ids, PastDueInvoices } from "@securebase/core"
import { DateTime, Effect, Layer, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { mapRead } from "./SqlErrors.ts"

const decodeRows = Schema.decodeUnknownEffect(Schema.Array(Schema.Struct({ id: Schema.String })))

/** Builds the service over the current `SqlClient`. */
export const make = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  return PastDueInvoices.PastDueInvoices.of({
    claim: (at, limit) =>
      mapRead("PastDueInvoices.claim")(
        Effect.flatMap(
          sql`SELECT id::text FROM invoices
              WHERE status = 'issued' AND due_at < ${DateTime.formatIso(at)}
              ORDER BY due_at, id LIMIT ${limit}
              FOR UPDATE SKIP LOCKED`,
          decodeRows
        )
      ).pipe(Effect.map((rows) => rows.map((r) => r.id as Ids.InvoiceId)))
  })
})

/** `PastDueInvoices` on the current `SqlClient`. */
export const layer: Layer.Layer<PastDueInvoices.PastDueInvoices, never, SqlClient.SqlClient> = Layer.effect(
  PastDueInvoices.PastDueInvoices,
  make
)
