/**
 * Gap-free invoice numbers per year (`INV-2026-000123`), for the billing run.
 *
 * `next_invoice_number(year)` (migration 0001) increments a counter row in the caller's
 * transaction: the row lock serializes concurrent issuers and a rollback gives the number back,
 * so issued numbers have no gaps, unlike a SEQUENCE. Call it inside `Tenancy.runAsWorker`, in the
 * transaction that issues the invoice; only the worker role may execute it.
 */
import { Invoice, type PersistenceError } from "@securebase/core"
import { Effect, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { mapRead, mapWrite } from "./SqlErrors.ts"

const Row = Schema.Struct({ n: Schema.String })

/** Allocates the next number of `year` in the current transaction. */
export const next = (
  year: number
): Effect.Effect<
  Invoice.InvoiceNumber,
  PersistenceError.TenantAccessDenied | PersistenceError.PersistenceFailure | PersistenceError.AlreadyExists,
  SqlClient.SqlClient
> =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const rows = yield* sql`SELECT next_invoice_number(${year})::text AS n`.pipe(
      mapWrite("invoice_number", String(year), "allocate")
    )
    const row = yield* mapRead("InvoiceNumbers.next")(Schema.decodeUnknownEffect(Row)(rows[0]))
    return Invoice.formatNumber(year, BigInt(row.n))
  }).pipe(Effect.withSpan("InvoiceNumbers.next", { attributes: { year } }))
