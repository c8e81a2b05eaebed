/**
 * `POST /usage/events`: batch ingestion of usage events, the source of the monthly metrics. Each
 * event carries the sender's idempotency key: a resent batch is counted once; the same key with a
 * different payload is refused (409) and nothing of that batch is stored. An event for a month
 * that has closed (its end plus `USAGE_GRACE`, or invoiced) is refused with 422
 * `USAGE.PERIOD_CLOSED`: an accepted event is always on its month's invoice.
 */
import { Ids, Instant, Metric, Usage } from "@securebase/core"
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
  id: Ids.UsageEventId,
  metric: Metric.MetricCode,
  occurredAt: Instant.FromRfc3339,
  quantity: Usage.Quantity,
  subject: Schema.optional(Usage.Subject)
}).annotate({ identifier: "UsageEventInput" })

/** The most events one request may carry. */
export const maxBatch = 1000

/** A batch of events. */
export const UsageBatch = Schema.Struct({
  events: Schema.Array(UsageEventInput).check(Schema.isMinLength(1), Schema.isMaxLength(maxBatch))
}).annotate({ identifier: "UsageBatch" })

/** What happened to a batch. */
export const UsageReceipt = Schema.Struct({
  received: Schema.Int,
  accepted: Schema.Int,
  duplicates: Schema.Int
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
