/**
 * Instants from outside: strict RFC 3339 in [2000-01-01, 2200-01-01). Before, `"1"` was read as
 * 2001-01-01, and year 0 or a negative year reached PostgreSQL, which refused them with a 5xx.
 */
import { assert, describe, it } from "@effect/vitest"
import { DateTime, Result, Schema } from "effect"
import * as fc from "fast-check"
import { Instant } from "../src/index.ts"

const decode = Schema.decodeUnknownResult(Instant.FromRfc3339)
const iso = (s: string) => {
  const r = decode(s)
  return Result.isSuccess(r) ? DateTime.formatIso(r.success) : `refused: ${r.failure.message}`
}

describe("Instant.FromRfc3339", () => {
  it("reads Z, offsets, fractions and lower-case t/z as the same instant", () => {
    assert.strictEqual(iso("2026-10-14T09:30:00Z"), "2026-10-14T09:30:00.000Z")
    assert.strictEqual(iso("2026-10-14T11:30:00+02:00"), "2026-10-14T09:30:00.000Z")
    assert.strictEqual(iso("2026-10-14T04:00:00-05:30"), "2026-10-14T09:30:00.000Z")
    assert.strictEqual(iso("2026-10-14t09:30:00.25z"), "2026-10-14T09:30:00.250Z")
    // Digits beyond the millisecond are cut off, never rounded into the next second.
    assert.strictEqual(iso("2026-12-31T23:59:59.999999999Z"), "2026-12-31T23:59:59.999Z")
    assert.strictEqual(iso("2026-10-14T09:30:00-00:00"), "2026-10-14T09:30:00.000Z")
  })

  it("refuses what is not a real RFC 3339 date-time", () => {
    for (const s of [
      "1",
      "2026",
      "2026-10-14",
      "2026-10-14T09:30Z",
      "2026-10-14T09:30:00",
      "2026-10-14 09:30:00Z",
      "20261014T093000Z",
      "0000-01-01T00:00:00Z",
      "-0001-01-01T00:00:00Z",
      "-000001-01-01T00:00:00Z",
      "+002026-10-14T09:30:00Z",
      "2026-13-01T00:00:00Z",
      "2026-00-01T00:00:00Z",
      "2026-02-29T00:00:00Z",
      "2100-02-29T00:00:00Z",
      "2026-04-31T00:00:00Z",
      "2026-10-14T24:00:00Z",
      "2026-10-14T09:60:00Z",
      "2026-12-31T23:59:60Z",
      "2026-10-14T09:30:00+24:00",
      "2026-10-14T09:30:00+0200",
      "2026-10-14T09:30:00.Z",
      "2026-10-14T09:30:00.1234567890Z",
      " 2026-10-14T09:30:00Z",
      "Wed, 14 Oct 2026 09:30:00 GMT"
    ]) {
      assert.match(iso(s), /^refused/, s)
    }
    assert.strictEqual(iso("2028-02-29T00:00:00Z"), "2028-02-29T00:00:00.000Z")
    assert.strictEqual(iso("2000-02-29T00:00:00Z"), "2000-02-29T00:00:00.000Z")
  })

  it("refuses instants outside [2000-01-01T00:00:00Z, 2200-01-01T00:00:00Z), offsets included", () => {
    assert.strictEqual(iso("2000-01-01T00:00:00Z"), "2000-01-01T00:00:00.000Z")
    assert.match(iso("1999-12-31T23:59:59.999Z"), /^refused: .*2000-01-01/)
    assert.match(iso("2000-01-01T00:30:00+01:00"), /^refused/, "1999-12-31T23:30Z")
    assert.strictEqual(iso("2199-12-31T23:59:59.999Z"), "2199-12-31T23:59:59.999Z")
    assert.match(iso("2199-12-31T23:30:00-01:00"), /^refused/, "2200-01-01T00:30Z")
    assert.match(iso("9999-12-31T23:59:59Z"), /^refused/)
  })

  it("encodes as the ISO form it decodes from", () => {
    const at = DateTime.makeUnsafe("2026-10-14T09:30:00.25Z")
    const text = Schema.encodeSync(Instant.FromRfc3339)(at)
    assert.strictEqual(text, "2026-10-14T09:30:00.250Z")
    assert.strictEqual(
      DateTime.toEpochMillis(Schema.decodeSync(Instant.FromRfc3339)(text)),
      DateTime.toEpochMillis(at)
    )
  })
})

