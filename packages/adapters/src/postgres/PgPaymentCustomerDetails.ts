/**
 * `PaymentCustomerDetails` on PostgreSQL (migration 0020): `payment_customers.details_at`, moved
 * by one conditional UPDATE (only forward); `lock` is `SELECT … FOR UPDATE` of the same row. In
 * READ COMMITTED, the statements after a lock that waited see what the other transaction
 * committed.
 */
import { type Ids, PaymentCustomerDetails } from "@securebase/core"
import { DateTime, Effect, Layer } from "effect"
import { SqlClient } from "effect/sql"
import { mapRead } from "./SqlErrors.ts"

/** Builds the service over the current `SqlClient`. */
export const make = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const advance = (provider: string, customerId: Ids.CustomerId, at: DateTime.Utc) =>
    mapRead("PaymentCustomerDetails.advance")(
      Effect.map(
        sql`UPDATE payment_customers SET details_at = ${DateTime.formatIso(at)}
            WHERE provider = ${provider} AND customer_id = ${customerId}
              AND (details_at IS NULL OR details_at <= ${DateTime.formatIso(at)})
            RETURNING customer_id`,
        (rows) => rows.length === 1
      )
    )
  const lock = (provider: string, customerId: Ids.CustomerId) =>
    mapRead("PaymentCustomerDetails.lock")(
      Effect.asVoid(sql`SELECT 1 FROM payment_customers WHERE provider = ${provider} AND customer_id = ${customerId}
          FOR UPDATE`)
    )
  return PaymentCustomerDetails.PaymentCustomerDetails.of({ advance, lock })
})

/** `PaymentCustomerDetails` on the current `SqlClient`. */
export const layer: Layer.Layer<PaymentCustomerDetails.PaymentCustomerDetails, never, SqlClient.SqlClient> =
  Layer.effect(PaymentCustomerDetails.PaymentCustomerDetails, make)
