/**
 * `PaymentSubscriptions` on PostgreSQL (migration 0020): `payment_subscriptions`.
 *
 * `advance` is one upsert whose UPDATE applies only when the stored state is not newer than the
 * event's (`state_at <= EXCLUDED.state_at`): an older event inserts nothing and updates nothing,
 * and answers false. The row lock of the update orders concurrent events about one subscription.
 * A subscription stays with the customer it was first stored for: an event naming another
 * customer for it changes nothing either.
 */
import { type Ids, PaymentSubscriptions } from "@securebase/core"
import { DateTime, Effect, Layer, Option, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { mapRead, mapWrite } from "./SqlErrors.ts"

const Row = Schema.Struct({
  provider: Schema.String,
  provider_subscription_id: Schema.String,
  customer_id: Schema.String,
  status: Schema.String,
  plan_code: Schema.NullOr(Schema.String),
  state_at: Schema.DateTimeUtcFromDate
})
const decodeRows = Schema.decodeUnknownEffect(Schema.Array(Row))

const toSubscription = (r: typeof Row.Type): PaymentSubscriptions.Subscription => ({
  provider: r.provider,
  providerSubscriptionId: r.provider_subscription_id,
  customerId: r.customer_id as Ids.CustomerId,
  status: r.status,
  planCode: r.plan_code,
  stateAt: r.state_at
})

/** Builds the service over the current `SqlClient`. */
export const make = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const columns = sql.unsafe(
    "provider, provider_subscription_id, customer_id::text, status, plan_code, state_at"
  )

  const advance = (s: PaymentSubscriptions.Subscription) => {
    const at = DateTime.formatIso(s.stateAt)
    return sql`INSERT INTO payment_subscriptions
          (provider, provider_subscription_id, customer_id, status, plan_code, state_at)
        VALUES (${s.provider}, ${s.providerSubscriptionId}, ${s.customerId}, ${s.status}, ${s.planCode}, ${at})
        ON CONFLICT (provider, provider_subscription_id) DO UPDATE
          SET status = EXCLUDED.status, plan_code = EXCLUDED.plan_code, state_at = EXCLUDED.state_at,
              updated_at = now()
          WHERE payment_subscriptions.state_at <= EXCLUDED.state_at
            AND payment_subscriptions.customer_id = EXCLUDED.customer_id
        RETURNING provider_subscription_id`.pipe(
      mapWrite("payment_subscription", s.providerSubscriptionId, "upsert"),
      // No unique key but the conflict target: an AlreadyExists cannot happen, but is typed.
      Effect.catchTag("AlreadyExists", (e) =>
        Effect.die(new Error(`payment subscription ${e.key} conflicts`))
      ),
      Effect.map((rows) => rows.length === 1)
    )
  }

  const find = (provider: string, providerSubscriptionId: string) =>
    mapRead("PaymentSubscriptions.find")(
      Effect.flatMap(
        sql`SELECT ${columns} FROM payment_subscriptions
            WHERE provider = ${provider} AND provider_subscription_id = ${providerSubscriptionId}`,
        (rows) =>
          Effect.map(decodeRows(rows), (found) => Option.map(Option.fromNullishOr(found[0]), toSubscription))
      )
    )

  const ofCustomer = (customerId: Ids.CustomerId) =>
    mapRead("PaymentSubscriptions.ofCustomer")(
      Effect.flatMap(
        sql`SELECT ${columns} FROM payment_subscriptions WHERE customer_id = ${customerId}
            ORDER BY created_at, provider_subscription_id`,
        (rows) => Effect.map(decodeRows(rows), (found) => found.map(toSubscription))
      )
    )

  return PaymentSubscriptions.PaymentSubscriptions.of({ advance, find, ofCustomer })
})

/** `PaymentSubscriptions` on the current `SqlClient`. */
export const layer: Layer.Layer<PaymentSubscriptions.PaymentSubscriptions, never, SqlClient.SqlClient> =
  Layer.effect(PaymentSubscriptions.PaymentSubscriptions, make)
