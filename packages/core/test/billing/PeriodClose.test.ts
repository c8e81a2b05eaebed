/**
 * When a period closes: usage is accepted until the month's end plus the grace, and from that
 * instant on (and not one millisecond before) the period is billable.
 */
import { assert, describe, it } from "@effect/vitest"
import { DateTime, Duration, Effect, Schema } from "effect"
import { TestClock } from "effect/testing"
import * as fc from "fast-check"
import { Period, PeriodClose } from "../../src/index.ts"

const p = (s: string) => Schema.decodeUnknownSync(Period.Period)(s)
const at = (iso: string) => DateTime.makeUnsafe(iso)
const hour = Duration.hours(1)

describe("PeriodClose", () => {
  it("earliestAccepted: an instant is at or after it exactly when its period accepts usage", () => {
    const from = Date.UTC(2000, 0, 1)
    const to = Date.UTC(2199, 11, 1)
    fc.assert(
      fc.property(
        fc.integer({ min: from, max: to }),
        // Near the clock most of the time, where the months' edges are.
        fc.oneof(
          fc.integer({ min: from, max: to }),
          fc.integer({ min: -62 * 86_400_000, max: 2 * 86_400_000 })
        ),
        fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 31 * 86_400_000 }), fc.constant(3_600_000)),
        (clock, eventOrOffset, graceMillis) => {
          const now = DateTime.makeUnsafe(clock)
          const event = DateTime.makeUnsafe(
            Math.abs(eventOrOffset) <= 62 * 86_400_000 ? clock + eventOrOffset : eventOrOffset
          )
          const grace = Duration.millis(graceMillis)
          assert.strictEqual(
            DateTime.toEpochMillis(event) >= DateTime.toEpochMillis(PeriodClose.earliestAccepted(now, grace)),
            PeriodClose.acceptsUsage(Period.ofDateTime(event), now, grace),
            `${DateTime.formatIso(event)} at ${DateTime.formatIso(now)}, grace ${graceMillis} ms`
          )
        }
      ),
      { numRuns: 3000 }
    )
    // At the grace's last millisecond the ended month still accepts usage; one later, it does not.
    assert.strictEqual(
      DateTime.formatIso(PeriodClose.earliestAccepted(at("2026-11-01T00:59:59.999Z"), hour)),
      "2026-10-01T00:00:00.000Z"
    )
    assert.strictEqual(
      DateTime.formatIso(PeriodClose.earliestAccepted(at("2026-11-01T01:00:00Z"), hour)),
      "2026-11-01T00:00:00.000Z"
    )
  })

  it("a period becomes billable at its end plus the grace, and accepts usage exactly until then", () => {
    assert.strictEqual(
      DateTime.formatIso(PeriodClose.billableAt(p("2026-10"), hour)),
      "2026-11-01T01:00:00.000Z"
    )
    assert.strictEqual(
      DateTime.formatIso(PeriodClose.billableAt(p("2026-12"), Duration.zero)),
      "2027-01-01T00:00:00.000Z"
    )
    const cases: ReadonlyArray<readonly [string, boolean]> = [
      ["2026-10-15T00:00:00Z", false], // the month in progress
      ["2026-11-01T00:00:00Z", false], // ended, within the grace
      ["2026-11-01T00:59:59.999Z", false], // the grace's last millisecond
      ["2026-11-01T01:00:00Z", true], // closed
      ["2027-03-01T00:00:00Z", true]
    ]
    for (const [instant, billable] of cases) {
      assert.strictEqual(PeriodClose.isBillable(p("2026-10"), at(instant), hour), billable, instant)
      assert.strictEqual(PeriodClose.acceptsUsage(p("2026-10"), at(instant), hour), !billable, instant)
    }
    // A future period is never billable before it has even started.
    assert.isFalse(PeriodClose.isBillable(p("2027-01"), at("2026-11-20T00:00:00Z"), Duration.zero))
  })

  it.effect(
    "requireBillable refuses the current and a future month, naming the instant they become billable",
    () =>
      Effect.gen(function* () {
        yield* TestClock.setTime(DateTime.toEpochMillis(at("2026-11-28T20:00:00Z")))
        for (const [period, billableAt] of [
          ["2026-11", "2026-12-01T01:00:00.000Z"],
          ["2027-02", "2027-03-01T01:00:00.000Z"]
        ] as const) {
          const error = yield* Effect.flip(PeriodClose.requireBillable(p(period)))
          assert.strictEqual(error._tag, "PeriodNotBillable")
          assert.strictEqual(error.code, "BILLING.PERIOD_OPEN")
          assert.strictEqual(DateTime.formatIso(error.billableAt), billableAt)
          assert.include(
            error.message,
            `${period} is still open for usage: it becomes billable at ${billableAt}`
          )
          assert.include(error.message, "usage grace of 1h")
        }
        yield* PeriodClose.requireBillable(p("2026-10"))
      })
  )

  it.effect(
    "requireBillable follows UsageGrace: within a longer grace the month that ended is still open",
    () =>
      Effect.gen(function* () {
        yield* TestClock.setTime(DateTime.toEpochMillis(at("2026-11-01T05:00:00Z")))
        yield* PeriodClose.requireBillable(p("2026-10"))
        const error = yield* Effect.flip(
          PeriodClose.requireBillable(p("2026-10")).pipe(
            Effect.provideService(PeriodClose.UsageGrace, Duration.hours(6))
          )
        )
        assert.strictEqual(DateTime.formatIso(error.billableAt), "2026-11-01T06:00:00.000Z")
        yield* TestClock.adjust("1 hour")
        yield* PeriodClose.requireBillable(p("2026-10")).pipe(
          Effect.provideService(PeriodClose.UsageGrace, Duration.hours(6))
        )
      })
  )

  it("a scheduler bills the month in progress once it has closed", () => {
    const next = PeriodClose.nextToBill(at("2026-10-01T01:00:00Z"), hour)
    assert.strictEqual(next.period, "2026-10")
    assert.strictEqual(DateTime.formatIso(next.at), "2026-11-01T01:00:00.000Z")
    assert.strictEqual(PeriodClose.nextToBill(at("2026-10-17T12:00:00Z"), hour).period, "2026-10")
  })

  it("inside a month's grace, the next to bill is the month that just ended", () => {
    const next = PeriodClose.nextToBill(at("2026-10-01T00:00:00Z"), hour)
    assert.strictEqual(next.period, "2026-09")
    assert.strictEqual(DateTime.formatIso(next.at), "2026-10-01T01:00:00.000Z")
    assert.strictEqual(PeriodClose.nextToBill(at("2026-10-01T00:59:59.999Z"), hour).period, "2026-09")
  })
})
