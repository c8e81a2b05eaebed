/**
 * Laws of usage aggregation: how events were batched, ordered or resent never changes a month's
 * figures, events outside the period never count, and a key reused with other content is a typed
 * error rather than a silent overwrite.
 */
import { assert, describe, it } from "@effect/vitest"
import { Arbitrary, BigDecimal, Effect } from "effect"
import { type Metric, Period, Usage } from "../../src/index.ts"
import { Primitives, UsageArbitrary } from "../../src/testing/index.ts"

const runs = { arbitrary: { runs: 120 } }

/** A customer's month of events over a random catalogue (with resends and strays half the time). */
const monthOf = (minEvents: number) =>
  Arbitrary.flatMap(
    Arbitrary.all({
      catalog: UsageArbitrary.catalog,
      resends: Primitives.boolean,
      strays: Primitives.boolean
    }),
    ({ catalog, resends, strays }) =>
      Arbitrary.map(UsageArbitrary.customerUsage({ catalog, resends, strays, minEvents }), (u) => ({
        ...u,
        catalog
      }))
  )
const month = monthOf(0)

type Month = typeof month extends Arbitrary.Arbitrary<infer A> ? A : never

const aggregate = (m: Month, events: ReadonlyArray<Usage.UsageEvent>) =>
  Usage.aggregate({ catalog: m.catalog, customerId: m.customerId, period: m.period, events })

const assertSameMetrics = (a: Usage.Metrics, b: Usage.Metrics) => {
  assert.deepStrictEqual(Array.from(a.keys()), Array.from(b.keys()))
  for (const [code, value] of a) {
    assert.isTrue(BigDecimal.equals(value, b.get(code)!), `${code}: ${value} ≠ ${b.get(code)}`)
  }
}

/** Combines two batches' figures by the metric's aggregation, where that is possible from figures alone. */
const combine = (kind: Metric.Aggregation, a: BigDecimal.BigDecimal, b: BigDecimal.BigDecimal) =>
  kind === "sum" || kind === "count"
    ? BigDecimal.sum(a, b)
    : kind === "max"
      ? BigDecimal.max(a, b)
      : undefined

describe("laws: Usage.aggregate", () => {
  it.effect.prop(
    "aggregation is invariant under the order the events arrive in",
    {
      m: Arbitrary.flatMap(month, (m) =>
        Arbitrary.map(Primitives.shuffled(m.events), (order) => ({ m, order }))
      )
    },
    ({ m: { m, order } }) =>
      Effect.gen(function* () {
        assertSameMetrics(yield* aggregate(m, m.events), yield* aggregate(m, order))
      }),
    runs
  )

  it.effect.prop(
    "splitting the events into two batches and resending the first gives the same aggregate",
    {
      m: Arbitrary.flatMap(month, (m) =>
        Arbitrary.map(Primitives.int(0, m.events.length), (cut) => ({ m, cut }))
      )
    },
    ({ m: { m, cut } }) =>
      Effect.gen(function* () {
        const whole = yield* aggregate(m, m.events)
        assertSameMetrics(whole, yield* aggregate(m, [...m.events, ...m.events.slice(0, cut)]))
        // Two batches of distinct events: per-batch figures of sum, count and max metrics combine
        // into the whole month's figure (a resent event in both batches would rightly not).
        const distinct = yield* Usage.deduplicate(m.events)
        const first = distinct.slice(0, cut)
        const second = distinct.slice(cut)
        assertSameMetrics(whole, yield* aggregate(m, [...first, ...second, ...first]))
        const a = yield* aggregate(m, first)
        const b = yield* aggregate(m, second)
        for (const [code, definition] of m.catalog) {
          const combined = combine(definition.aggregation, a.get(code)!, b.get(code)!)
          if (combined !== undefined) assert.isTrue(BigDecimal.equals(combined, whole.get(code)!), code)
        }
      }),
    runs
  )

  it.effect.prop(
    "events outside the period never count, and every catalogue metric is present",
    { m: month },
    ({ m }) =>
      Effect.gen(function* () {
        const inside = m.events.filter((e) => Period.contains(m.period, e.occurredAt))
        const all = yield* aggregate(m, m.events)
        assertSameMetrics(all, yield* aggregate(m, inside))
        assert.deepStrictEqual(new Set(all.keys()), new Set(m.catalog.keys()))
        for (const value of all.values()) assert.isFalse(BigDecimal.isNegative(value))
      }),
    runs
  )

  it.effect.prop(
    "a key resent with different content is a typed UsageEventConflict, in any order",
    {
      m: Arbitrary.flatMap(monthOf(1), (m) =>
        Arbitrary.map(
          Arbitrary.all({ i: Primitives.int(0, m.events.length - 1), before: Primitives.boolean }),
          ({ i, before }) => ({ m, i, before })
        )
      )
    },
    ({ m: { m, i, before } }) =>
      Effect.gen(function* () {
        const original = m.events[i]!
        const altered = new Usage.UsageEvent({
          ...original,
          quantity: BigDecimal.sum(original.quantity, BigDecimal.fromBigInt(1n))
        })
        const events = before ? [altered, ...m.events] : [...m.events, altered]
        const error = yield* Effect.flip(aggregate(m, events))
        assert.strictEqual(error._tag, "UsageEventConflict")
        if (error._tag === "UsageEventConflict") {
          assert.strictEqual(error.id, original.id)
          assert.strictEqual(error.code, "USAGE.EVENT_CONFLICT")
        }
      }),
    runs
  )
})
