/**
 * Usage events and their aggregation into a month's metrics.
 *
 * An event is identified by its idempotency key: the same key sent again (a retried batch) is the
 * same event and counts once; the same key with a different payload is a conflict, never a silent
 * overwrite. Aggregation is order-independent, so how events were batched never changes a bill.
 */
import { BigDecimal, DateTime, Effect, Option, Schema } from "effect"
import * as Period from "../billing/Period.ts"
import { CustomerId, UsageEventId } from "../Ids.ts"
import { Instant } from "../Instant.ts"
import * as Decimal from "../money/Decimal.ts"
import { NonNegativeDecimal } from "../money/Decimal.ts"
import * as Text from "../Text.ts"
import { type Aggregation, type Catalog, MetricCode } from "./Metric.ts"

/**
 * The largest quantity one event may carry: 10^9 (a billion calls, an exabyte in GB). With
 * {@link maxQuantityScale}, an event's quantity has at most 16 significant digits, so sums over any
 * realistic month stay far below what a decimal figure on the API can show. At the reference card's
 * prices one event is at most about $90 million of data transfer, and about 975,000 of them in one
 * month are needed before an invoice passes `Money.maxMinor`; past it (or with a price book dear
 * enough), `Invoicing.priceInvoice` fails with `AmountOutOfRange`, never an unstorable invoice.
 */
export const maxQuantity: BigDecimal.BigDecimal = Decimal.unsafe("1000000000")

/** The most decimal places a quantity may have (6: kilobytes of a GB, microseconds of a second). */
export const maxQuantityScale = 6

/** An event's quantity: 0 to {@link maxQuantity}, with at most {@link maxQuantityScale} decimals. */
export const Quantity = NonNegativeDecimal.check(
  Schema.isLessThanOrEqualToBigDecimal(maxQuantity, {
    message: "must be at most 1000000000 (10^9) per event"
  }),
  Schema.makeFilter(
    (q: BigDecimal.BigDecimal) =>
      BigDecimal.normalize(q).scale <= maxQuantityScale ||
      `must have at most ${maxQuantityScale} decimal places`
  )
).annotate({ identifier: "UsageQuantity" })

/** What a `unique_count` metric counts (an account id, say): one line of up to 256 characters. */
export const Subject = Text.singleLine({ minimum: 1, maximum: 256 })

/**
 * One usage event. `subject` names what `unique_count` metrics count (an account id, say). The
 * schema is the contract for every writer, the API and an embedder alike: an instant within the
 * window of `Instant`, a bounded quantity, a subject PostgreSQL stores unchanged.
 */
export class UsageEvent extends Schema.Class<UsageEvent>("@securebase/core/UsageEvent")({
  id: UsageEventId,
  customerId: CustomerId,
  metric: MetricCode,
  occurredAt: Instant,
  quantity: Quantity,
  subject: Schema.optional(Subject)
}) {}

/** A month's totals per metric; every catalogue metric is present (zero when unused). */
export type Metrics = ReadonlyMap<MetricCode, BigDecimal.BigDecimal>

/** Two events share an idempotency key but differ in content. */
export class UsageEventConflict extends Schema.TaggedError<UsageEventConflict>()("UsageEventConflict", {
  id: UsageEventId
}) {
  /** Stable error code. */
  readonly code = "USAGE.EVENT_CONFLICT"
}

/** An event names a metric the catalogue does not define. */
export class UnknownMetric extends Schema.TaggedError<UnknownMetric>()("UnknownMetric", {
  metric: Schema.String
}) {
  /** Stable error code. */
  readonly code = "USAGE.UNKNOWN_METRIC"
}

/** An event of another customer was handed to this customer's aggregation. */
export class ForeignUsageEvent extends Schema.TaggedError<ForeignUsageEvent>()("ForeignUsageEvent", {
  id: UsageEventId,
  expected: CustomerId,
  actual: CustomerId
}) {
  /** Stable error code. */
  readonly code = "USAGE.FOREIGN_EVENT"
}

