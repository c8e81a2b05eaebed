import { assert, describe, it } from "@effect/vitest"
import { DateTime, Schema } from "effect"
import { Period } from "../../src/index.ts"

const p = (s: string) => Schema.decodeUnknownSync(Period.Period)(s)

describe("Period", () => {
  it("is the half-open UTC month", () => {
    assert.strictEqual(DateTime.formatIso(Period.start(p("2026-10"))), "2026-10-01T00:00:00.000Z")
    assert.strictEqual(DateTime.formatIso(Period.end(p("2026-12"))), "2027-01-01T00:00:00.000Z")
    assert.isTrue(Period.contains(p("2026-02"), DateTime.makeUnsafe("2026-02-28T23:59:59.999Z")))
    assert.isFalse(Period.contains(p("2026-02"), DateTime.makeUnsafe("2026-03-01T00:00:00Z")))
  })

  it("steps across years", () => {
    assert.strictEqual(Period.next(p("2026-12")), "2027-01")
    assert.strictEqual(Period.previous(p("2026-01")), "2025-12")
    assert.deepStrictEqual(Period.trailing(p("2026-02"), 3), ["2025-12", "2026-01", "2026-02"])
    assert.strictEqual(Period.trailing(p("2026-10"), 12).length, 12)
  })

  it("refuses malformed months", () => {
    for (const bad of ["2026-13", "2026-00", "2026-1", "26-10", "2026/10", ""]) {
      assert.strictEqual(Schema.decodeUnknownResult(Period.Period)(bad)._tag, "Failure", bad)
    }
  })
})
