import { assert, describe, it } from "@effect/vitest"
import { DateTime, Effect, Schema } from "effect"
import { Dunning, Invoice, InvoiceLifecycle } from "../../src/index.ts"
import { priceReferenceSync } from "../fixtures.ts"

const policy: Dunning.DunningSchedule = { reminderDays: [3, 10, 20], suspendAfterDays: 30 }

describe("Dunning", () => {
  it("the latest due reminder unless it or a later one was sent; the suspension once", () => {
    assert.deepStrictEqual(Dunning.dueSteps(policy, 2, []), [])
    assert.deepStrictEqual(Dunning.dueSteps(policy, 3, []), [{ kind: "reminder", days: 3 }])
    assert.deepStrictEqual(Dunning.dueSteps(policy, 9, [{ kind: "reminder", days: 3 }]), [])
    assert.deepStrictEqual(Dunning.dueSteps(policy, 15, []), [{ kind: "reminder", days: 10 }])
    // A sweep that missed days sends the latest reminder only; an earlier one never follows it.
    assert.deepStrictEqual(Dunning.dueSteps(policy, 25, [{ kind: "reminder", days: 3 }]), [
      { kind: "reminder", days: 20 }
    ])
    assert.deepStrictEqual(Dunning.dueSteps(policy, 25, [{ kind: "reminder", days: 20 }]), [])
    assert.deepStrictEqual(Dunning.dueSteps(policy, 30, [{ kind: "reminder", days: 20 }]), [
      { kind: "suspension", days: 30 }
    ])
    assert.deepStrictEqual(
      Dunning.dueSteps(policy, 31, [
        { kind: "reminder", days: 20 },
        { kind: "suspension", days: 30 }
      ]),
      []
    )
    assert.deepStrictEqual(
      Dunning.dueSteps(Dunning.defaultSchedule, 400, [{ kind: "reminder", days: 20 }]),
      []
    )
  })

  it("the first step's days; none for an empty policy", () => {
    assert.strictEqual(Dunning.firstDays(policy), 3)
    assert.strictEqual(Dunning.firstDays({ reminderDays: [], suspendAfterDays: 45 }), 45)
    assert.strictEqual(Dunning.firstDays({ reminderDays: [], suspendAfterDays: null }), null)
  })

  it.effect("days past due are whole 24-hour days after the due date", () =>
    Effect.gen(function* () {
      const invoice = yield* InvoiceLifecycle.issue(priceReferenceSync("standard"), {
        number: Invoice.formatNumber(2026, 1),
        at: DateTime.makeUnsafe("2026-11-01T00:00:00Z")
      })
      // Due 2026-12-01T00:00Z (net 30).
      assert.strictEqual(Dunning.daysPastDue(invoice, DateTime.makeUnsafe("2026-11-20T00:00:00Z")), 0)
      assert.strictEqual(Dunning.daysPastDue(invoice, DateTime.makeUnsafe("2026-12-03T23:59:59Z")), 2)
      assert.strictEqual(Dunning.daysPastDue(invoice, DateTime.makeUnsafe("2026-12-04T00:00:00Z")), 3)
    })
  )

  it("a policy decodes only ascending, distinct days within 0-3650", () => {
    const decode = Schema.decodeUnknownResult(Dunning.DunningSchedule)
    assert.strictEqual(decode({ reminderDays: [3, 10], suspendAfterDays: null })._tag, "Success")
    assert.strictEqual(decode({ reminderDays: [10, 3], suspendAfterDays: null })._tag, "Failure")
    assert.strictEqual(decode({ reminderDays: [3, 3], suspendAfterDays: null })._tag, "Failure")
    assert.strictEqual(decode({ reminderDays: [3], suspendAfterDays: 4000 })._tag, "Failure")
    assert.strictEqual(decode({ reminderDays: [-1], suspendAfterDays: null })._tag, "Failure")
  })
})
