/** Usage metrics of the authenticated customer: this month so far (with the bill it would make) and the last 12 months. */
import { Currency, Decimal, Metric, Money, Period } from "@securebase/core"
import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "effect/http-api"
import { Forbidden, Unprocessable } from "../api/ApiErrors.ts"
import { Authentication } from "../auth/Authentication.ts"
import * as Scopes from "../auth/Scopes.ts"

/** One metric's figure for a month. */
export const MetricFigure = Schema.Struct({
  metric: Metric.MetricCode,
  name: Schema.String,
  unit: Schema.String,
  aggregation: Metric.Aggregation,
  quantity: Decimal.Decimal,
  /** The plan's included quantity; null when the plan does not charge for the metric. */
  included: Schema.NullOr(Decimal.Decimal)
}).annotate({ identifier: "MetricFigure" })

/** What the month so far would be billed, were it to end now. */
export const Estimate = Schema.Struct({
  currency: Currency.Currency,
  subtotal: Money.MinorUnits,
  discount: Money.MinorUnits,
  tax: Money.MinorUnits,
  total: Money.MinorUnits
}).annotate({ identifier: "InvoiceEstimate" })

/** The current month. */
export const CurrentMetrics = Schema.Struct({
  period: Period.Period,
  asOf: Schema.String,
  metrics: Schema.Array(MetricFigure),
  estimate: Estimate
}).annotate({ identifier: "CurrentMetrics" })

/** One past month. */
export const MonthMetrics = Schema.Struct({
  period: Period.Period,
  metrics: Schema.Array(Schema.Struct({ metric: Metric.MetricCode, quantity: Decimal.Decimal }))
}).annotate({ identifier: "MonthMetrics" })

/** Metrics endpoints (scope `metrics:read`). */
export class MetricsApi extends HttpApiGroup.make("metrics")
  .add(
    HttpApiEndpoint.get("current", "/metrics", {
      success: CurrentMetrics,
      error: [Forbidden, Unprocessable]
    }).pipe(Scopes.requires("metrics:read")),
    HttpApiEndpoint.get("history", "/metrics/history", {
      success: Schema.Struct({ months: Schema.Array(MonthMetrics) }),
      error: [Forbidden, Unprocessable]
    }).pipe(Scopes.requires("metrics:read"))
  )
  .middleware(Authentication)
  .annotateMerge(OpenApi.annotations({ title: "Metrics" })) {}
