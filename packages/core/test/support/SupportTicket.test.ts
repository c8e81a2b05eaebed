import { assert, describe, it } from "@effect/vitest"
import { DateTime, Schema } from "effect"
import { PriceBook, SupportTicket } from "../../src/index.ts"
import { customerId } from "../fixtures.ts"

const at = DateTime.makeUnsafe("2026-11-02T09:00:00Z")
const id = "0b7c2a4e-3f1d-4c55-9a1e-0000000000d1" as SupportTicket.TicketId

describe("SupportTicket", () => {
  it("a critical gov-federal ticket is due in 1 hour, a low standard one in 8 days", () => {
    const critical = SupportTicket.open({
      id,
      customerId,
      entitlements: PriceBook.referenceCard.plans["gov-federal"].entitlements,
      ticket: { subject: "Outage", description: "API down", priority: "critical" },
      at
    })
    assert.strictEqual(DateTime.formatIso(critical.firstResponseDueAt), "2026-11-02T10:00:00.000Z")
    assert.strictEqual(critical.status, "open")
    const low = SupportTicket.open({
      id,
      customerId,
      entitlements: PriceBook.referenceCard.plans["standard"].entitlements,
      ticket: { subject: "Question", description: "How do I rotate keys?", priority: "low" },
      at
    })
    // standard: 24 h for critical × 8 for low = 192 h.
    assert.strictEqual(DateTime.formatIso(low.firstResponseDueAt), "2026-11-10T09:00:00.000Z")
  })

  it("a new ticket is validated: subject length and trimming, priority from the card's enum", () => {
    const decode = Schema.decodeUnknownResult(SupportTicket.NewTicket)
    assert.strictEqual(
      decode({ subject: "Billing question", description: "x", priority: "normal" })._tag,
      "Success"
    )
    for (const bad of [
      { subject: "ab", description: "x", priority: "normal" },
      { subject: " padded ", description: "x", priority: "normal" },
      { subject: "ok subject", description: "", priority: "normal" },
      { subject: "ok subject", description: "x", priority: "urgent" },
      { subject: "x".repeat(201), description: "x", priority: "low" }
    ]) {
      assert.strictEqual(decode(bad)._tag, "Failure", JSON.stringify(bad).slice(0, 60))
    }
  })
})
