/**
 * `PaymentRefunds` on PostgreSQL: `payment_refunds` (migration 0019), a tenant table keyed by the
 * provider's refund id, written in the transaction that issues the refund's credit note.
 */
import { PaymentRefunds } from "@securebase/core"
import { Effect, Layer } from "effect"
import { SqlClient } from "effect/sql"
import { mapRead, mapWrite } from "./SqlErrors.ts"

/** Builds the service over the current `SqlClient`. */
export const make = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient

  const creditedRefunds = (provider: string, refundIds: ReadonlyArray<string>) =>
    refundIds.length === 0
      ? Effect.succeed(new Set<string>())
      : mapRead("PaymentRefunds.creditedRefunds")(
          Effect.map(
            sql<{ id: string }>`SELECT provider_refund_id AS id FROM payment_refunds
              WHERE provider = ${provider} AND provider_refund_id IN ${sql.in(refundIds)}`,
            (rows): ReadonlySet<string> => new Set(rows.map((r) => r.id))
          )
        )

  const recordRefund = (refund: PaymentRefunds.CreditedRefund) =>
    sql`INSERT INTO payment_refunds (provider, provider_refund_id, customer_id, invoice_id, credit_note_id, amount,
                                     event_id)
        VALUES (${refund.provider}, ${refund.providerRefundId}, ${refund.customerId}, ${refund.invoiceId},
                ${refund.creditNoteId}, ${refund.amount.toString()}::bigint, ${refund.eventId})`.pipe(
      mapWrite("payment_refund", refund.providerRefundId, "insert"),
      // The caller read the refund as not credited under the invoice's lock: a row now is a bug.
      Effect.catchTag("AlreadyExists", (e) => Effect.die(new Error(`refund ${e.key} was credited twice`))),
      Effect.asVoid
    )

  return PaymentRefunds.PaymentRefunds.of({ creditedRefunds, recordRefund })
})

/** `PaymentRefunds` on the current `SqlClient`. */
export const layer: Layer.Layer<PaymentRefunds.PaymentRefunds, never, SqlClient.SqlClient> = Layer.effect(
  PaymentRefunds.PaymentRefunds,
  make
)
