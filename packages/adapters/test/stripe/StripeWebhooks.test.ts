/**
 * What a verified Stripe event is reduced to (`toPaymentEvent`): a `charge.refunded`'s charge id
 * and cumulative `amount_refunded`, with or without the refunds it lists (failed, cancelled or
 * empty ones gave nothing back), the attempt number of a failed
 * invoice payment, and the PaymentIntent's own id; an `invoice_payment.paid`'s invoice and the
 * payment that paid it, and the payment a refunded charge belongs to (the key that joins them).
 */

import { readFileSync } from "node:fs"
import { resolve } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Result } from "effect"
import * as StripeWebhooks from "../../src/stripe/StripeWebhooks.ts"

const root = resolve(import.meta.dirname, "../../../..")

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
  it("invoice_payment.paid (the pinned API version's InvoicePayment): the invoice, the payment intent or else the charge that paid it, the amount paid", () => {
    const byIntent = factsOf("invoice_payment.paid", {
      id: "inpay_1",
      object: "invoice_payment",
      amount_paid: 4200,
      amount_requested: 4200,
      currency: "usd",
      invoice: "in_9",
      is_default: true,
      payment: { type: "payment_intent", payment_intent: "pi_9" },
      status: "paid"
    })
    assert.deepStrictEqual(
      [
        byIntent.providerInvoiceId,
        byIntent.paymentId,
        byIntent.linkedPaymentId,
        byIntent.amount,
        byIntent.currency
      ],
      ["in_9", "pi_9", "pi_9", 4200n, "USD"]
    )
    assert.isNull(byIntent.securebaseInvoiceId)
    // Expanded objects, and a charge without a payment intent.
    const byCharge = factsOf("invoice_payment.paid", {
      id: "inpay_2",
      object: "invoice_payment",
      amount_paid: 100,
      currency: "usd",
      invoice: { id: "in_10", object: "invoice" },
      payment: { type: "charge", charge: { id: "ch_10", object: "charge" } },
      status: "paid"
    })
    assert.deepStrictEqual([byCharge.providerInvoiceId, byCharge.linkedPaymentId], ["in_10", "ch_10"])
    // Paid out of band (a payment record): nothing to link.
    const outOfBand = factsOf("invoice_payment.paid", {
      id: "inpay_3",
      object: "invoice_payment",
      amount_paid: 100,
      currency: "usd",
      invoice: "in_11",
      payment: { type: "payment_record", payment_record: "pr_1" },
      status: "paid"
    })
    assert.isNull(outOfBand.linkedPaymentId)
  })

  it("charge.refunded names the payment it belongs to: its payment intent, or the charge itself when it has none", () => {
    const charge = { object: "charge", amount: 100, amount_refunded: 100, currency: "usd" }
    assert.strictEqual(
      factsOf("charge.refunded", { ...charge, id: "ch_a", payment_intent: "pi_a" }).linkedPaymentId,
      "pi_a"
    )
    assert.strictEqual(
      factsOf("charge.refunded", {
        ...charge,
        id: "ch_b",
        payment_intent: { id: "pi_b", object: "payment_intent" }
      }).linkedPaymentId,
      "pi_b"
    )
    assert.strictEqual(
      factsOf("charge.refunded", { ...charge, id: "ch_c", payment_intent: null }).linkedPaymentId,
      "ch_c"
    )
  })

  it("enabledEvents are the template's StripeWebhookEvents output and are listed in the README", () => {
    const template = readFileSync(resolve(root, "template.yaml"), "utf8")
    const output = /StripeWebhookEvents:[\s\S]*?Value: ([a-z_.,]+)/.exec(template)
    assert.isNotNull(output)
    assert.deepStrictEqual(output![1]!.split(","), [...StripeWebhooks.enabledEvents])
    const readme = readFileSync(resolve(root, "README.md"), "utf8")
    assert.include(readme, `enabled_events: ${StripeWebhooks.enabledEvents.join(", ")}`)
  })

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
