/** Usage metrics of the authenticated customer: this month so far (with the bill it would make) and the last 12 months. */
import { Currency, Decimal, FieldDoc, Metric, Money, Period } from "@securebase/core"
import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "effect/http-api"
import { Forbidden, Unprocessable } from "../api/ApiErrors.ts"
import { Authentication } from "../auth/Authentication.ts"
import * as Scopes from "../auth/Scopes.ts"

/** One metric's figure for a month. */
export const MetricFigure = Schema.Struct({
  metric: Metric.MetricCode.pipe(FieldDoc.describe("The metric's code.")),
  name: Schema.String.pipe(FieldDoc.describe("The metric's name.", ["API calls"])),
  unit: Schema.String.pipe(FieldDoc.describe("The unit the metric counts.", ["call"])),
  aggregation: Metric.Aggregation.pipe(
    FieldDoc.describe(
      "How the month's events make the figure (a sum, a maximum, a count of unique subjects, …)."
    )
  ),
  quantity: Decimal.Decimal.pipe(FieldDoc.describe("The month's figure so far, an exact decimal string.")),
  /** The plan's included quantity; null when the plan does not charge for the metric. */
  included: Schema.NullOr(Decimal.Decimal).pipe(
    FieldDoc.describe(
      "The plan's included quantity, an exact decimal string; null when the plan does not charge for the metric."
    )
  )
}).annotate({ identifier: "MetricFigure" })

/** What the month so far would be billed, were it to end now. */
export const Estimate = Schema.Struct({
  currency: Currency.Currency.pipe(FieldDoc.describe("The currency of the amounts (ISO 4217).")),
  subtotal: Money.MinorUnits.pipe(
    FieldDoc.describe('The lines\' sum so far, in minor units as a string ("12345" = $123.45).', ["12345"])
  ),
  discount: Money.MinorUnits.pipe(
    FieldDoc.describe('The discounts, in minor units as a string ("1000" = $10.00).', ["1000"])
  ),
  tax: Money.MinorUnits.pipe(
    FieldDoc.describe('The tax, in minor units as a string ("823" = $8.23).', ["823"])
  ),
  total: Money.MinorUnits.pipe(
    FieldDoc.describe('What the invoice would come to, in minor units as a string ("12168" = $121.68).', [
      "12168"
    ])
  )
}).annotate({ identifier: "InvoiceEstimate" })

/** The current month. */
export const CurrentMetrics = Schema.Struct({
  period: Period.Period.pipe(FieldDoc.describe("The current month (UTC), `YYYY-MM`.")),
  asOf: Schema.String.pipe(
    FieldDoc.describe("When the figures were read, RFC 3339 UTC.", ["2026-11-28T12:00:00.000Z"])
  ),
  metrics: Schema.Array(MetricFigure).pipe(
    FieldDoc.describe("One figure per metric of the customer's plan.")
  ),
  estimate: Estimate.pipe(FieldDoc.describe("What the month would be billed, were it to end now."))
}).annotate({ identifier: "CurrentMetrics" })

/** One past month. */
export const MonthMetrics = Schema.Struct({
  period: Period.Period.pipe(FieldDoc.describe("The month (UTC), `YYYY-MM`.")),
  metrics: Schema.Array(
    Schema.Struct({
      metric: Metric.MetricCode.pipe(FieldDoc.describe("The metric's code.")),
      quantity: Decimal.Decimal.pipe(FieldDoc.describe("The month's figure, an exact decimal string."))
    })
  ).pipe(FieldDoc.describe("The month's figure per metric."))
}).annotate({ identifier: "MonthMetrics" })

/** Metrics endpoints (scope `metrics:read`). */
export class MetricsApi extends HttpApiGroup.make("metrics")
  .add(
    HttpApiEndpoint.get("current", "/metrics", {
      success: CurrentMetrics,
      error: [Forbidden, Unprocessable]
    })
      .annotateMerge(
        OpenApi.annotations({
          summary: "Get this month's usage",
          description:
            "This month's usage so far per metric of the caller's plan, with the included quantities and an estimate of the invoice the month would make were it to end now (amounts in minor units). Scope `metrics:read`. Errors: 403 `AUTH.SCOPE_MISSING`, 422 `PRICING.*` when the price book cannot price the month (for example `PRICING.NO_BOOK_FOR_CURRENCY`)."
        })
      )
      .pipe(Scopes.requires("metrics:read")),
    HttpApiEndpoint.get("history", "/metrics/history", {
      success: Schema.Struct({
        months: Schema.Array(MonthMetrics).pipe(
          FieldDoc.describe("The twelve complete months before the current one, oldest first.")
        )
      }),
      error: [Forbidden, Unprocessable]
    })
      .annotateMerge(
        OpenApi.annotations({
          summary: "Get the last 12 months of usage",
          description:
            "Usage per metric for each of the twelve complete months before the current one, oldest first. Scope `metrics:read`. Errors: 403 `AUTH.SCOPE_MISSING`, 422 `PRICING.*` when a metric cannot be read."
        })
      )
      .pipe(Scopes.requires("metrics:read"))
  )
  .middleware(Authentication)
  .annotateMerge(OpenApi.annotations({ title: "Metrics" })) {}
