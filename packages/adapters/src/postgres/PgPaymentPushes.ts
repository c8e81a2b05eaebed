/**
 * The push outbox on PostgreSQL: `payment_pushes` (migration 0018). One row per invoice
 * (`ON CONFLICT DO NOTHING`: queuing twice is queuing once); `claimNext` locks with
 * `FOR UPDATE SKIP LOCKED`, so concurrent senders never push the same invoice at once.
 */
import { type Ids, PaymentPushes } from "@securebase/core"
import { type Array as Arr, DateTime, Effect, Layer, Option, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { mapRead, mapWrite } from "./SqlErrors.ts"

const Row = Schema.Struct({
  invoice_id: Schema.String,
  customer_id: Schema.String,
  attempts: Schema.Number,
  created_at: Schema.DateTimeUtcFromDate,
  notify: Schema.Boolean
})
const decodeRow = Schema.decodeUnknownEffect(Row)
const CountRow = Schema.Struct({ status: Schema.String, n: Schema.Number })
const decodeCounts = Schema.decodeUnknownEffect(Schema.Array(CountRow))

/** Builds the outbox over the current `SqlClient`. */
export const make = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient

  const enqueue = (pushes: ReadonlyArray<PaymentPushes.NewPush>) =>
    pushes.length === 0
      ? Effect.void
      : sql`INSERT INTO payment_pushes ${sql.insert(
          pushes.map((p) => ({
            invoice_id: p.invoiceId,
            customer_id: p.customerId,
            created_at: DateTime.formatIso(p.createdAt),
            next_attempt_at: DateTime.formatIso(p.createdAt),
            notify: p.notify
          })) as unknown as Arr.NonEmptyReadonlyArray<Record<string, unknown>>
        )} ON CONFLICT (invoice_id) DO NOTHING`.pipe(
          mapWrite("payment_push", pushes[0]!.invoiceId, "insert"),
          Effect.catchTag("AlreadyExists", () => Effect.void),
          Effect.asVoid,
          Effect.withSpan("PaymentPushes.enqueue")
        )

  const claimNext = (now: DateTime.Utc) =>
    mapRead("PaymentPushes.claimNext")(
      Effect.gen(function* () {
        const rows = yield* sql`
          SELECT invoice_id::text, customer_id::text, attempts, created_at, notify
          FROM payment_pushes
          WHERE status = 'pending' AND next_attempt_at <= ${DateTime.formatIso(now)}
          ORDER BY next_attempt_at, invoice_id
          LIMIT 1
          FOR UPDATE SKIP LOCKED`
        if (rows.length === 0) return Option.none<PaymentPushes.QueuedPush>()
        const r = yield* decodeRow(rows[0])
        return Option.some<PaymentPushes.QueuedPush>({
          invoiceId: r.invoice_id as Ids.InvoiceId,
          customerId: r.customer_id as Ids.CustomerId,
          createdAt: r.created_at,
          attempts: r.attempts,
          notify: r.notify
        })
      })
    ).pipe(Effect.withSpan("PaymentPushes.claimNext"))

  const markPushed = (invoiceId: Ids.InvoiceId, at: DateTime.Utc) =>
    mapRead("PaymentPushes.markPushed")(sql`
      UPDATE payment_pushes SET status = 'pushed', pushed_at = ${DateTime.formatIso(at)},
        attempts = attempts + 1, last_error = NULL
      WHERE invoice_id = ${invoiceId}`).pipe(Effect.asVoid)

  const reschedule = (
    invoiceId: Ids.InvoiceId,
    options: { readonly error: string; readonly nextAttemptAt: DateTime.Utc }
  ) =>
    mapRead("PaymentPushes.reschedule")(sql`
      UPDATE payment_pushes SET attempts = attempts + 1, last_error = ${options.error.slice(0, 2000)},
        next_attempt_at = ${DateTime.formatIso(options.nextAttemptAt)}
      WHERE invoice_id = ${invoiceId}`).pipe(Effect.asVoid)

  const markFailed = (invoiceId: Ids.InvoiceId, error: string) =>
    mapRead("PaymentPushes.markFailed")(sql`
      UPDATE payment_pushes SET status = 'failed', attempts = attempts + 1, last_error = ${error.slice(0, 2000)}
      WHERE invoice_id = ${invoiceId}`).pipe(Effect.asVoid)

  const counts = mapRead("PaymentPushes.counts")(
    Effect.gen(function* () {
      const rows = yield* decodeCounts(
        yield* sql`SELECT status, count(*)::int AS n FROM payment_pushes GROUP BY status`
      )
      const of = (status: string) => rows.find((r) => r.status === status)?.n ?? 0
      return { pending: of("pending"), pushed: of("pushed"), failed: of("failed") }
    })
  )

  return PaymentPushes.PaymentPushes.of({ enqueue, claimNext, markPushed, reschedule, markFailed, counts })
})

/** `PaymentPushes` on the current `SqlClient`. */
export const layer: Layer.Layer<PaymentPushes.PaymentPushes, never, SqlClient.SqlClient> = Layer.effect(
  PaymentPushes.PaymentPushes,
  make
)
