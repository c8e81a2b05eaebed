/**
 * `PendingRefunds` on PostgreSQL: `payment_pending_refunds` (migration 0029), a tenant table of
 * refund events waiting for their payment's link. `take` is one `DELETE … RETURNING` in the
 * caller's transaction: the credit notes it leads to commit with the deletion, or neither does.
 */
import { type Ids, type PaymentEvent, PendingRefunds } from "@securebase/core"
import { DateTime, Effect, Layer, Schema } from "effect"
import { SqlClient } from "effect/sql"
import type { SqlError } from "effect/sql/SqlError"
import { mapRead, mapWrite } from "./SqlErrors.ts"

const StoredRefunds = Schema.fromJsonString(
  Schema.Array(Schema.Struct({ id: Schema.String, amount: Schema.String }))
)

const Row = Schema.Struct({
  provider: Schema.String,
  event_id: Schema.String,
  provider_payment_id: Schema.String,
  provider_charge_id: Schema.String,
  customer_id: Schema.String,
  amount: Schema.String,
  currency: Schema.String,
  refunds: StoredRefunds,
  occurred_at: Schema.DateTimeUtcFromDate
})
const decodeRows = Schema.decodeUnknownEffect(Schema.Array(Row))
const encodeRefunds = Schema.encodeSync(StoredRefunds)

const toPending = (r: typeof Row.Type): PendingRefunds.PendingRefund => ({
  provider: r.provider,
  eventId: r.event_id,
  providerPaymentId: r.provider_payment_id,
  providerChargeId: r.provider_charge_id,
  customerId: r.customer_id as Ids.CustomerId,
  amount: BigInt(r.amount),
  currency: r.currency,
  refunds: r.refunds.map((x): PaymentEvent.Refund => ({ id: x.id, amount: BigInt(x.amount) })),
  occurredAt: r.occurred_at
})

/** Builds the service over the current `SqlClient`. */
export const make = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient

  const hold = (p: PendingRefunds.PendingRefund) => {
    const refunds = encodeRefunds(p.refunds.map((r) => ({ id: r.id, amount: r.amount.toString() })))
    return sql`INSERT INTO payment_pending_refunds
          (provider, event_id, provider_payment_id, provider_charge_id, customer_id, amount, currency, refunds,
           occurred_at)
        VALUES (${p.provider}, ${p.eventId}, ${p.providerPaymentId}, ${p.providerChargeId}, ${p.customerId},
                ${p.amount.toString()}::bigint, ${p.currency}, ${refunds}::jsonb, ${DateTime.formatIso(p.occurredAt)})
        ON CONFLICT (provider, event_id) DO NOTHING`.pipe(
      mapWrite("payment_pending_refund", p.eventId, "insert"),
      Effect.catchTag("AlreadyExists", (e) => Effect.die(new Error(`pending refund ${e.key} conflicts`))),
      Effect.asVoid
    )
  }

  const columns = sql.unsafe(`p.provider, p.event_id, p.provider_payment_id, p.provider_charge_id,
    p.customer_id::text, p.amount::text, p.currency, p.refunds::text AS refunds, p.occurred_at`)

  // Oldest first: each credits what its cumulative amount adds to the ones before it.
  const oldestFirst = (a: PendingRefunds.PendingRefund, b: PendingRefunds.PendingRefund) =>
    DateTime.isLessThan(a.occurredAt, b.occurredAt)
      ? -1
      : DateTime.isLessThan(b.occurredAt, a.occurredAt)
        ? 1
        : a.amount < b.amount
          ? -1
          : a.amount > b.amount
            ? 1
            : 0

  const decoded = (operation: string) => (rows: Effect.Effect<ReadonlyArray<unknown>, SqlError>) =>
    mapRead(operation)(
      Effect.flatMap(rows, (found) =>
        Effect.map(decodeRows(found), (r) => r.map(toPending).sort(oldestFirst))
      )
    )

  const take = (provider: string, providerPaymentId: string) =>
    decoded("PendingRefunds.take")(
      sql`DELETE FROM payment_pending_refunds p
          WHERE p.provider = ${provider} AND p.provider_payment_id = ${providerPaymentId}
          RETURNING ${columns}`
    )

  const takeForInvoice = (provider: string, invoiceId: Ids.InvoiceId) =>
    decoded("PendingRefunds.takeForInvoice")(
      sql`DELETE FROM payment_pending_refunds p USING payment_links l
          WHERE p.provider = ${provider} AND l.provider = p.provider
            AND l.provider_payment_id = p.provider_payment_id AND l.invoice_id = ${invoiceId}
          RETURNING ${columns}`
    )

  return PendingRefunds.PendingRefunds.of({ hold, take, takeForInvoice })
})

/** `PendingRefunds` on the current `SqlClient`. */
export const layer: Layer.Layer<PendingRefunds.PendingRefunds, never, SqlClient.SqlClient> = Layer.effect(
  PendingRefunds.PendingRefunds,
  make
)
