/**
 * The scheduled jobs on Lambda, invoked with AWS's EventBridge "Scheduled Event" sample on the
 * embedded defaults (PGlite with the demo tenants; mail written as .eml files to a temporary
 * outbox directory): period computation, a whole billing run with its summary, idempotent
 * redelivery, an invocation before the month has closed, the overdue sweep, and malformed events
 * that stay inside their invocation.
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { Period } from "@securebase/core"
import { DateTime, Effect } from "effect"
import * as Container from "../../src/lambda/Container.ts"
import * as Scheduled from "../../src/lambda/Scheduled.ts"
import { scheduledEvent } from "./Events.ts"

const utc = (iso: string) => DateTime.makeUnsafe(iso)

describe("Scheduled.billingPeriod", () => {
  it("bills the calendar month before the event's time (the schedule fires after the usage grace)", () => {
    assert.strictEqual(Scheduled.billingPeriod(utc("2026-12-01T01:15:00Z")), "2026-11")
    assert.strictEqual(Scheduled.billingPeriod(utc("2026-12-01T00:00:00Z")), "2026-11")
    assert.strictEqual(Scheduled.billingPeriod(utc("2027-01-01T00:00:00Z")), "2026-12")
    assert.strictEqual(Scheduled.billingPeriod(utc("2026-03-01T00:00:00Z")), "2026-02")
    // A delivery that comes late (a retry hours or days later) still bills the same month.
    assert.strictEqual(Scheduled.billingPeriod(utc("2026-12-03T17:45:00Z")), "2026-11")
  })

  it("reads AWS's sample event", async () => {
    const { event, time } = await Effect.runPromise(Scheduled.decodeEvent(scheduledEvent()))
    assert.strictEqual(event["detail-type"], "Scheduled Event")
    assert.strictEqual(DateTime.formatIso(time), "2015-10-08T16:53:06.000Z")
    assert.strictEqual(Scheduled.billingPeriod(time), "2015-09")
  })

  it("refuses an event without a parsable time", async () => {
    for (const bad of [null, {}, scheduledEvent("the first of the month"), { time: 42 }]) {
      const error = await Effect.runPromise(Effect.flip(Scheduled.decodeEvent(bad)))
      assert.strictEqual(error._tag, "UnsupportedScheduledEvent")
    }
    const wrongPeriod = await Effect.runPromise(
      Effect.flip(Scheduled.decodeEvent(scheduledEvent(undefined, { period: "October" })))
    )
    assert.strictEqual(wrongPeriod._tag, "UnsupportedScheduledEvent")
  })
})

describe("Scheduled handlers", () => {
  let outbox: string
  let container: Container.Container
  let billingRun: (event: unknown) => Promise<Scheduled.BillingRunSummary>
  let overdueSweep: (event: unknown) => Promise<Scheduled.OverdueSweepSummary>
  let current: Period.Period
  let firstOfNextMonth: string
  /** A closed month the demo has not invoiced (it invoiced the three before this one). */
  let closed: Period.Period
  let afterClosed: string

  beforeAll(async () => {
    outbox = mkdtempSync(join(tmpdir(), "securebase-outbox-"))
    container = Container.make({
      env: () => ({ SEED_DEMO: "true", OUTBOX_DIR: outbox, MAIL_FROM: "Billing <billing@securebase.test>" })
    })
    billingRun = Scheduled.billingRunHandler(container)
    overdueSweep = Scheduled.overdueSweepHandler(container)
    const now = await Effect.runPromise(DateTime.now)
    current = Period.ofDateTime(now)
    // The schedule's event for the month in progress (the demo tenants have its usage, not its
    // invoice): it cannot be billed before the month has ended plus the usage grace.
    firstOfNextMonth = DateTime.formatIso(Period.end(current)).replace(".000Z", "Z")
    closed = Period.trailing(current, 5)[0]!
    afterClosed = DateTime.formatIso(DateTime.add(Period.end(closed), { hours: 1, minutes: 15 })).replace(
      ".000Z",
      "Z"
    )
  })

  afterAll(async () => {
    await container?.dispose()
    if (outbox !== undefined) rmSync(outbox, { recursive: true, force: true })
  })

  // The first invocation starts the container (PGlite, migrations, demo seed): minutes on a loaded machine.
  it("bills every demo tenant for the month that just ended, mails the invoices and returns the summary", {
    timeout: 180_000
  }, async () => {
    const logged: Array<string> = []
    const log = console.log
    console.log = (line: unknown) => logged.push(String(line))
    const summary = await billingRun(scheduledEvent(afterClosed)).finally(() => {
      console.log = log
    })
    assert.strictEqual(summary.job, "billing-run")
    assert.strictEqual(summary.eventId, "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa")
    assert.strictEqual(summary.eventTime, afterClosed)
    assert.strictEqual(summary.period, closed)
    assert.strictEqual(summary.customers, 4)
    assert.strictEqual(summary.billed, 4)
    assert.strictEqual(summary.skipped, 0)
    assert.strictEqual(summary.failed, 0)
    assert.deepStrictEqual(summary.failures, [])
    assert.deepStrictEqual(Object.keys(summary.totals), ["USD"])
    assert.match(summary.totals.USD!, /^[1-9][0-9]*$/)
    assert.deepStrictEqual(summary.remaining, { pending: 0, done: 4, failed: 0 })
    assert.isAtLeast(summary.mail.sent, 4)
    assert.strictEqual(summary.mail.failed, 0)
    assert.strictEqual(readdirSync(outbox).filter((f) => f.endsWith(".eml")).length, summary.mail.sent)
    // One JSON line in the logs, the same as the result.
    assert.deepStrictEqual(
      logged.map((l) => JSON.parse(l)),
      [summary]
    )
  })

  it("does nothing twice when EventBridge delivers the same event again", async () => {
    const mailed = readdirSync(outbox).length
    const again = await billingRun(scheduledEvent(afterClosed))
    assert.strictEqual(again.period, closed)
    assert.strictEqual(again.billed, 0)
    assert.strictEqual(again.skipped, 0)
    assert.deepStrictEqual(again.remaining, { pending: 0, done: 4, failed: 0 })
    assert.strictEqual(again.mail.sent, 0)
    assert.strictEqual(readdirSync(outbox).length, mailed)
  }, 120_000)

  it("bills the period named in detail.period (a manual re-run), skipping what is invoiced already", async () => {
    const previous = Period.previous(current)
    const rerun = await billingRun(scheduledEvent(firstOfNextMonth, { period: previous }))
    assert.strictEqual(rerun.period, previous)
    assert.strictEqual(rerun.billed, 0)
    assert.strictEqual(rerun.skipped, 4)
  }, 120_000)

  it("refuses the month in progress (an early or mistaken invocation): nothing billed, the error names when it becomes billable", async () => {
    const mailed = readdirSync(outbox).length
    const billableAt = DateTime.formatIso(DateTime.add(Period.end(current), { hours: 1 }))
    for (const event of [
      scheduledEvent(firstOfNextMonth),
      scheduledEvent(afterClosed, { period: current })
    ]) {
      const outcome = await billingRun(event).then(
        () => "ran",
        (error: unknown) => String(error)
      )
      assert.include(outcome, `${current} is still open for usage: it becomes billable at ${billableAt}`)
    }
    assert.strictEqual(readdirSync(outbox).length, mailed)
    // Nothing of the month was claimed or issued: a later run of a closed month is unaffected.
    const rerun = await billingRun(scheduledEvent(afterClosed))
    assert.deepStrictEqual(rerun.remaining, { pending: 0, done: 4, failed: 0 })
  })

  it("sweeps overdue invoices with a summary, and a second sweep finds nothing left", async () => {
    const first = await overdueSweep(scheduledEvent())
    assert.strictEqual(first.job, "overdue-sweep")
    assert.isAtLeast(first.overdue, 0)
    // One e-mail per invoice marked overdue and per dunning step taken.
    assert.strictEqual(first.mail.sent, first.overdue + first.dunning.reminders + first.dunning.suspensions)
    const second = await overdueSweep(scheduledEvent())
    assert.strictEqual(second.overdue, 0)
    assert.deepStrictEqual(second.dunning, { reminders: 0, suspensions: 0 })
  }, 120_000)

  it("fails an invocation on a malformed event, and the next one is served by the same container", async () => {
    const outcome = await billingRun({ "detail-type": "Scheduled Event" }).then(
      () => "ran",
      (error: unknown) => String(error)
    )
    assert.include(outcome, "expected an EventBridge scheduled event")
    const next = await overdueSweep(scheduledEvent())
    assert.strictEqual(next.overdue, 0)
    assert.strictEqual(container.starts(), 1)
  }, 120_000)
})
