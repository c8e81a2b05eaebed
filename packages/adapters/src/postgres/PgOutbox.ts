/**
 * The transactional outbox on PostgreSQL: the `notifications` table (migrations 0001, 0006).
 * The rendered subject and bodies (text, and HTML when there is one) live in `payload`; `next_attempt_at` orders and delays retries;
 * `claimNext` locks with `FOR UPDATE SKIP LOCKED`, so concurrent senders never share a row.
 */
import { type Ids, type Notification, Outbox } from "@securebase/core"
import { DateTime, Effect, Layer, Option, Schema } from "effect"
import { SqlClient } from "effect/sql"
import * as NotificationRow from "./rows/NotificationRow.ts"
import { mapRead, mapWrite } from "./SqlErrors.ts"

const Row = Schema.Struct({
  id: Schema.String,
  customer_id: Schema.String,
  template: Schema.String,
  recipient: Schema.String,
  payload: Schema.Unknown,
  attempts: Schema.Number,
  created_at: Schema.DateTimeUtcFromDate
})
const Payload = Schema.Struct({
  subject: Schema.String,
  text: Schema.String,
  html: Schema.optionalKey(Schema.String),
  data: Schema.Record(Schema.String, Schema.String)
})
const CountRow = Schema.Struct({ status: Schema.String, n: Schema.Number })

const decodeRow = Schema.decodeUnknownEffect(Row)
const decodePayload = Schema.decodeUnknownEffect(Payload)
const decodeCounts = Schema.decodeUnknownEffect(Schema.Array(CountRow))

/** Builds the outbox over the current `SqlClient`. */
export const make = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient

  const enqueue = (n: Notification.NewNotification) =>
    sql`INSERT INTO notifications ${sql.insert(NotificationRow.write(n))}`.pipe(
      mapWrite("notification", n.id, "insert"),
      Effect.catchTag("AlreadyExists", (e) => Effect.die(new Error(`notification ${e.key} queued twice`))),
      Effect.asVoid,
      Effect.withSpan("Outbox.enqueue")
    )

  const claimNext = (now: DateTime.Utc) =>
    mapRead("Outbox.claimNext")(
      Effect.gen(function* () {
        const rows = yield* sql`
          SELECT id::text, customer_id::text, template, recipient, payload, attempts, created_at
          FROM notifications
          WHERE status = 'pending' AND next_attempt_at <= ${DateTime.formatIso(now)}
          ORDER BY next_attempt_at, id
          LIMIT 1
          FOR UPDATE SKIP LOCKED`
        if (rows.length === 0) return Option.none<Notification.QueuedNotification>()
        const r = yield* decodeRow(rows[0])
        const p = yield* decodePayload(typeof r.payload === "string" ? JSON.parse(r.payload) : r.payload)
        return Option.some<Notification.QueuedNotification>({
          id: r.id as Notification.NotificationId,
          customerId: r.customer_id as Ids.CustomerId,
          channel: "email",
          template: r.template as Notification.Template,
          recipient: r.recipient,
          subject: p.subject,
          text: p.text,
          html: p.html,
          data: p.data,
          createdAt: r.created_at,
          attempts: r.attempts
        })
      })
    ).pipe(Effect.withSpan("Outbox.claimNext"))

  const markSent = (
    id: Notification.NotificationId,
    options: { readonly at: DateTime.Utc; readonly providerId: string }
  ) =>
    mapRead("Outbox.markSent")(sql`
      UPDATE notifications SET status = 'sent', sent_at = ${DateTime.formatIso(options.at)},
        attempts = attempts + 1, last_error = NULL,
        payload = payload || jsonb_build_object('providerId', ${options.providerId}::text)
      WHERE id = ${id}`).pipe(Effect.asVoid)

  const reschedule = (
    id: Notification.NotificationId,
    options: { readonly error: string; readonly nextAttemptAt: DateTime.Utc }
  ) =>
    mapRead("Outbox.reschedule")(sql`
      UPDATE notifications SET attempts = attempts + 1, last_error = ${options.error.slice(0, 2000)},
        next_attempt_at = ${DateTime.formatIso(options.nextAttemptAt)}
      WHERE id = ${id}`).pipe(Effect.asVoid)

  const markFailed = (id: Notification.NotificationId, error: string) =>
    mapRead("Outbox.markFailed")(sql`
      UPDATE notifications SET status = 'failed', attempts = attempts + 1, last_error = ${error.slice(0, 2000)}
      WHERE id = ${id}`).pipe(Effect.asVoid)

  const counts = mapRead("Outbox.counts")(
    Effect.gen(function* () {
      const rows = yield* decodeCounts(
        yield* sql`SELECT status, count(*)::int AS n FROM notifications GROUP BY status`
      )
      const of = (status: string) => rows.find((r) => r.status === status)?.n ?? 0
      return { pending: of("pending"), sent: of("sent"), failed: of("failed") }
    })
  )

  return Outbox.Outbox.of({ enqueue, claimNext, markSent, reschedule, markFailed, counts })
})

/** `Outbox` on the current `SqlClient`. */
export const layer: Layer.Layer<Outbox.Outbox, never, SqlClient.SqlClient> = Layer.effect(Outbox.Outbox, make)
