/**
 * Generators of usage: customer ids, billing periods, metric catalogues, a month's metrics, and
 * usage event streams for one customer within a period, optionally with resent batches (the same
 * idempotency key and content sent again, which must count once).
 */
import { Arbitrary, type BigDecimal, DateTime } from "effect"
import * as Period from "../billing/Period.ts"
import type { CustomerId, UsageEventId } from "../Ids.ts"
import * as Instant from "../Instant.ts"
import * as Decimal from "../money/Decimal.ts"
import * as Metric from "../usage/Metric.ts"
import { type Metrics, UsageEvent } from "../usage/Usage.ts"
import { decimal, quantity } from "./DecimalArbitrary.ts"
import { bigint, boolean, element, int, oneOf, shuffled, subset } from "./Primitives.ts"

/** A customer id: a UUID (version 4 layout). */
export const customerId: Arbitrary.Arbitrary<CustomerId> = Arbitrary.map(
  bigint(0n, 2n ** 48n - 1n),
  (n) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}` as CustomerId
)

/** A billing period between 2000-01 and 2099-12. */
export const period: Arbitrary.Arbitrary<Period.Period> = Arbitrary.map(
  Arbitrary.all([int(2000, 2099), int(1, 12)]),
  ([year, month]) => Period.make(year, month)
)

/** Any aggregation kind. */
export const aggregation: Arbitrary.Arbitrary<Metric.Aggregation> = element(Metric.Aggregation.literals)

/** A catalogue of 1..6 metrics (codes `m1`, `m2`, ...), each with a random aggregation kind. */
export const catalog: Arbitrary.Arbitrary<Metric.Catalog> = Arbitrary.map(
  Arbitrary.array(aggregation, { minLength: 1, maxLength: 6 }),
  (kinds) =>
    Metric.catalog(
      kinds.map(
        (aggregation, i) =>
          new Metric.MetricDefinition({
            code: `m${i + 1}` as Metric.MetricCode,
            name: `Metric ${i + 1}`,
            unit: "unit",
            aggregation
          })
      )
    )
)

/**
 * A month's metrics for a catalogue (the reference card's when none is given): every metric
 * present, each zero or a {@link quantity}.
 */
export const metrics = (forCatalog: Metric.Catalog = Metric.defaultCatalog): Arbitrary.Arbitrary<Metrics> => {
  const codes = Array.from(forCatalog.keys())
  const figure = oneOf(Arbitrary.Constant(Decimal.zero), quantity)
  return Arbitrary.map(
    Arbitrary.all(codes.map(() => figure)),
    (figures): Metrics => new Map(codes.map((code, i) => [code, figures[i]!]))
  )
}

/**
 * One metric's transactions for a period: 0..`maxCount` (default 20) quantities of 0..`max`
 * (default 10,000) with up to 2 decimals, in order.
 */
export const transactionList = (
  options: { readonly maxCount?: number; readonly max?: string } = {}
): Arbitrary.Arbitrary<ReadonlyArray<BigDecimal.BigDecimal>> =>
  Arbitrary.array(decimal({ max: options.max ?? "10000", maxScale: 2 }), {
    maxLength: options.maxCount ?? 20
  })

/** Options of {@link usageEvents}. */
export interface UsageEventsOptions {
  readonly customerId: CustomerId
  readonly period: Period.Period
  /** The metrics events may name (default: the reference card's). */
  readonly catalog?: Metric.Catalog | undefined
  /** At least this many distinct events (default 0). */
  readonly minEvents?: number | undefined
  /** At most this many distinct events (default 30). */
  readonly maxEvents?: number | undefined
  /** Also resend a subset of the events (same key, same content) and shuffle the stream. */
  readonly resends?: boolean | undefined
  /** Also produce events a day either side of the period, which its bill must ignore. */
  readonly strays?: boolean | undefined
}

const day = 86_400_000

/**
 * A stream of one customer's usage events: unique idempotency keys (`evt-1`, `evt-2`, ...),
 * metrics of the catalogue, instants inside the period (often on shared instants, to exercise
 * ties), quantities 0..1,000 with up to 3 decimals and subjects from a small pool.
 */
export const usageEvents = (options: UsageEventsOptions): Arbitrary.Arbitrary<ReadonlyArray<UsageEvent>> => {
  const codes = Array.from((options.catalog ?? Metric.defaultCatalog).keys())
  const from = DateTime.toEpochMillis(Period.start(options.period))
  const to = DateTime.toEpochMillis(Period.end(options.period))
  // Strays before the period never precede the earliest instant an event may carry.
  const lo = options.strays === true ? Math.max(from - day, DateTime.toEpochMillis(Instant.earliest)) : from
  const hi = options.strays === true ? to + day : to
  const instant = oneOf(
    int(lo, hi - 1),
    // A handful of shared instants, including both edges of the period, so `latest` sees ties.
    element([from, from + day, to - day, to - 1])
  )
  const one = Arbitrary.all({
    metric: element(codes),
    at: instant,
    quantity: decimal({ max: "1000", maxScale: 3 }),
    subject: element([undefined, "acct-1", "acct-2", "acct-3", "acct-4"])
  })
  const distinct = Arbitrary.map(
    Arbitrary.array(one, {
      minLength: options.minEvents ?? 0,
      maxLength: Math.max(options.maxEvents ?? 30, options.minEvents ?? 0)
    }),
    (raw) =>
      raw.map(
        (e, i) =>
          new UsageEvent({
            id: `evt-${i + 1}` as UsageEventId,
            customerId: options.customerId,
            metric: e.metric,
            occurredAt: DateTime.makeUnsafe(e.at),
            quantity: e.quantity,
            ...(e.subject === undefined ? {} : { subject: e.subject })
          })
      )
  )
  return options.resends === true ? Arbitrary.flatMap(distinct, withResends) : distinct
}

/** The events with a subset of them sent again (the same objects, so the same content), shuffled. */
export const withResends = (
  events: ReadonlyArray<UsageEvent>
): Arbitrary.Arbitrary<ReadonlyArray<UsageEvent>> =>
  Arbitrary.flatMap(subset(events), (again) => shuffled([...events, ...again]))

/**
 * A customer, a period and that customer's events within it (with resends when asked), for laws
 * about aggregation.
 */
export const customerUsage = (
  options: Omit<UsageEventsOptions, "customerId" | "period"> = {}
): Arbitrary.Arbitrary<{
  readonly customerId: CustomerId
  readonly period: Period.Period
  readonly events: ReadonlyArray<UsageEvent>
}> =>
  Arbitrary.flatMap(Arbitrary.all({ customerId, period, resends: boolean }), (base) =>
    Arbitrary.map(
      usageEvents({
        ...options,
        customerId: base.customerId,
        period: base.period,
        resends: options.resends ?? base.resends
      }),
      (events) => ({ customerId: base.customerId, period: base.period, events })
    )
  )