describe("Instant.parseRfc3339", () => {
  // What it computed with a Date before it did the calendar arithmetic itself (issue 16: the
  // Date was most of its time in a batch of 1,000 events).
  const withDate = (y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number) => {
    const date = new Date(0)
    date.setUTCFullYear(y, mo - 1, d)
    date.setUTCHours(h, mi, s, ms)
    return date.getTime()
  }
  const pad = (n: number, width: number) => n.toString().padStart(width, "0")

  it("gives the instant a Date gives, for every real date-time of every four-digit year and offset", () => {
    fc.assert(
      fc.property(
        fc.record({
          year: fc.integer({ min: 0, max: 9999 }),
          month: fc.integer({ min: 1, max: 12 }),
          day: fc.integer({ min: 1, max: 31 }),
          hour: fc.integer({ min: 0, max: 23 }),
          minute: fc.integer({ min: 0, max: 59 }),
          second: fc.integer({ min: 0, max: 59 }),
          fraction: fc.option(fc.stringMatching(/^\d{1,9}$/), { nil: undefined }),
          offset: fc.option(fc.integer({ min: -(23 * 60 + 59), max: 23 * 60 + 59 }), { nil: undefined })
        }),
        ({ year, month, day, hour, minute, second, fraction, offset }) => {
          const last = new Date(withDate(year, month + 1, 0, 0, 0, 0, 0)).getUTCDate()
          const d = Math.min(day, last)
          const zone =
            offset === undefined
              ? "Z"
              : `${offset < 0 ? "-" : "+"}${pad(Math.floor(Math.abs(offset) / 60), 2)}:${pad(Math.abs(offset) % 60, 2)}`
          const text = `${pad(year, 4)}-${pad(month, 2)}-${pad(d, 2)}T${pad(hour, 2)}:${pad(minute, 2)}:${pad(second, 2)}${fraction === undefined ? "" : `.${fraction}`}${zone}`
          const millis = Number((fraction ?? "").padEnd(3, "0").slice(0, 3))
          const expected = withDate(year, month, d, hour, minute, second, millis) - (offset ?? 0) * 60_000
          assert.strictEqual(Instant.parseRfc3339(text), expected, text)
        }
      ),
      { numRuns: 2000 }
    )
  })

  it("reads the years 0-99 as themselves, and leap days by the Gregorian rules", () => {
    assert.strictEqual(Instant.parseRfc3339("0000-01-01T00:00:00Z"), withDate(0, 1, 1, 0, 0, 0, 0))
    assert.strictEqual(
      Instant.parseRfc3339("0099-12-31T23:59:59.999Z"),
      withDate(99, 12, 31, 23, 59, 59, 999)
    )
    assert.strictEqual(Instant.parseRfc3339("2000-02-29T12:00:00Z"), Date.UTC(2000, 1, 29, 12))
    assert.strictEqual(Instant.parseRfc3339("1970-01-01T00:00:00Z"), 0)
    assert.strictEqual(
      Instant.parseRfc3339("2199-12-31T23:59:59.999Z"),
      Date.UTC(2199, 11, 31, 23, 59, 59, 999)
    )
  })

  it("decodes after a refused text without reusing the refusal", () => {
    assert.match(iso("2026-02-30T00:00:00Z"), /^refused: no day 30/)
    assert.strictEqual(iso("2026-03-01T00:00:00Z"), "2026-03-01T00:00:00.000Z")
    assert.strictEqual(iso("2026-03-01T00:00:00Z"), "2026-03-01T00:00:00.000Z")
    assert.match(iso("2026-02-30T00:00:00Z"), /^refused: no day 30/)
  })
})

describe("Instant.Instant", () => {
  it("bounds the domain's instants whatever their source", () => {
    const valid = Schema.decodeUnknownResult(Instant.Instant)
    assert.isTrue(Result.isSuccess(valid(DateTime.makeUnsafe("2026-10-14T09:30:00Z"))))
    assert.isTrue(Result.isFailure(valid(DateTime.makeUnsafe("1970-01-01T00:00:00Z"))))
    assert.isTrue(Result.isFailure(valid(DateTime.makeUnsafe(Date.UTC(-1, 0, 1)))))
  })
})
