/**
 * `PaymentRecords` on PostgreSQL (migration 0018): `payment_customers`, `payment_invoices`,
 * `payment_attempts` and `payment_webhook_events`.
 *
 * - `recordEvent` is `INSERT … ON CONFLICT DO NOTHING RETURNING`: a concurrent insert of the same
 *   event id waits for the first transaction and then inserts nothing, so exactly one transaction
 *   gets `true` and applies the event.
 * - `creditedRefunds` / `recordRefund`: `payment_refunds` (migration 0019), keyed by the provider's
 *   refund id.
 * - `advanceInvoiceState` is one conditional UPDATE: it moves only when the event is not older
 *   than the stored state's event, and out of `paid` only to `refunded`. Its row lock orders
 *   concurrent events about one invoice.
 */
import { type Ids, PaymentRecords } from "@securebase/core"
import { DateTime, Effect, Layer, Option, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { mapRead, mapWrite } from "./SqlErrors.ts"

const LinkRow = Schema.Struct({
  invoice_id: Schema.String,
  customer_id: Schema.String,
  provider: Schema.String,
  provider_invoice_id: Schema.String,
  hosted_url: Schema.NullOr(Schema.String),
  state: Schema.String,
  state_at: Schema.NullOr(Schema.DateTimeUtcFromDate)
})
const decodeLinks = Schema.decodeUnknownEffect(Schema.Array(LinkRow))

const toLink = (r: typeof LinkRow.Type): PaymentRecords.InvoiceLink => ({
  invoiceId: r.invoice_id as Ids.InvoiceId,
  customerId: r.customer_id as Ids.CustomerId,
  provider: r.provider,
  providerInvoiceId: r.provider_invoice_id,
  hostedUrl: r.hosted_url,
  state: r.state,
  stateAt: r.state_at
})

/** Builds the service over the current `SqlClient`. */
export const make = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const linkColumns = sql.unsafe(
    "invoice_id::text, customer_id::text, provider, provider_invoice_id, hosted_url, state, state_at"
  )

  const customerLink = (provider: string, customerId: Ids.CustomerId) =>
    mapRead("PaymentRecords.customerLink")(
      Effect.map(
        sql<{ id: string }>`SELECT provider_customer_id AS id FROM payment_customers
          WHERE provider = ${provider} AND customer_id = ${customerId}`,
        (rows) => Option.fromNullishOr(rows[0]?.id)
      )
    )

  const linkCustomer = (provider: string, customerId: Ids.CustomerId, providerCustomerId: string) =>
    sql`INSERT INTO payment_customers (provider, customer_id, provider_customer_id)
        VALUES (${provider}, ${customerId}, ${providerCustomerId})
        ON CONFLICT (provider, customer_id) DO NOTHING`.pipe(
      mapWrite("payment_customer", customerId, "insert"),
      Effect.catchTag("AlreadyExists", (e) =>
        Effect.die(new Error(`provider customer ${e.key} is already linked to another customer`))
      ),
      Effect.asVoid
    )

  const customerOfProvider = (provider: string, providerCustomerId: string) =>
    mapRead("PaymentRecords.customerOfProvider")(
      Effect.map(
        sql<{ id: string }>`SELECT customer_id::text AS id FROM payment_customers
          WHERE provider = ${provider} AND provider_customer_id = ${providerCustomerId}`,
        (rows) => Option.fromNullishOr(rows[0]?.id as Ids.CustomerId | undefined)
      )
    )

  const invoiceLink = (invoiceId: Ids.InvoiceId) =>
    mapRead("PaymentRecords.invoiceLink")(
      Effect.flatMap(
        sql`SELECT ${linkColumns} FROM payment_invoices WHERE invoice_id = ${invoiceId}`,
        (rows) => Effect.map(decodeLinks(rows), (links) => Option.map(Option.fromNullishOr(links[0]), toLink))
      )
    )

  const invoiceOfProvider = (provider: string, providerInvoiceId: string) =>
    mapRead("PaymentRecords.invoiceOfProvider")(
      Effect.flatMap(
        sql`SELECT ${linkColumns} FROM payment_invoices
            WHERE provider = ${provider} AND provider_invoice_id = ${providerInvoiceId}`,
        (rows) => Effect.map(decodeLinks(rows), (links) => Option.map(Option.fromNullishOr(links[0]), toLink))
      )
    )

  const linkInvoice = (link: PaymentRecords.InvoiceLink) =>
    sql`INSERT INTO payment_invoices (invoice_id, customer_id, provider, provider_invoice_id, hosted_url, state, state_at)
        VALUES (${link.invoiceId}, ${link.customerId}, ${link.provider}, ${link.providerInvoiceId},
                ${link.hostedUrl}, ${link.state}, ${link.stateAt === null ? null : DateTime.formatIso(link.stateAt)})
        ON CONFLICT (invoice_id) DO NOTHING`.pipe(
      mapWrite("payment_invoice", link.invoiceId, "insert"),
      Effect.catchTag("AlreadyExists", (e) =>
        Effect.die(new Error(`provider invoice of ${e.key} is already linked to another invoice`))
      ),
      Effect.asVoid
    )

  const advanceInvoiceState = (invoiceId: Ids.InvoiceId, state: string, at: DateTime.Utc) =>
    mapRead("PaymentRecords.advanceInvoiceState")(
      Effect.map(
        sql`UPDATE payment_invoices SET state = ${state}, state_at = ${DateTime.formatIso(at)}
            WHERE invoice_id = ${invoiceId} AND (state_at IS NULL OR state_at <= ${DateTime.formatIso(at)})
              AND (state <> 'paid' OR ${state} = 'refunded')
            RETURNING invoice_id`,
        (rows) => rows.length === 1
      )
    )

  const recordEvent = (event: {
    readonly provider: string
    readonly id: string
    readonly type: string
    readonly createdAt: DateTime.Utc
    readonly customerId: Ids.CustomerId | null
  }) =>
    mapRead("PaymentRecords.recordEvent")(
      Effect.map(
        sql`INSERT INTO payment_webhook_events (provider, event_id, type, created_at, customer_id)
            VALUES (${event.provider}, ${event.id}, ${event.type}, ${DateTime.formatIso(event.createdAt)},
                    ${event.customerId})
            ON CONFLICT (provider, event_id) DO NOTHING
            RETURNING event_id`,
        (rows) => rows.length === 1
      )
    )

  const recordAttempt = (attempt: PaymentRecords.PaymentAttempt) =>
    sql`INSERT INTO payment_attempts (invoice_id, customer_id, provider, event_id, outcome, amount, currency, reason,
                                      occurred_at)
        VALUES (${attempt.invoiceId}, ${attempt.customerId}, ${attempt.provider}, ${attempt.eventId},
                ${attempt.outcome}, ${attempt.amount.toString()}::bigint, ${attempt.currency}, ${attempt.reason},
                ${DateTime.formatIso(attempt.occurredAt)})
        ON CONFLICT (provider, event_id) DO NOTHING`.pipe(
      mapWrite("payment_attempt", attempt.eventId, "insert"),
      Effect.catchTag("AlreadyExists", () => Effect.void),
      Effect.asVoid
    )

  const creditedRefunds = (provider: string, refundIds: ReadonlyArray<string>) =>
    refundIds.length === 0
      ? Effect.succeed(new Set<string>())
      : mapRead("PaymentRecords.creditedRefunds")(
          Effect.map(
            sql<{ id: string }>`SELECT provider_refund_id AS id FROM payment_refunds
              WHERE provider = ${provider} AND provider_refund_id IN ${sql.in(refundIds)}`,
            (rows): ReadonlySet<string> => new Set(rows.map((r) => r.id))
          )
        )

  const recordRefund = (refund: PaymentRecords.CreditedRefund) =>
    sql`INSERT INTO payment_refunds (provider, provider_refund_id, customer_id, invoice_id, credit_note_id, amount,
                                     event_id)
        VALUES (${refund.provider}, ${refund.providerRefundId}, ${refund.customerId}, ${refund.invoiceId},
                ${refund.creditNoteId}, ${refund.amount.toString()}::bigint, ${refund.eventId})`.pipe(
      mapWrite("payment_refund", refund.providerRefundId, "insert"),
      // The caller read the refund as not credited under the invoice's lock: a row now is a bug.
      Effect.catchTag("AlreadyExists", (e) => Effect.die(new Error(`refund ${e.key} was credited twice`))),
      Effect.asVoid
    )

  return PaymentRecords.PaymentRecords.of({
    creditedRefunds,
    recordRefund,
    customerLink,
    linkCustomer,
    customerOfProvider,
    invoiceLink,
    invoiceOfProvider,
    linkInvoice,
    advanceInvoiceState,
    recordEvent,
    recordAttempt
  })
})

/** `PaymentRecords` on the current `SqlClient`. */
export const layer: Layer.Layer<PaymentRecords.PaymentRecords, never, SqlClient.SqlClient> = Layer.effect(
  PaymentRecords.PaymentRecords,
  make
)
