/**
 * `PgPaymentRecords` against the `PaymentRecords` contract, on PGlite and on the real server (where
 * the 10 concurrent claims are 10 connections).
 */
import { CustomerRepo, InvoiceRepo, Tenancy } from "@securebase/core"
import { Effect, Layer, Option } from "effect"
import { SqlClient } from "effect/sql"
import * as PgPaymentRecords from "../../src/postgres/PgPaymentRecords.ts"
import * as Fixtures from "../postgres/support/Fixtures.ts"
import { suite } from "../postgres/support/TestDatabase.ts"
import { paymentRecordsContract } from "./PaymentRecordsContract.ts"

const layer = Layer.merge(Fixtures.adapters, PgPaymentRecords.layer)

const invoice = Effect.gen(function* () {
  const customerId = Fixtures.customerId()
  const draft = yield* Fixtures.draftInvoice(customerId)
  yield* Effect.flatMap(Tenancy.Tenancy, (tenancy) =>
    tenancy.runAs(
      customerId,
      Effect.gen(function* () {
        yield* CustomerRepo.CustomerRepo.use((r) => r.insert(Fixtures.customer(customerId)))
        yield* InvoiceRepo.InvoiceRepo.use((r) => r.insert(draft))
      })
    )
  )
  return { customerId, invoiceId: draft.id }
})

const attempt = (provider: string, eventId: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql<{ invoice_id: string; outcome: string; amount: string; reason: string | null }>`
      SELECT invoice_id::text, outcome, amount::text, reason FROM payment_attempts
      WHERE provider = ${provider} AND event_id = ${eventId}`.pipe(
      Effect.map((rows) =>
        Option.map(Option.fromNullishOr(rows[0]), (row) => ({
          invoiceId: row.invoice_id,
          outcome: row.outcome,
          amount: BigInt(row.amount),
          reason: row.reason
        }))
      )
    )
  )

suite("PgPaymentRecords: the PaymentRecords contract", (it) => {
  paymentRecordsContract((name, body) => it.effect(name, () => body.pipe(Effect.provide(layer)), 60_000), {
    invoice: invoice.pipe(Effect.provide(layer)),
    attempt
  })
})
