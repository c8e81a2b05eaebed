/**
 * How the deployment collects payments (`PAYMENTS`), as layers: the provider records (always:
 * the webhook route reads them; in PostgreSQL, or in DynamoDB with `PAYMENT_RECORDS=dynamodb`,
 * whose table must exist at start), the credited refunds, the payment links and the refunds
 * waiting for them, the dunning steps, the subscriptions and
 * the customer details' order (always in PostgreSQL: they commit with the effect they order), and
 * with Stripe the push outbox and its delivery
 * (`PaymentCollection`), the Stripe provider on the SDK, and the webhook verifier with the
 * configured signing secrets. Manual collection leaves `PaymentCollection` and `PaymentWebhooks`
 * at their defaults: nothing is queued, and the webhook answers 404.
 */
import {
  DynamoClient,
  DynamoPaymentRecords,
  PgDunningSteps,
  PgPaymentCustomerDetails,
  PgPaymentLinks,
  PgPaymentPushes,
  PgPaymentRecords,
  PgPaymentRefunds,
  PgPaymentSubscriptions,
  PgPendingRefunds,
  StripePaymentProvider,
  StripeWebhooks
} from "@securebase/adapters"
import { PaymentCollection, PaymentEvent, type PaymentRecords, type PersistenceError } from "@securebase/core"
import { Effect, Layer, Option } from "effect"
import type { SqlClient } from "effect/sql"
import type { PaymentRecordsConfig, PaymentsConfig } from "./Config.ts"

/** The provider records in a DynamoDB table, which must exist (checked at start). */
export const dynamoRecordsLayer = (
  config: Extract<PaymentRecordsConfig, { readonly kind: "dynamodb" }>
): Layer.Layer<PaymentRecords.PaymentRecords, PersistenceError.PersistenceFailure> =>
  Layer.unwrap(
    DynamoClient.DynamoClient.use((client) => {
      const options = { client, tableName: config.tableName, lease: config.lease }
      return Effect.as(
        DynamoPaymentRecords.checkTable(options),
        DynamoPaymentRecords.layerWithClient(options)
      )
    })
  ).pipe(Layer.provide(DynamoClient.DynamoClient.layer({ endpoint: Option.getOrUndefined(config.endpoint) })))

/** The provider records of a configuration: PostgreSQL, or a DynamoDB table. */
export const recordsLayer = (
  config: PaymentRecordsConfig
): Layer.Layer<PaymentRecords.PaymentRecords, PersistenceError.PersistenceFailure, SqlClient.SqlClient> =>
  config.kind === "postgres" ? PgPaymentRecords.layer : dynamoRecordsLayer(config)

/** The payment layers of a configuration (over the database, tenancy and repositories). */
export const layer = (config: PaymentsConfig, records: PaymentRecordsConfig = { kind: "postgres" }) => {
  const store = Layer.mergeAll(
    recordsLayer(records),
    PgPaymentRefunds.layer,
    PgPaymentLinks.layer,
    PgPendingRefunds.layer,
    PgDunningSteps.layer,
    PgPaymentSubscriptions.layer,
    PgPaymentCustomerDetails.layer
  )
  if (config.kind === "manual") return store
  const provider = StripePaymentProvider.layer({
    secretKey: config.secretKey,
    apiBase: Option.getOrUndefined(config.apiBase)
  })
  return Layer.mergeAll(
    PaymentCollection.layer().pipe(
      Layer.provide(Layer.mergeAll(PgPaymentPushes.layer, provider)),
      Layer.provideMerge(store)
    ),
    Layer.succeed(PaymentEvent.PaymentWebhooks, StripeWebhooks.make({ secrets: config.webhookSecrets }))
  )
}
