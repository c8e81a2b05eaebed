/**
 * Laws of proration: a month's segments cover its days exactly, a plan's fee split by day adds up
 * to the fee, credit plus charge for an unchanged plan is zero, and the segments of any history
 * charge exactly the whole fee when every plan costs the same (no cent lost or invented).
 */
import { assert, describe, it } from "@effect/vitest"
import { Arbitrary, DateTime } from "effect"
import { Money, Period, Proration } from "../../src/index.ts"
import { MoneyArbitrary, Primitives } from "../../src/testing/index.ts"

const runs = { arbitrary: { runs: 300 } }

const period = Arbitrary.map(
  Arbitrary.all({ year: Primitives.int(2000, 2099), month: Primitives.int(1, 12) }),
  ({ year, month }) => Period.make(year, month)
)

/** A month, a plan at its start, and changes at instants in and around it. */
const history = Arbitrary.flatMap(period, (p) => {
  const start = DateTime.toEpochMillis(Period.start(p))
  const span = DateTime.toEpochMillis(Period.end(p)) - start
  return Arbitrary.map(
    Arbitrary.all({
      initial: Primitives.element(["a", "b", "c"] as const),
      changes: Arbitrary.array(
        Arbitrary.all({
          offset: Primitives.int(-span / 4, span + span / 4),
          to: Primitives.element(["a", "b", "c"] as const)
        }),
        { maxLength: 6 }
      )
    }),
    ({ initial, changes }) => ({
      period: p,
      initial,
      changes: changes.map((c) => ({ effectiveAt: DateTime.makeUnsafe(start + c.offset), to: c.to }))
    })
  )
})

describe("laws: Proration", () => {
  it.prop(
    "the segments' days sum to the month's, in order, without gaps, and no segment is empty",
    { h: history },
    ({ h }) => {
      const segments = Proration.segments(h.period, h.initial, h.changes)
      assert.strictEqual(segments[0]!.fromDay, 0)
      assert.strictEqual(segments.at(-1)!.toDay, Proration.daysIn(h.period))
      for (let i = 0; i < segments.length; i++) {
        assert.isAbove(segments[i]!.toDay, segments[i]!.fromDay)
        if (i > 0) {
          assert.strictEqual(segments[i]!.fromDay, segments[i - 1]!.toDay)
          assert.notStrictEqual(segments[i]!.plan, segments[i - 1]!.plan)
        }
      }
      const days = segments.reduce((n, s) => n + (s.toDay - s.fromDay), 0)
      assert.strictEqual(days, Proration.daysIn(h.period))
    },
    runs
  )

  it.prop(
    "a fee split by day adds up to the fee, and its days differ by at most one minor unit",
    { fee: MoneyArbitrary.money(), p: period },
    ({ fee, p }) => {
      const parts = Proration.byDay(fee, Proration.daysIn(p))
      assert.strictEqual(Money.sum(fee.currency, parts).minor, fee.minor)
      const minors = parts.map((m) => m.minor)
      const spread = minors.reduce((a, b) => (a > b ? a : b)) - minors.reduce((a, b) => (a < b ? a : b))
      assert.isTrue(spread <= 1n)
    },
    runs
  )

  it.prop(
    "credit plus charge for an unchanged plan is zero; used plus credited is the whole fee",
    { fee: MoneyArbitrary.money(), p: period, dayFraction: Primitives.int(0, 1000) },
    ({ fee, p, dayFraction }) => {
      const days = Proration.daysIn(p)
      const day = Math.floor((days * dayFraction) / 1000)
      const a = Proration.adjustment(fee, fee, days, day)
      assert.strictEqual(Money.subtract(a.charge, a.credit).minor, 0n)
      assert.strictEqual(Money.add(Proration.share(fee, days, 0, day), a.credit).minor, fee.minor)
      assert.strictEqual(a.daysUsed + a.daysRemaining, days)
    },
    runs
  )

  it.prop(
    "whatever the history, segments of equally priced plans charge exactly the whole fee",
    { h: history, fee: MoneyArbitrary.money({ currency: "USD" }) },
    ({ h, fee }) => {
      const days = Proration.daysIn(h.period)
      const charged = Proration.segments(h.period, h.initial, h.changes).map((s) =>
        Proration.share(fee, days, s.fromDay, s.toDay)
      )
      assert.strictEqual(Money.sum("USD", charged).minor, fee.minor)
    },
    runs
  )
})

describe("Proration: the documented example", () => {
  it("standard $500.00 to fintech $2,500.00 on 16 November: $250.05 + $1,249.95", () => {
    const p = Period.make(2026, 11)
    const at = DateTime.makeUnsafe("2026-11-16T10:00:00Z")
    const segments = Proration.segments(p, "standard", [{ effectiveAt: at, to: "fintech" }])
    assert.deepStrictEqual(
      segments.map((s) => [s.plan, s.fromDay, s.toDay]),
      [
        ["standard", 0, 15],
        ["fintech", 15, 30]
      ]
    )
    assert.deepStrictEqual(segments[1]!.from, at, "usage follows the exact instant")
    const standard = Money.unsafeMajor("USD", "500.00")
    const fintech = Money.unsafeMajor("USD", "2500.00")
    assert.strictEqual(Money.format(Proration.share(standard, 30, 0, 15)), "$250.05")
    const adj = Proration.adjustment(standard, fintech, 30, 15)
    assert.strictEqual(Money.format(adj.credit), "$249.95")
    assert.strictEqual(Money.format(adj.charge), "$1,249.95")
    assert.strictEqual(Money.format(Money.add(Money.subtract(standard, adj.credit), adj.charge)), "$1,500.00")
  })

  it("a change at the month's first instant leaves no old-plan segment; changes outside are ignored", () => {
    const p = Period.make(2026, 2)
    assert.strictEqual(Proration.daysIn(p), 28)
    const segments = Proration.segments(p, "a", [
      { effectiveAt: Period.start(p), to: "b" },
      { effectiveAt: Period.end(p), to: "c" }
    ])
    // The change at the first instant is in force for the whole month: the history's plan at the
    // start is the caller's `initial`, so it is not "inside" the month.
    assert.deepStrictEqual(
      segments.map((s) => [s.plan, s.fromDay, s.toDay]),
      [["a", 0, 28]]
    )
  })
})
