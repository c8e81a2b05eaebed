/**
 * The reason of a refund's credit note (`refundReason`): the charge always, the refunds the event
 * lists only when the newest of them add up exactly to the amount credited.
 */
import { assert, describe, it } from "@effect/vitest"
import { ProcessPaymentEvent } from "../../src/index.ts"

const re = (id: string, amount: bigint) => ({ id, amount })

describe("ProcessPaymentEvent.refundReason", () => {
  it("names the charge alone when the event lists no refunds", () => {
    assert.strictEqual(
      ProcessPaymentEvent.refundReason("stripe", "ch_1", [], 500n),
      "Refunded through Stripe (ch_1)"
    )
  })

  it("names the newest refunds that make up the amount credited", () => {
    const listed = [re("re_3", 100n), re("re_2", 200n), re("re_1", 500n)]
    assert.strictEqual(
      ProcessPaymentEvent.refundReason("stripe", "ch_1", listed, 300n),
      "Refunded through Stripe (ch_1: re_3, re_2)"
    )
    assert.strictEqual(
      ProcessPaymentEvent.refundReason("stripe", "ch_1", listed, 800n),
      "Refunded through Stripe (ch_1: re_3, re_2, re_1)"
    )
  })

  it("names no refund when the listed ones do not add up exactly (a truncated or partial list)", () => {
    const listed = [re("re_3", 100n), re("re_2", 200n)]
    assert.strictEqual(
      ProcessPaymentEvent.refundReason("stripe", "ch_1", listed, 250n),
      "Refunded through Stripe (ch_1)"
    )
    assert.strictEqual(
      ProcessPaymentEvent.refundReason("stripe", "ch_1", listed, 900n),
      "Refunded through Stripe (ch_1)"
    )
  })

  it("stays a valid credit note reason: too many ids to fit 500 characters name the charge alone", () => {
    const listed = Array.from({ length: 20 }, (_, i) => re(`re_${"x".repeat(30)}${i}`, 1n))
    assert.strictEqual(
      ProcessPaymentEvent.refundReason("stripe", "ch_1", listed, 20n),
      "Refunded through Stripe (ch_1)"
    )
    assert.strictEqual(
      ProcessPaymentEvent.refundReason("paypal", "ch_1", [], 1n),
      "Refunded through paypal (ch_1)"
    )
  })
})
