/**
 * How the deployment collects payments (`PAYMENTS`), as layers: the provider records and
 * subscriptions (always: the webhook route reads them), and with Stripe the push outbox and its delivery
 * (`PaymentCollection`), the Stripe provider on the SDK, and the webhook verifier with the
 * configured signing secrets. Manual collection leaves `PaymentCollection` and `PaymentWebhooks`
 * at their defaults: nothing is queued, and the webhook answers 404.
 */
import {
  PgPaymentCustomerDetails,
  PgPaymentPushes,
  PgPaymentRecords,
  PgPaymentSubscriptions,
  StripePaymentProvider,
  StripeWebhooks
} from "@securebase/adapters"
import { PaymentCollection, PaymentEvent } from "@securebase/core"
import { Layer, Option } from "effect"
import type { PaymentsConfig } from "./Config.ts"

/** The payment layers of a configuration (over the database, tenancy and repositories). */
export const layer = (config: PaymentsConfig) => {
  const records = Layer.mergeAll(
    PgPaymentRecords.layer,
    PgPaymentSubscriptions.layer,
    PgPaymentCustomerDetails.layer
  )
  if (config.kind === "manual") return records
  const provider = StripePaymentProvider.layer({
    secretKey: config.secretKey,
    apiBase: Option.getOrUndefined(config.apiBase)
  })
  return Layer.mergeAll(
    PaymentCollection.layer().pipe(
      Layer.provide(Layer.mergeAll(PgPaymentPushes.layer, provider)),
      Layer.provideMerge(records)
    ),
    Layer.succeed(PaymentEvent.PaymentWebhooks, StripeWebhooks.make({ secrets: config.webhookSecrets }))
  )
}
