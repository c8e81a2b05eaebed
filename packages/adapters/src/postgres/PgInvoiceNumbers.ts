/**
 * `InvoiceNumbers` on PostgreSQL: gap-free invoice numbers per year (`INV-2026-000123`).
 *
 * `next_invoice_number(year)` (migration 0001) increments a counter row in the caller's
 * transaction: the row lock serializes concurrent issuers and a rollback gives the number back,
 * so issued numbers have no gaps, unlike a SEQUENCE. `nextBlock` moves the same row by a whole
 * block in one statement. Call both inside `Tenancy.runAsWorker`, in the transaction that issues
 * the invoices; only the worker role may number invoices.
 */
import { Invoice, InvoiceNumbers, PersistenceError } from "@securebase/core"
import { Effect, Layer, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { mapRead, mapWrite } from "./SqlErrors.ts"

const NumberRow = Schema.Struct({ n: Schema.String })

/** Builds the service over the current `SqlClient`. */
export const make = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const nextBlock = (year: number, count: number) =>
    Effect.gen(function* () {
      // The same counter row as next_invoice_number(year), moved by `count` in one statement: the
      // block is consecutive and, like a single number, returned by a rollback.
      const rows = yield* sql<{ last: string }>`
        INSERT INTO invoice_number_sequences AS s (year, last_value) VALUES (${year}, ${count})
        ON CONFLICT (year) DO UPDATE SET last_value = s.last_value + ${count}
        RETURNING last_value::text AS last`.pipe(mapWrite("invoice_number", String(year), "allocate"))
      const last = BigInt(rows[0]!.last)
      return Array.from({ length: count }, (_, i) => Invoice.formatNumber(year, last - BigInt(count - 1 - i)))
    }).pipe(
      Effect.catchTag("AlreadyExists", () =>
        Effect.fail(
          new PersistenceError.PersistenceFailure({
            operation: "InvoiceNumbers.nextBlock",
            kind: "UniqueViolation"
          })
        )
      ),
      Effect.withSpan("InvoiceNumbers.nextBlock", { attributes: { year, count } })
    )

  return InvoiceNumbers.InvoiceNumbers.of({
    nextBlock,
    next: (year) =>
      Effect.gen(function* () {
        const rows = yield* sql`SELECT next_invoice_number(${year})::text AS n`.pipe(
          mapWrite("invoice_number", String(year), "allocate")
        )
        const row = yield* mapRead("InvoiceNumbers.next")(Schema.decodeUnknownEffect(NumberRow)(rows[0]))
        return Invoice.formatNumber(year, BigInt(row.n))
      }).pipe(
        Effect.withSpan("InvoiceNumbers.next", { attributes: { year } }),
        // The counter is an upsert: a unique violation cannot outlive it, so it is a plain failure.
        Effect.catchTag("AlreadyExists", () =>
          Effect.fail(
            new PersistenceError.PersistenceFailure({
              operation: "InvoiceNumbers.next",
              kind: "UniqueViolation"
            })
          )
        )
      )
  })
})

/** `InvoiceNumbers` on the current `SqlClient`. */
export const layer: Layer.Layer<InvoiceNumbers.InvoiceNumbers, never, SqlClient.SqlClient> = Layer.effect(
  InvoiceNumbers.InvoiceNumbers,
  make
)