/** Whether two events with the same key carry the same content (a harmless resend). */
export const sameContent = (a: UsageEvent, b: UsageEvent): boolean =>
  a.customerId === b.customerId &&
  a.metric === b.metric &&
  DateTime.toEpochMillis(a.occurredAt) === DateTime.toEpochMillis(b.occurredAt) &&
  BigDecimal.equals(a.quantity, b.quantity) &&
  a.subject === b.subject

/**
 * Removes resent duplicates (same key, same content) and fails on a conflicting duplicate. The
 * result keeps the first occurrence of each key, in input order.
 */
export const deduplicate = (
  events: Iterable<UsageEvent>
): Effect.Effect<ReadonlyArray<UsageEvent>, UsageEventConflict> =>
  Effect.suspend(() => {
    const seen = new Map<UsageEventId, UsageEvent>()
    for (const e of events) {
      const prior = seen.get(e.id)
      if (prior === undefined) seen.set(e.id, e)
      else if (!sameContent(prior, e)) return Effect.fail(new UsageEventConflict({ id: e.id }))
    }
    return Effect.succeed(Array.from(seen.values()))
  })

interface Accumulator {
  sum: BigDecimal.BigDecimal
  count: bigint
  max: BigDecimal.BigDecimal
  latest: { at: number; id: string; quantity: BigDecimal.BigDecimal } | undefined
  subjects: Set<string>
}

/**
 * Aggregates one customer's events into the metrics of a period. Events outside the period are
 * ignored (they belong to another month's bill); every other problem is a typed error.
 */
export const aggregate = (options: {
  readonly catalog: Catalog
  readonly customerId: CustomerId
  readonly period: Period.Period
  readonly events: Iterable<UsageEvent>
}): Effect.Effect<Metrics, UsageEventConflict | UnknownMetric | ForeignUsageEvent> =>
  Effect.flatMap(
    deduplicate(options.events),
    (events): Effect.Effect<Metrics, UnknownMetric | ForeignUsageEvent> => {
      const from = DateTime.toEpochMillis(Period.start(options.period))
      const to = DateTime.toEpochMillis(Period.end(options.period))
      const acc = new Map<MetricCode, Accumulator>()
      for (const code of options.catalog.keys()) {
        acc.set(code, {
          sum: Decimal.zero,
          count: 0n,
          max: Decimal.zero,
          latest: undefined,
          subjects: new Set()
        })
      }
      for (const e of events) {
        if (e.customerId !== options.customerId) {
          return Effect.fail(
            new ForeignUsageEvent({ id: e.id, expected: options.customerId, actual: e.customerId })
          )
        }
        const a = acc.get(e.metric)
        if (a === undefined) return Effect.fail(new UnknownMetric({ metric: e.metric }))
        const at = DateTime.toEpochMillis(e.occurredAt)
        if (at < from || at >= to) continue
        a.sum = BigDecimal.sum(a.sum, e.quantity)
        a.count += 1n
        if (BigDecimal.isGreaterThan(e.quantity, a.max)) a.max = e.quantity
        // The latest event wins; equal instants are ordered by key so the result never depends on
        // the order the events arrived in.
        if (a.latest === undefined || at > a.latest.at || (at === a.latest.at && e.id > a.latest.id)) {
          a.latest = { at, id: e.id, quantity: e.quantity }
        }
        if (e.subject !== undefined) a.subjects.add(e.subject)
      }
      const metrics = new Map<MetricCode, BigDecimal.BigDecimal>()
      for (const [code, a] of acc) {
        const definition = options.catalog.get(code)!
        metrics.set(code, finish(definition.aggregation, a))
      }
      return Effect.succeed(metrics as Metrics)
    }
  )

