/**
 * `PaymentLinks` on PostgreSQL: `payment_links` (migration 0029), a tenant table of the provider
 * payments of our invoices, one row per payment. The lock that orders a payment's events is a
 * transaction-scoped advisory lock on its id: the link may not exist yet, so there is no row to lock.
 */
import { type Ids, PaymentLinks } from "@securebase/core"
import { Effect, Layer, Option, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { mapRead, mapWrite } from "./SqlErrors.ts"

const Row = Schema.Struct({
  provider: Schema.String,
  provider_payment_id: Schema.String,
  customer_id: Schema.String,
  invoice_id: Schema.String,
  event_id: Schema.String
})
const decodeRows = Schema.decodeUnknownEffect(Schema.Array(Row))

const toLink = (r: typeof Row.Type): PaymentLinks.PaymentLink => ({
  provider: r.provider,
  providerPaymentId: r.provider_payment_id,
  customerId: r.customer_id as Ids.CustomerId,
  invoiceId: r.invoice_id as Ids.InvoiceId,
  eventId: r.event_id
})

/** Builds the service over the current `SqlClient`. */
export const make = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const columns = sql.unsafe("provider, provider_payment_id, customer_id::text, invoice_id::text, event_id")

  const lockPayment = (provider: string, providerPaymentId: string) =>
    mapRead("PaymentLinks.lockPayment")(
      Effect.asVoid(
        sql`SELECT pg_advisory_xact_lock(hashtextextended(${`securebase.payment:${provider}:${providerPaymentId}`}, 0))`
      )
    )

  const linkOf = (provider: string, providerPaymentId: string) =>
    mapRead("PaymentLinks.linkOf")(
      Effect.flatMap(
        sql`SELECT ${columns} FROM payment_links
            WHERE provider = ${provider} AND provider_payment_id = ${providerPaymentId}`,
        (rows) => Effect.map(decodeRows(rows), (found) => Option.map(Option.fromNullishOr(found[0]), toLink))
      )
    )

  const link = (l: PaymentLinks.PaymentLink) =>
    Effect.gen(function* () {
      const inserted =
        yield* sql`INSERT INTO payment_links (provider, provider_payment_id, customer_id, invoice_id, event_id)
          VALUES (${l.provider}, ${l.providerPaymentId}, ${l.customerId}, ${l.invoiceId}, ${l.eventId})
          ON CONFLICT (provider, provider_payment_id) DO NOTHING
          RETURNING provider_payment_id`.pipe(
          mapWrite("payment_link", l.providerPaymentId, "insert"),
          // The conflict target is the only unique key: an AlreadyExists cannot happen, but is typed.
          Effect.catchTag("AlreadyExists", (e) => Effect.die(new Error(`payment link ${e.key} conflicts`)))
        )
      if (inserted.length === 1) return { link: l, created: true }
      const stored = yield* linkOf(l.provider, l.providerPaymentId)
      // The conflicting row committed before this statement saw it (or it would still be waiting).
      if (Option.isNone(stored))
        return yield* Effect.die(new Error(`payment link ${l.providerPaymentId} vanished`))
      return { link: stored.value, created: false }
    })

  return PaymentLinks.PaymentLinks.of({ lockPayment, linkOf, link })
})

/** `PaymentLinks` on the current `SqlClient`. */
export const layer: Layer.Layer<PaymentLinks.PaymentLinks, never, SqlClient.SqlClient> = Layer.effect(
  PaymentLinks.PaymentLinks,
  make
)
