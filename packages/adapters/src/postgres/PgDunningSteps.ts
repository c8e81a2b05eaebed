/**
 * `DunningSteps` on PostgreSQL (migration 0015), in the worker's transaction: open invoices past
 * due by whole 24-hour days (as `Dunning.daysPastDue` counts them), locked with `SKIP LOCKED` in id
 * order, and the `dunning_steps` rows, inserted with `ON CONFLICT DO NOTHING` so a step is taken
 * once whoever races for it.
 */
import { DunningSteps, type Ids } from "@securebase/core"
import { DateTime, Effect, Layer, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { mapRead } from "./SqlErrors.ts"

const IdRows = Schema.Array(Schema.Struct({ id: Schema.String }))
const StepRows = Schema.Array(
  Schema.Struct({ kind: Schema.Literals(["reminder", "suspension"]), days: Schema.Number })
)

/** Builds the service over the current `SqlClient`. */
export const make = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  return DunningSteps.DunningSteps.of({
    claim: ({ at, days, after, limit }) =>
      mapRead("DunningSteps.claim")(
        Effect.flatMap(
          sql`SELECT i.id::text FROM invoices i
              WHERE i.status IN ('issued', 'overdue')
                AND i.due_at + make_interval(hours => 24 * ${days}) <= ${DateTime.formatIso(at)}::timestamptz
                AND (${after}::uuid IS NULL OR i.id > ${after}::uuid)
              ORDER BY i.id LIMIT ${limit}
              FOR UPDATE OF i SKIP LOCKED`,
          Schema.decodeUnknownEffect(IdRows)
        )
      ).pipe(
        Effect.map((rows) => rows.map((r) => r.id as Ids.InvoiceId)),
        Effect.withSpan("DunningSteps.claim")
      ),
    taken: (invoiceId) =>
      mapRead("DunningSteps.taken")(
        Effect.flatMap(
          sql`SELECT kind, days FROM dunning_steps
              WHERE invoice_id = ${invoiceId} AND kind IN ('reminder', 'suspension') ORDER BY days`,
          Schema.decodeUnknownEffect(StepRows)
        )
      ).pipe(Effect.withSpan("DunningSteps.taken")),
    record: (step) =>
      mapRead("DunningSteps.record")(
        sql`INSERT INTO dunning_steps (customer_id, invoice_id, kind, days, days_past_due, notification_id, taken_at)
            VALUES (${step.customerId}, ${step.invoiceId}, ${step.kind}, ${step.days}, ${step.daysPastDue},
              ${step.notificationId}::uuid, ${DateTime.formatIso(step.at)}::timestamptz)
            ON CONFLICT DO NOTHING
            RETURNING invoice_id`
      ).pipe(
        Effect.map((rows) => rows.length === 1),
        Effect.withSpan("DunningSteps.record")
      )
  })
})

/** `DunningSteps` on the current `SqlClient`. */
export const layer: Layer.Layer<DunningSteps.DunningSteps, never, SqlClient.SqlClient> = Layer.effect(
  DunningSteps.DunningSteps,
  make
)
