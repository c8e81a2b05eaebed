/**
 * `POST /usage/events`: batch ingestion of usage events, the source of the monthly metrics. Each
 * event carries the sender's idempotency key: a resent batch is counted once; the same key with a
 * different payload is refused (409) and nothing of that batch is stored. An event for a month
 * that has closed (its end plus `USAGE_GRACE`, or invoiced) is refused with 422
 * `USAGE.PERIOD_CLOSED`: an accepted event is always on its month's invoice.
 */
import { FieldDoc, Ids, Instant, Metric, Usage } from "@securebase/core"
import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "effect/http-api"
import { Conflict, Forbidden, Unprocessable } from "../api/ApiErrors.ts"
import { Authentication } from "../auth/Authentication.ts"
import * as Scopes from "../auth/Scopes.ts"

/**
 * One event as sent; the customer is the authenticated one, never a field of the event. The fields
 * are the core's own `Usage.UsageEvent` rules: RFC 3339 instants in `Instant`'s window, quantities
 * within `Usage.maxQuantity` and `Usage.maxQuantityScale`, a single-line subject.
 */
export const UsageEventInput = Schema.Struct({
  id: Ids.UsageEventId.pipe(
    FieldDoc.describe(
      "The event's idempotency key, chosen by the sender: 1 to 128 letters, digits and `. _ : - /`. Resending it counts the event once.",
      ["evt_2026-11-28_0001"]
    )
  ),
  metric: Metric.MetricCode.pipe(FieldDoc.describe("The metric the event counts toward.", ["api_calls"])),
  occurredAt: Instant.FromRfc3339.pipe(
    FieldDoc.describe("When the event happened, RFC 3339 (any offset; stored as UTC).", [
      "2026-11-28T12:00:00Z"
    ])
  ),
  quantity: Usage.Quantity.pipe(
    FieldDoc.describe("How much, a decimal string with at most 6 decimals.", ["1"])
  ),
  subject: Schema.optional(Usage.Subject).pipe(
    FieldDoc.describe(
      "What a `unique_count` metric counts (an account id, say): one line of up to 256 characters.",
      ["aws-123456789012"]
    )
  )
}).annotate({ identifier: "UsageEventInput" })

/** The most events one request may carry. */
export const maxBatch = 1000

/** A batch of events. */
export const UsageBatch = Schema.Struct({
  events: Schema.Array(UsageEventInput)
    .check(Schema.isMinLength(1), Schema.isMaxLength(maxBatch))
    .pipe(FieldDoc.describe("1 to 1000 events."))
})
  .annotate({ identifier: "UsageBatch" })
  .pipe(
    Schema.annotateEncoded({
      examples: [
        {
          events: [
            {
              id: "evt_2026-11-28_0001",
              metric: "api_calls",
              occurredAt: "2026-11-28T12:00:00Z",
              quantity: "250"
            },
            {
              id: "evt_2026-11-28_0002",
              metric: "accounts",
              occurredAt: "2026-11-28T12:00:05Z",
              quantity: "1",
              subject: "aws-123456789012"
            }
          ]
        }
      ]
    })
  )

/** What happened to a batch. */
export const UsageReceipt = Schema.Struct({
  received: Schema.Int.pipe(FieldDoc.describe("Events in the batch.")),
  accepted: Schema.Int.pipe(FieldDoc.describe("Events stored now.")),
  duplicates: Schema.Int.pipe(
    FieldDoc.describe("Events already stored with the same id and payload, counted once.")
  )
}).annotate({ identifier: "UsageReceipt" })

/** Usage endpoints (scope `usage:write`). */
export class UsageApi extends HttpApiGroup.make("usage")
  .add(
    HttpApiEndpoint.post("ingest", "/usage/events", {
      payload: UsageBatch,
      success: UsageReceipt,
      error: [Forbidden, Conflict, Unprocessable]
    })
      .annotateMerge(
        OpenApi.annotations({
          summary: "Send usage events",
          description:
            "Records a batch of 1 to 1000 usage events for the caller, the source of the monthly metrics and invoices. Each event's `id` is the sender's idempotency key: a resent event is counted once (`duplicates`), and the batch is stored all or nothing. Scope `usage:write`. Errors: 400 `REQUEST.INVALID` (a malformed event, with `field`), 403 `AUTH.SCOPE_MISSING`, 409 `USAGE.EVENT_CONFLICT` (a known id with a different payload), 422 `USAGE.UNKNOWN_METRIC`, `USAGE.IN_FUTURE`, `USAGE.PERIOD_CLOSED` or `USAGE.PERIOD_INVOICED` (a month closed after its grace period or already invoiced)."
        })
      )
      .pipe(Scopes.requires("usage:write"))
  )
  .middleware(Authentication)
  .annotateMerge(OpenApi.annotations({ title: "Usage" })) {}
