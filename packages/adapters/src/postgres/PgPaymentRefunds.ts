/**
 * `PaymentRefunds` on PostgreSQL: `payment_refunds` (migration 0019), a tenant table of the credit
 * notes issued for a provider charge's refunds (one row per event, with the charge id), written in
 * the transaction that issues the credit note.
 */
import { PaymentRefunds } from "@securebase/core"
import { Effect, Layer } from "effect"
import { SqlClient } from "effect/sql"
import { mapRead, mapWrite } from "./SqlErrors.ts"

/** Builds the service over the current `SqlClient`. */
export const make = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient

  const creditedForCharge = (provider: string, providerChargeId: string) =>
    mapRead("PaymentRefunds.creditedForCharge")(
      Effect.map(
        sql<{ total: string }>`SELECT COALESCE(sum(amount), 0)::text AS total FROM payment_refunds
          WHERE provider = ${provider} AND provider_charge_id = ${providerChargeId}`,
        (rows) => BigInt(rows[0]?.total ?? "0")
      )
    )

  const recordRefund = (refund: PaymentRefunds.CreditedRefund) =>
    sql`INSERT INTO payment_refunds (provider, provider_charge_id, customer_id, invoice_id, credit_note_id, amount,
                                     event_id)
        VALUES (${refund.provider}, ${refund.providerChargeId}, ${refund.customerId}, ${refund.invoiceId},
                ${refund.creditNoteId}, ${refund.amount.toString()}::bigint, ${refund.eventId})`.pipe(
      mapWrite("payment_refund", refund.eventId, "insert"),
      // The event's id was claimed in this transaction: a row for it already is a bug.
      Effect.catchTag("AlreadyExists", (e) =>
        Effect.die(new Error(`refund event ${e.key} was credited twice`))
      ),
      Effect.asVoid
    )

  return PaymentRefunds.PaymentRefunds.of({ creditedForCharge, recordRefund })
})

/** `PaymentRefunds` on the current `SqlClient`. */
export const layer: Layer.Layer<PaymentRefunds.PaymentRefunds, never, SqlClient.SqlClient> = Layer.effect(
  PaymentRefunds.PaymentRefunds,
  make
)
