/**
 * `PendingRefunds` on PostgreSQL: `payment_pending_refunds` (migration 0029), a tenant table of
 * refund events waiting for their payment's link. `take` is one `DELETE … RETURNING` in the
 * caller's transaction: the credit notes it leads to commit with the deletion, or neither does.
 */
import { type Ids, type PaymentEvent, PendingRefunds, type PersistenceError } from "@securebase/core"
import { DateTime, type Duration, Effect, Layer, Schema } from "effect"
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
  occurred_at: Schema.DateTimeUtcFromDate,
  lookup_attempts: Schema.Number,
  next_lookup_at: Schema.NullOr(Schema.DateTimeUtcFromDate),
  lookup_error: Schema.NullOr(Schema.String)
})
const decodeRows = Schema.decodeUnknownEffect(Schema.Array(Row))
const encodeRefunds = Schema.encodeSync(StoredRefunds)

const toPending = (r: typeof Row.Type): PendingRefunds.HeldRefund => ({
  provider: r.provider,
  eventId: r.event_id,
  providerPaymentId: r.provider_payment_id,
  providerChargeId: r.provider_charge_id,
  customerId: r.customer_id as Ids.CustomerId,
  amount: BigInt(r.amount),
  currency: r.currency,
  refunds: r.refunds.map((x): PaymentEvent.Refund => ({ id: x.id, amount: BigInt(x.amount) })),
  occurredAt: r.occurred_at,
  lookup: { attempts: r.lookup_attempts, nextAt: r.next_lookup_at, error: r.lookup_error }
})

const DueRow = Schema.Struct({
  provider: Schema.String,
  provider_payment_id: Schema.String,
  attempts: Schema.Number
})
const decodeDue = Schema.decodeUnknownEffect(Schema.Array(DueRow))
const iso = (at: DateTime.Utc | null) => (at === null ? null : DateTime.formatIso(at))

/** Builds the service over the current `SqlClient`. */
export const make = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient

  const hold = (p: PendingRefunds.PendingRefund) =>
    Effect.gen(function* () {
      const refunds = encodeRefunds(p.refunds.map((r) => ({ id: r.id, amount: r.amount.toString() })))
      // A refund held again keeps where its lookup stood; a fresh one waits for its link first.
      const lookup = p.lookup ?? {
        attempts: 0,
        nextAt: DateTime.addDuration(yield* DateTime.now, PendingRefunds.firstLookupAfter),
        error: null
      }
      yield* sql`INSERT INTO payment_pending_refunds
          (provider, event_id, provider_payment_id, provider_charge_id, customer_id, amount, currency, refunds,
           occurred_at, lookup_attempts, next_lookup_at, lookup_error)
        VALUES (${p.provider}, ${p.eventId}, ${p.providerPaymentId}, ${p.providerChargeId}, ${p.customerId},
                ${p.amount.toString()}::bigint, ${p.currency}, ${refunds}::jsonb, ${DateTime.formatIso(p.occurredAt)},
                ${lookup.attempts}, ${iso(lookup.nextAt)}, ${lookup.error})
        ON CONFLICT (provider, event_id) DO NOTHING`.pipe(
        mapWrite("payment_pending_refund", p.eventId, "insert"),
        Effect.catchTag("AlreadyExists", (e) => Effect.die(new Error(`pending refund ${e.key} conflicts`)))
      )
    })

  const columns = sql.unsafe(`p.provider, p.event_id, p.provider_payment_id, p.provider_charge_id,
    p.customer_id::text, p.amount::text, p.currency, p.refunds::text AS refunds, p.occurred_at,
    p.lookup_attempts, p.next_lookup_at, p.lookup_error`)

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

  const claimLookups = (now: DateTime.Utc, lease: Duration.Duration, limit: number, all = false) =>
    mapRead("PendingRefunds.claimLookups")(
      Effect.flatMap(
        sql`WITH due AS (
              SELECT provider, provider_payment_id FROM payment_pending_refunds
              WHERE next_lookup_at <= ${DateTime.formatIso(now)} OR (${all} AND next_lookup_at IS NULL)
              ORDER BY next_lookup_at NULLS FIRST LIMIT ${limit} FOR UPDATE SKIP LOCKED)
            UPDATE payment_pending_refunds p
            SET next_lookup_at = ${DateTime.formatIso(DateTime.addDuration(now, lease))}
            FROM (SELECT DISTINCT provider, provider_payment_id FROM due) d
            WHERE p.provider = d.provider AND p.provider_payment_id = d.provider_payment_id
            RETURNING p.provider, p.provider_payment_id, p.lookup_attempts AS attempts`,
        (rows) =>
          Effect.map(decodeDue(rows), (found) => {
            const byPayment = new Map<string, PendingRefunds.DueLookup>()
            for (const r of found) {
              const key = `${r.provider}\u0000${r.provider_payment_id}`
              const seen = byPayment.get(key)
              if (seen === undefined || seen.attempts < r.attempts)
                byPayment.set(key, {
                  provider: r.provider,
                  providerPaymentId: r.provider_payment_id,
                  attempts: r.attempts
                })
            }
            return Array.from(byPayment.values())
          })
      )
    )

  const recordLookup = (provider: string, providerPaymentId: string, lookup: PendingRefunds.Lookup) =>
    mapRead("PendingRefunds.recordLookup")(
      Effect.map(
        sql<{ event_id: string }>`UPDATE payment_pending_refunds
          SET lookup_attempts = ${lookup.attempts}, next_lookup_at = ${iso(lookup.nextAt)},
              lookup_error = ${lookup.error === null ? null : lookup.error.slice(0, 1000)}
          WHERE provider = ${provider} AND provider_payment_id = ${providerPaymentId}
          RETURNING event_id`,
        (rows) => rows.length
      )
    )

  const list = decoded("PendingRefunds.list")(
    sql`SELECT ${columns} FROM payment_pending_refunds p ORDER BY p.occurred_at`
  ) as Effect.Effect<ReadonlyArray<PendingRefunds.HeldRefund>, PersistenceError.PersistenceFailure>

  return PendingRefunds.PendingRefunds.of({ hold, take, takeForInvoice, claimLookups, recordLookup, list })
})

/** `PendingRefunds` on the current `SqlClient`. */
export const layer: Layer.Layer<PendingRefunds.PendingRefunds, never, SqlClient.SqlClient> = Layer.effect(
  PendingRefunds.PendingRefunds,
  make
)
