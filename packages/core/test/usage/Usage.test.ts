import { assert, describe, it } from "@effect/vitest"
import { BigDecimal, DateTime, Effect, Schema } from "effect"
import { type Ids, Metric, type Period, Usage } from "../../src/index.ts"
import { customerId, otherCustomerId } from "../fixtures.ts"

const period = "2026-10" as Period.Period
const event = (
  id: string,
  metric: keyof typeof Metric.defaults,
  quantity: string,
  at: string,
  extra: { subject?: string; customerId?: Ids.CustomerId } = {}
) =>
  new Usage.UsageEvent({
    id: id as Ids.UsageEventId,
    customerId: extra.customerId ?? customerId,
    metric: Metric.code(metric),
    occurredAt: DateTime.makeUnsafe(at),
    quantity: BigDecimal.fromStringUnsafe(quantity),
    ...(extra.subject === undefined ? {} : { subject: extra.subject })
  })

const aggregate = (events: ReadonlyArray<Usage.UsageEvent>) =>
  Usage.aggregate({ catalog: Metric.defaultCatalog, customerId, period, events })

const figure = (m: Usage.Metrics, code: keyof typeof Metric.defaults) =>
  BigDecimal.format(m.get(Metric.code(code))!)

describe("Usage.aggregate", () => {
  it.effect("sum, count, max, latest and unique count over one month", () =>
    Effect.gen(function* () {
      const m = yield* aggregate([
        event("a1", "api_calls", "1000", "2026-10-01T00:00:00Z"),
        event("a2", "api_calls", "2500", "2026-10-31T23:59:59.999Z"),
        event("s1", "compliance_scans", "1", "2026-10-02T00:00:00Z"),
        event("s2", "compliance_scans", "1", "2026-10-03T00:00:00Z"),
        event("s3", "compliance_scans", "7", "2026-10-04T00:00:00Z"),
        event("g1", "storage_gb", "10.5", "2026-10-05T00:00:00Z"),
        event("g2", "storage_gb", "42.25", "2026-10-06T00:00:00Z"),
        event("g3", "storage_gb", "12", "2026-10-07T00:00:00Z"),
        event("l1", "log_archive_gb", "90", "2026-10-30T00:00:00Z"),
        event("l2", "log_archive_gb", "75", "2026-10-31T00:00:00Z"),
        event("c1", "accounts", "1", "2026-10-01T00:00:00Z", { subject: "111111111111" }),
        event("c2", "accounts", "1", "2026-10-09T00:00:00Z", { subject: "222222222222" }),
        event("c3", "accounts", "1", "2026-10-19T00:00:00Z", { subject: "111111111111" })
      ])
      assert.strictEqual(figure(m, "api_calls"), "3500")
      assert.strictEqual(figure(m, "compliance_scans"), "3")
      assert.strictEqual(figure(m, "storage_gb"), "42.25")
      assert.strictEqual(figure(m, "log_archive_gb"), "75")
      assert.strictEqual(figure(m, "accounts"), "2")
      assert.strictEqual(figure(m, "data_transfer_gb"), "0")
    })
  )

  it.effect("events outside the month belong to another bill (the end is exclusive)", () =>
    Effect.gen(function* () {
      const m = yield* aggregate([
        event("before", "api_calls", "1", "2026-09-30T23:59:59.999Z"),
        event("in", "api_calls", "10", "2026-10-15T00:00:00Z"),
        event("after", "api_calls", "100", "2026-11-01T00:00:00Z")
      ])
      assert.strictEqual(figure(m, "api_calls"), "10")
    })
  )

  it.effect("a resent event counts once", () =>
    Effect.gen(function* () {
      const e = event("k1", "api_calls", "5", "2026-10-15T00:00:00Z")
      const m = yield* aggregate([e, e, event("k1", "api_calls", "5", "2026-10-15T00:00:00Z")])
      assert.strictEqual(figure(m, "api_calls"), "5")
    })
  )

  it.effect("the same key with different content is a conflict, never an overwrite", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        aggregate([
          event("k1", "api_calls", "5", "2026-10-15T00:00:00Z"),
          event("k1", "api_calls", "6", "2026-10-15T00:00:00Z")
        ])
      )
      assert.strictEqual(error._tag, "UsageEventConflict")
    })
  )

  it.effect("latest breaks a tie of instants by key, so arrival order never matters", () =>
    Effect.gen(function* () {
      const a = event("a", "log_archive_gb", "1", "2026-10-31T00:00:00Z")
      const b = event("b", "log_archive_gb", "2", "2026-10-31T00:00:00Z")
      assert.strictEqual(figure(yield* aggregate([a, b]), "log_archive_gb"), "2")
      assert.strictEqual(figure(yield* aggregate([b, a]), "log_archive_gb"), "2")
    })
  )

  it.effect("refuses another customer's event and an unknown metric", () =>
    Effect.gen(function* () {
      const foreign = yield* Effect.flip(
        aggregate([event("x", "api_calls", "1", "2026-10-01T00:00:00Z", { customerId: otherCustomerId })])
      )
      assert.strictEqual(foreign._tag, "ForeignUsageEvent")
      const unknown = yield* Effect.flip(
        Usage.aggregate({
          catalog: Metric.catalog([Metric.defaults.api_calls]),
          customerId,
          period,
          events: [event("y", "storage_gb", "1", "2026-10-01T00:00:00Z")]
        })
      )
      assert.strictEqual(unknown._tag, "UnknownMetric")
    })
  )
})

