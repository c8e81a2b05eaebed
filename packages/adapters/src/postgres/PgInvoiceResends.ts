/**
 * `InvoiceResends` on PostgreSQL (migration 0017): one statement takes the next slot of the
 * invoice's hour only while the hour has one left. When a concurrent resend took that same slot
 * first, the statement waits for it to commit and inserts nothing (the slot is the primary key);
 * the next attempt, a fresh statement, sees the winner and takes the slot after it, so racing
 * requests share the hour's slots without ever exceeding them.
 */
import { InvoiceResend } from "@securebase/core"
import { DateTime, Effect, Layer, Option, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { mapRead, mapWrite } from "./SqlErrors.ts"

const SlotRows = Schema.Array(Schema.Struct({ slot: Schema.Number }))
const decodeSlots = Schema.decodeUnknownEffect(SlotRows)
const TopRows = Schema.Array(Schema.Struct({ top: Schema.Number }))
const decodeTop = Schema.decodeUnknownEffect(TopRows)

/** Builds the port over the current `SqlClient`. */
export const make = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient

  const attempt = (c: InvoiceResend.ResendClaim, windowStart: string) =>
    Effect.gen(function* () {
      const rows = yield* sql`
        INSERT INTO invoice_resends
          (customer_id, invoice_id, window_start, slot, max_per_window, notification_id, requested_at)
        SELECT ${c.customerId}, ${c.invoiceId}, ${windowStart}, coalesce(max(slot), 0) + 1, ${c.limit},
          ${c.notificationId}, ${DateTime.formatIso(c.at)}
        FROM invoice_resends
        WHERE invoice_id = ${c.invoiceId} AND window_start = ${windowStart}
        HAVING coalesce(max(slot), 0) < ${c.limit}
        ON CONFLICT (invoice_id, window_start, slot) DO NOTHING
        RETURNING slot`.pipe(mapWrite("invoice_resend", c.invoiceId, "insert"))
      const [row] = yield* mapRead("InvoiceResends.claim")(decodeSlots(rows))
      return row?.slot
    })

  const taken = (c: InvoiceResend.ResendClaim, windowStart: string) =>
    mapRead("InvoiceResends.claim")(
      Effect.flatMap(
        sql`SELECT coalesce(max(slot), 0)::int AS top FROM invoice_resends
            WHERE invoice_id = ${c.invoiceId} AND window_start = ${windowStart}`,
        decodeTop
      )
    ).pipe(Effect.map((rows) => rows[0]?.top ?? 0))

  const claim = (c: InvoiceResend.ResendClaim) =>
    Effect.gen(function* () {
      const windowStart = DateTime.formatIso(c.windowStart)
      // Each lost race means another resend took a slot, so at most `limit` attempts can be needed.
      for (let i = 0; i < c.limit; i++) {
        const slot = yield* attempt(c, windowStart)
        if (slot !== undefined) return Option.some(slot)
        if ((yield* taken(c, windowStart)) >= c.limit) return Option.none<number>()
      }
      return Option.none<number>()
    }).pipe(
      // The slot conflict is handled by ON CONFLICT; any other uniqueness failure is a bug.
      Effect.catchTag("AlreadyExists", (e) => Effect.die(new Error(`resend ${e.key} counted twice`))),
      Effect.withSpan("InvoiceResends.claim")
    )

  return InvoiceResend.InvoiceResends.of({ claim })
})

/** `InvoiceResends` on the current `SqlClient`. */
export const layer: Layer.Layer<InvoiceResend.InvoiceResends, never, SqlClient.SqlClient> = Layer.effect(
  InvoiceResend.InvoiceResends,
  make
)
