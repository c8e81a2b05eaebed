/** Shared set-up of the payment suites: collection through Stripe (the stand-in) on PostgreSQL. */
import { type Delivery, PaymentCollection } from "@securebase/core"
import { Effect, Layer, Redacted } from "effect"
import { SqlClient } from "effect/sql"
import * as PgCreditNoteNumbers from "../../src/postgres/PgCreditNoteNumbers.ts"
import * as PgPaymentCustomerDetails from "../../src/postgres/PgPaymentCustomerDetails.ts"
import * as PgPaymentLinks from "../../src/postgres/PgPaymentLinks.ts"
import * as PgPaymentPushes from "../../src/postgres/PgPaymentPushes.ts"
import * as PgPaymentRecords from "../../src/postgres/PgPaymentRecords.ts"
import * as PgPaymentRefunds from "../../src/postgres/PgPaymentRefunds.ts"
import * as PgPaymentSubscriptions from "../../src/postgres/PgPaymentSubscriptions.ts"
import * as PgPendingRefunds from "../../src/postgres/PgPendingRefunds.ts"
import * as StripePaymentProvider from "../../src/stripe/StripePaymentProvider.ts"
import type * as StandIn from "../../src/testing/StripeStandIn.ts"
import { authLayer } from "../auth/fixtures.ts"

// A rescheduled push waits an hour, so one pass tries it once; tests make it due with `dueNow`.
export const policy: Delivery.RetrySchedule = {
  base: "1 hour",
  factor: 2,
  cap: "6 hours",
  maxAttempts: 5,
  sendTimeout: "30 seconds"
}

/** Makes every rescheduled push due now (the hour of backoff has "passed"). */
export const dueNow = Effect.flatMap(SqlClient.SqlClient, (sql) =>
  sql`UPDATE payment_pushes SET next_attempt_at = now() - interval '1 second' WHERE status = 'pending'`.pipe(
    Effect.orDie
  )
)

/**
 * Collection through Stripe (the stand-in) and the PostgreSQL stores (with credit note numbers, for
 * refunds), with the authenticator (on in-memory ports) that a customer closed by a provider's
 * event is cut off from.
 */
export const stripeCollection = (standIn: StandIn.StandIn) =>
  PaymentCollection.layer({ policy }).pipe(
    Layer.provideMerge(
      Layer.mergeAll(
        PgPaymentPushes.layer,
        PgPaymentRecords.layer,
        PgPaymentRefunds.layer,
        PgPaymentLinks.layer,
        PgPendingRefunds.layer,
        PgCreditNoteNumbers.layer,
        PgPaymentSubscriptions.layer,
        PgPaymentCustomerDetails.layer,
        authLayer(),
        StripePaymentProvider.layer({
          secretKey: Redacted.make("sk_test_standin"),
          apiBase: standIn.url,
          retry: { times: 1, base: "1 millis" }
        })
      )
    )
  )
