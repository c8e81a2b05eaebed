/**
 * What a verified Stripe event is reduced to (`toPaymentEvent`): a `charge.refunded`'s charge id
 * and cumulative `amount_refunded`, with or without the refunds it lists (failed, cancelled or
 * empty ones gave nothing back), the attempt number of a failed
 * invoice payment, and the PaymentIntent's own id.
 */
import { assert, describe, it } from "@effect/vitest"
import { Result } from "effect"
import * as StripeWebhooks from "../../src/stripe/StripeWebhooks.ts"

const event = (type: string, object: Record<string, unknown>) => ({
  id: "evt_1",
  object: "event",
  created: 1_780_000_000,
  type,
  data: { object }
})

const factsOf = (type: string, object: Record<string, unknown>) => {
  const decoded = StripeWebhooks.toPaymentEvent(event(type, object))
  assert.isTrue(Result.isSuccess(decoded))
  return Result.getOrThrow(decoded).invoice!
}

describe("StripeWebhooks.toPaymentEvent", () => {
  it("charge.refunded: each refund that gave money back, with its id and amount", () => {
    const facts = factsOf("charge.refunded", {
      id: "ch_1",
      object: "charge",
      invoice: "in_1",
      amount_refunded: 500,
      currency: "usd",
      refunds: {
        object: "list",
        data: [
          { id: "re_ok", amount: 300, status: "succeeded" },
          { id: "re_pending", amount: 200, status: "pending" },
          { id: "re_failed", amount: 900, status: "failed" },
          { id: "re_cancelled", amount: 900, status: "canceled" },
          { id: "re_zero", amount: 0, status: "succeeded" },
          { amount: 100, status: "succeeded" }
        ]
      }
    })
    assert.deepStrictEqual(facts.refunds, [
      { id: "re_ok", amount: 300n },
      { id: "re_pending", amount: 200n }
    ])
    assert.deepStrictEqual(
      [facts.providerInvoiceId, facts.paymentId, facts.amount, facts.currency],
      ["in_1", "ch_1", 500n, "USD"]
    )
  })

  it("charge.refunded as Stripe sends it (no refunds list): the charge id and its cumulative amount_refunded", () => {
    // Stripe API 2022-11-15 and later leave `refunds` out of a Charge unless expanded.
    const facts = factsOf("charge.refunded", {
      id: "ch_2",
      object: "charge",
      amount: 2000,
      amount_refunded: 700,
      currency: "eur",
      refunded: false,
      metadata: { securebase_invoice_id: "00000000-0000-4000-8000-000000000001" }
    })
    assert.deepStrictEqual(
      [facts.paymentId, facts.amount, facts.currency, facts.refunds, facts.securebaseInvoiceId],
      ["ch_2", 700n, "EUR", [], "00000000-0000-4000-8000-000000000001"]
    )
  })

  it("invoice.payment_failed carries the attempt number; payment_intent.succeeded its own id", () => {
    const failed = factsOf("invoice.payment_failed", {
      id: "in_2",
      object: "invoice",
      amount_due: 1200,
      currency: "usd",
      attempt_count: 3
    })
    assert.deepStrictEqual([failed.attempt, failed.reason], [3, "attempt 3 failed"])
    const intent = factsOf("payment_intent.succeeded", {
      id: "pi_1",
      object: "payment_intent",
      amount_received: 1200,
      currency: "eur",
      metadata: { securebase_invoice_id: "00000000-0000-4000-8000-000000000001" }
    })
    assert.deepStrictEqual(
      [intent.paymentId, intent.providerInvoiceId, intent.amount, intent.currency],
      ["pi_1", null, 1200n, "EUR"]
    )
  })
})
