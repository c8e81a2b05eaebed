/**
 * `InvoiceDirectory` on PostgreSQL: the owner of an invoice id, read in a transaction of its own
 * through the worker's read grant on `invoices` (the one cross-customer read of an operator's
 * invoice request; it returns the customer id and nothing else).
 */
import { Ids, InvoiceDirectory, Tenancy } from "@securebase/core"
import { Effect, Layer, Option, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { mapRead } from "./SqlErrors.ts"

const Rows = Schema.Array(Schema.Struct({ customer_id: Ids.CustomerId }))

/** Builds the directory over the current `SqlClient` and `Tenancy`. */
export const make = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const tenancy = yield* Tenancy.Tenancy
  return InvoiceDirectory.InvoiceDirectory.of({
    customerOf: (invoiceId) =>
      tenancy
        .runAsWorker(
          mapRead("InvoiceDirectory.customerOf")(
            Effect.flatMap(
              sql`SELECT customer_id::text FROM invoices WHERE id = ${invoiceId}`,
              Schema.decodeUnknownEffect(Rows)
            )
          )
        )
        .pipe(
          // A worker transaction acts as the billing worker, whoever asks: it appends nothing here.
          Effect.provideService(Tenancy.CurrentPrincipal, undefined),
          Effect.map((rows) => Option.fromNullishOr(rows[0]?.customer_id)),
          Effect.withSpan("InvoiceDirectory.customerOf")
        )
  })
})

/** `InvoiceDirectory` on the current `SqlClient` and `Tenancy`. */
export const layer: Layer.Layer<
  InvoiceDirectory.InvoiceDirectory,
  never,
  SqlClient.SqlClient | Tenancy.Tenancy
> = Layer.effect(InvoiceDirectory.InvoiceDirectory, make)
