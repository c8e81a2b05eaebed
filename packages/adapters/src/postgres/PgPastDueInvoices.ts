/**
 * `PastDueInvoices` on PostgreSQL: issued invoices whose due date plus their customer's
 * `overdue_grace_days` is before an instant, locked, oldest due first.
 */
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
          // due_at < at is implied (the grace is never negative) and lets the partial index of
          // issued invoices by due date find the candidates. 24-hour days, as in
          // InvoiceLifecycle.overdueAfter: "1 day" would follow the session's time zone over DST.
          sql`SELECT i.id::text FROM invoices i
              JOIN customers c ON c.id = i.customer_id
              WHERE i.status = 'issued' AND i.due_at < ${DateTime.formatIso(at)}
                AND i.due_at + make_interval(hours => 24 * c.overdue_grace_days) < ${DateTime.formatIso(at)}
              ORDER BY i.due_at, i.id LIMIT ${limit}
              FOR UPDATE OF i SKIP LOCKED`,
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