describe("UsageEvent schema", () => {
  const decode = Schema.decodeUnknownResult(Usage.UsageEvent)
  const good = {
    id: "evt_2026-10-01/000001",
    customerId,
    metric: "api_calls",
    occurredAt: DateTime.makeUnsafe("2026-10-01T00:00:00Z"),
    quantity: "1"
  }
  it("accepts a well-formed event", () => {
    assert.strictEqual(decode(good)._tag, "Success")
  })
  it("decodes from JSON (ISO instants, decimal strings) through its JSON codec", () => {
    const json = { ...good, occurredAt: "2026-10-01T00:00:00.000Z" }
    const event = Schema.decodeUnknownSync(Schema.toCodecJson(Usage.UsageEvent))(json)
    assert.strictEqual(BigDecimal.format(event.quantity), "1")
    assert.deepStrictEqual(Schema.encodeSync(Schema.toCodecJson(Usage.UsageEvent))(event), json)
  })
  it("refuses negative quantities, bad keys, bad metric codes and bad customer ids", () => {
    for (const bad of [
      { ...good, quantity: "-1" },
      { ...good, quantity: "1e3" },
      { ...good, quantity: "" },
      { ...good, id: "" },
      { ...good, id: "has space" },
      { ...good, id: "x".repeat(129) },
      { ...good, metric: "API Calls" },
      { ...good, customerId: "not-a-uuid" }
    ]) {
      assert.strictEqual(decode(bad)._tag, "Failure")
    }
  })
  it("bounds quantities (at most 10^9, at most 6 decimals): a 1e20 GB event once made an invoice overflow bigint", () => {
    for (const quantity of [
      "1000000000.000001",
      "100000000000000000000",
      "123456789012345678901234567890",
      "0.0000001"
    ]) {
      assert.strictEqual(decode({ ...good, quantity })._tag, "Failure", quantity)
    }
    for (const quantity of ["1000000000", "0.000001", "999999999.999999", "1.5000000"]) {
      assert.strictEqual(decode({ ...good, quantity })._tag, "Success", quantity)
    }
  })
  it("refuses an instant outside [2000, 2200) and a subject PostgreSQL would not store as sent", () => {
    for (const bad of [
      { ...good, occurredAt: DateTime.makeUnsafe("1999-12-31T23:59:59Z") },
      { ...good, occurredAt: DateTime.makeUnsafe("2200-01-01T00:00:00Z") },
      { ...good, subject: "acct\u0000" },
      { ...good, subject: "acct-\ud800" },
      { ...good, subject: "two\nlines" },
      { ...good, subject: "" },
      { ...good, subject: "x".repeat(257) }
    ]) {
      assert.strictEqual(decode(bad)._tag, "Failure", JSON.stringify(bad))
    }
  })
  it("an embedder cannot construct an out-of-bounds event either", () => {
    assert.throws(
      () =>
        new Usage.UsageEvent({
          id: "big" as Ids.UsageEventId,
          customerId,
          metric: Metric.code("storage_gb"),
          occurredAt: DateTime.makeUnsafe("2026-10-01T00:00:00Z"),
          quantity: BigDecimal.fromStringUnsafe("100000000000000000000")
        })
    )
  })
})

