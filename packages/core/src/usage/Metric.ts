/**
 * Billable metrics (the reference card's `usage_metrics` columns) and how each is aggregated over a
 * month from usage events. The catalogue is data, so a team can add its own metrics.
 */
import { Schema } from "effect"

/** A metric code such as `api_calls`. */
export const MetricCode = Schema.String.check(
  Schema.isPattern(/^[a-z][a-z0-9_]{0,62}$/u, { message: "expected a metric code such as api_calls" })
)
  .pipe(Schema.brand("MetricCode"))
  .annotate({ identifier: "MetricCode" })
export type MetricCode = typeof MetricCode.Type

/**
 * How events become a month's figure:
 * - `sum`: total of the quantities (API calls, GB transferred)
 * - `count`: number of events (scans run)
 * - `max`: the peak quantity (storage high-water mark)
 * - `latest`: the quantity of the most recent event (end-of-month size)
 * - `unique_count`: number of distinct subjects (accounts under management)
 */
export const Aggregation = Schema.Literals(["sum", "count", "max", "latest", "unique_count"])
export type Aggregation = typeof Aggregation.Type

/** A metric's definition. */
export class MetricDefinition extends Schema.Class<MetricDefinition>("@securebase/core/MetricDefinition")({
  code: MetricCode,
  name: Schema.NonEmptyString,
  unit: Schema.NonEmptyString,
  aggregation: Aggregation
}) {}

const def = (code: string, name: string, unit: string, aggregation: Aggregation): MetricDefinition =>
  new MetricDefinition({ code: code as MetricCode, name, unit, aggregation })

/** The metrics of the reference card. */
export const defaults = {
  api_calls: def("api_calls", "API calls", "call", "sum"),
  accounts: def("accounts", "Managed cloud accounts", "account", "unique_count"),
  storage_gb: def("storage_gb", "Evidence storage (peak)", "GB", "max"),
  data_transfer_gb: def("data_transfer_gb", "Data transfer", "GB", "sum"),
  compliance_scans: def("compliance_scans", "Compliance scans", "scan", "count"),
  log_archive_gb: def("log_archive_gb", "Audit log archive (month end)", "GB", "latest")
} as const

/** A catalogue of metric definitions keyed by code. */
export type Catalog = ReadonlyMap<MetricCode, MetricDefinition>

/** Builds a catalogue from definitions. */
export const catalog = (definitions: Iterable<MetricDefinition>): Catalog =>
  new Map(Array.from(definitions, (d) => [d.code, d] as const))

/** The default catalogue. */
export const defaultCatalog: Catalog = catalog(Object.values(defaults))

/** The code of a default metric, typed. */
export const code = (c: keyof typeof defaults): MetricCode => defaults[c].code
