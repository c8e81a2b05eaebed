/** The month-end forecast and the history's first month. */
import { assert, describe, it } from "@effect/vitest"
import { days, elapsedShare, monthsSince, project } from "../src/usage/Forecast.ts"

describe("the month-end forecast", () => {
  it("projects accumulating metrics linearly from the elapsed share of the UTC month", () => {
    const asOf = new Date(Date.UTC(2026, 10, 16)) // 15 of November's 30 days
    const share = elapsedShare("2026-11", asOf)
    assert.strictEqual(share, 0.5)
    assert.strictEqual(project("sum", 1000, share), 2000)
    assert.strictEqual(project("count", 31, share), 62)
    assert.deepStrictEqual(days("2026-11", asOf), { elapsed: 15, total: 30 })
  })

  it("holds levels (max, latest, unique count) at their current value", () => {
    for (const aggregation of ["max", "latest", "unique_count"] as const)
      assert.strictEqual(project(aggregation, 507, 0.1), 507)
  })

  it("never divides by zero at the first instant of the month, and stops at the month's end", () => {
    assert.isAbove(elapsedShare("2026-11", new Date(Date.UTC(2026, 10, 1))), 0)
    assert.strictEqual(elapsedShare("2026-11", new Date(Date.UTC(2026, 11, 5))), 1)
  })
})

describe("monthsSince", () => {
  const months = ["2025-12", "2026-01", "2026-02", "2026-08", "2026-09", "2026-10"].map((period) => ({
    period
  }))

  it("drops the months before the customer existed (no empty months before it)", () => {
    const since = new Date(Date.UTC(2026, 7, 1)) // August 2026
    assert.deepStrictEqual(
      monthsSince(months, since).map((m) => m.period),
      ["2026-08", "2026-09", "2026-10"]
    )
  })

  it("keeps the month of creation even when created late in it, and all months when the date is unknown", () => {
    const since = new Date(Date.UTC(2026, 8, 30, 23, 59))
    assert.deepStrictEqual(
      monthsSince(months, since).map((m) => m.period),
      ["2026-09", "2026-10"]
    )
    assert.strictEqual(monthsSince(months, null).length, months.length)
  })
})