describe("Usage.metrics", () => {
  it.effect("regression: an unknown metric code threw a plain RangeError; it is a typed UnknownMetric", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        Usage.metrics(Metric.defaultCatalog, { api_calls: "1", apicalls: "2" })
      )
      assert.deepStrictEqual([error._tag, error.code], ["UnknownMetric", "USAGE.UNKNOWN_METRIC"])
      assert.strictEqual((error as Usage.UnknownMetric).metric, "apicalls")
    })
  )

  it.effect("a figure that is not a non-negative decimal is a typed InvalidFigure", () =>
    Effect.gen(function* () {
      for (const figure of ["-1", "1e3", "", "abc"]) {
        const error = yield* Effect.flip(Usage.metrics(Metric.defaultCatalog, { api_calls: figure }))
        assert.deepStrictEqual(
          [error._tag, error.code, (error as Usage.InvalidFigure).figure],
          ["InvalidFigure", "USAGE.INVALID_FIGURE", figure]
        )
      }
    })
  )

  it.effect("every catalogue metric is present, zero unless given", () =>
    Effect.gen(function* () {
      const m = yield* Usage.metrics(Metric.defaultCatalog, { accounts: "12" })
      assert.strictEqual(m.size, Metric.defaultCatalog.size)
      assert.deepStrictEqual([figure(m, "accounts"), figure(m, "api_calls")], ["12", "0"])
    })
  )
})

describe("Usage.transactions", () => {
  it.effect(
    "each in-period event's quantity, by time then key, resends once, other metrics and months ignored",
    () =>
      Effect.gen(function* () {
        const late = event("p3", "api_calls", "30", "2026-10-20T00:00:00Z")
        const t = yield* Usage.transactions({
          customerId,
          period,
          metrics: [Metric.code("api_calls")],
          events: [
            late,
            event("p2", "api_calls", "20", "2026-10-05T00:00:00Z"),
            event("p1", "api_calls", "10", "2026-10-05T00:00:00Z"),
            late,
            event("x1", "api_calls", "99", "2026-11-01T00:00:00Z"),
            event("g1", "storage_gb", "5", "2026-10-05T00:00:00Z")
          ]
        })
        assert.deepStrictEqual(
          t.get(Metric.code("api_calls"))!.map((q) => BigDecimal.format(q)),
          ["10", "20", "30"]
        )
        assert.strictEqual(t.size, 1)
      })
  )

  it.effect("refuses another customer's event and a conflicting resend", () =>
    Effect.gen(function* () {
      const foreign = yield* Effect.flip(
        Usage.transactions({
          customerId,
          period,
          metrics: [Metric.code("api_calls")],
          events: [event("a", "api_calls", "1", "2026-10-05T00:00:00Z", { customerId: otherCustomerId })]
        })
      )
      assert.strictEqual(foreign._tag, "ForeignUsageEvent")
      const conflict = yield* Effect.flip(
        Usage.transactions({
          customerId,
          period,
          metrics: [Metric.code("api_calls")],
          events: [
            event("a", "api_calls", "1", "2026-10-05T00:00:00Z"),
            event("a", "api_calls", "2", "2026-10-05T00:00:00Z")
          ]
        })
      )
      assert.strictEqual(conflict._tag, "UsageEventConflict")
    })
  )
})