const finish = (aggregation: Aggregation, a: Accumulator): BigDecimal.BigDecimal => {
  switch (aggregation) {
    case "sum":
      return BigDecimal.normalize(a.sum)
    case "count":
      return BigDecimal.fromBigInt(a.count)
    case "max":
      return BigDecimal.normalize(a.max)
    case "latest":
      return a.latest === undefined ? Decimal.zero : BigDecimal.normalize(a.latest.quantity)
    case "unique_count":
      return BigDecimal.fromBigInt(BigInt(a.subjects.size))
  }
}

/** A literal figure handed to {@link metrics} is not a non-negative decimal string. */
export class InvalidFigure extends Schema.TaggedError<InvalidFigure>()("InvalidFigure", {
  metric: Schema.String,
  figure: Schema.String
}) {
  /** Stable error code. */
  readonly code = "USAGE.INVALID_FIGURE"
}

/**
 * Metrics from literal figures, for tests, examples and quotes: unspecified catalogue metrics are
 * zero; a figure for a metric the catalogue does not define fails with {@link UnknownMetric}, and
 * one that is not a non-negative decimal with {@link InvalidFigure}.
 */
export const metrics = (
  catalog: Catalog,
  figures: Partial<Record<string, string>>
): Effect.Effect<Metrics, UnknownMetric | InvalidFigure> =>
  Effect.suspend((): Effect.Effect<Metrics, UnknownMetric | InvalidFigure> => {
    for (const code of Object.keys(figures)) {
      if (!catalog.has(code as MetricCode)) return Effect.fail(new UnknownMetric({ metric: code }))
    }
    const out = new Map<MetricCode, BigDecimal.BigDecimal>()
    for (const code of catalog.keys()) {
      const figure = figures[code]
      if (figure === undefined) {
        out.set(code, Decimal.zero)
        continue
      }
      const decoded = Schema.decodeUnknownOption(NonNegativeDecimal)(figure)
      if (Option.isNone(decoded)) return Effect.fail(new InvalidFigure({ metric: code, figure }))
      out.set(code, decoded.value)
    }
    return Effect.succeed(out as Metrics)
  })

/**
 * Each transaction's quantity, per metric, for charges priced per transaction (a percentage of
 * each payment, say): the in-period events of the metric, deduplicated, ordered by time then key.
 */
export type Transactions = ReadonlyMap<MetricCode, ReadonlyArray<BigDecimal.BigDecimal>>

/**
 * The transactions of the given metrics in a period, from one customer's events: resends count
 * once (a conflicting resend fails), events outside the period are ignored, and the order is by
 * time then idempotency key, so it never depends on arrival order. Every asked metric is present.
 */
export const transactions = (options: {
  readonly customerId: CustomerId
  readonly period: Period.Period
  readonly events: Iterable<UsageEvent>
  readonly metrics: Iterable<MetricCode>
}): Effect.Effect<Transactions, UsageEventConflict | ForeignUsageEvent> =>
  Effect.flatMap(deduplicate(options.events), (events) => {
    const from = DateTime.toEpochMillis(Period.start(options.period))
    const to = DateTime.toEpochMillis(Period.end(options.period))
    const wanted = new Map<MetricCode, Array<{ at: number; id: string; quantity: BigDecimal.BigDecimal }>>()
    for (const code of options.metrics) wanted.set(code, [])
    for (const e of events) {
      if (e.customerId !== options.customerId) {
        return Effect.fail(
          new ForeignUsageEvent({ id: e.id, expected: options.customerId, actual: e.customerId })
        )
      }
      const list = wanted.get(e.metric)
      const at = DateTime.toEpochMillis(e.occurredAt)
      if (list === undefined || at < from || at >= to) continue
      list.push({ at, id: e.id, quantity: e.quantity })
    }
    const out = new Map<MetricCode, ReadonlyArray<BigDecimal.BigDecimal>>()
    for (const [code, list] of wanted) {
      list.sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      out.set(
        code,
        list.map((t) => BigDecimal.normalize(t.quantity))
      )
    }
    return Effect.succeed(out as Transactions)
  })
