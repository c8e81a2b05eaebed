/**
 * The Stripe adapter on the official SDK, against the Stripe STAND-IN of `src/testing/StripeStandIn.ts` (a
 * local HTTP server that speaks the subset we use; Stripe's own mock is a Go binary that cannot
 * be installed here). The tests check the exact requests the SDK sent: idempotency keys derived
 * from our ids, metadata, amounts in minor units that add up to our total.
 */
import { assert, describe, it } from "@effect/vitest"
import { Customer, type Invoice, InvoiceLifecycle } from "@securebase/core"
import { DateTime, Effect, Redacted, Result } from "effect"
import * as StripeClient from "../../src/stripe/StripeClient.ts"
import * as StripePaymentProvider from "../../src/stripe/StripePaymentProvider.ts"
import * as StandIn from "../../src/testing/StripeStandIn.ts"
import * as Fixtures from "../postgres/support/Fixtures.ts"

const fastRetry: StripeClient.CallRetry = { times: 3, base: "10 millis" }

const providerFor = (standIn: StandIn.StandIn) =>
  StripePaymentProvider.make(
    StripeClient.make({ secretKey: Redacted.make("sk_test_standin"), apiBase: standIn.url }),
    fastRetry
  )

const issued = Effect.gen(function* () {
  const customerId = Fixtures.customerId()
  const draft = yield* Fixtures.draftInvoice(customerId)
  const invoice = yield* InvoiceLifecycle.issue(draft, {
    number: "INV-2026-000042" as Invoice.InvoiceNumber,
    at: DateTime.makeUnsafe("2026-11-01T02:00:00Z")
  })
  const customer = new Customer.Customer({ ...Fixtures.customer(customerId), email: "ap@acme.test" })
  return { invoice, customer }
})

describe("StripePaymentProvider (against the Stripe stand-in)", () => {
  it.live(
    "creates the customer and the invoice with items and finalizes it: keys, metadata, minor units",
    () =>
      Effect.gen(function* () {
        const standIn = yield* StandIn.start
        const stripe = providerFor(standIn)
        const { invoice, customer } = yield* issued
        assert.isTrue(invoice.taxLines.length > 0 && invoice.discount >= 0n)

        const customerId = yield* stripe.ensureCustomer(customer)
        const pushed = yield* stripe.pushInvoice(invoice, customerId!)

        const [createCustomer, createInvoice, ...rest] = standIn.requests
        assert.deepStrictEqual(
          { method: createCustomer!.method, path: createCustomer!.path, key: createCustomer!.idempotencyKey },
          { method: "POST", path: "/v1/customers", key: `securebase:customer:${customer.id}` }
        )
        assert.strictEqual(createCustomer!.authorization, "Bearer sk_test_standin")
        assert.strictEqual(createCustomer!.form["metadata[securebase_customer_id]"], customer.id)
        assert.strictEqual(createCustomer!.form.email, "ap@acme.test")

        assert.strictEqual(createInvoice!.path, "/v1/invoices")
        assert.strictEqual(createInvoice!.idempotencyKey, `securebase:invoice:${invoice.id}:create`)
        assert.strictEqual(createInvoice!.form.customer, customerId)
        assert.strictEqual(createInvoice!.form.currency, "usd")
        assert.strictEqual(createInvoice!.form.collection_method, "send_invoice")
        assert.strictEqual(createInvoice!.form.pending_invoice_items_behavior, "exclude")
        assert.strictEqual(createInvoice!.form["metadata[securebase_invoice_id]"], invoice.id)
        assert.strictEqual(createInvoice!.form["metadata[securebase_invoice_number]"], "INV-2026-000042")

        const itemRequests = rest.filter((r) => r.path === "/v1/invoiceitems")
        assert.deepStrictEqual(
          itemRequests.map((r) => r.idempotencyKey),
          [
            ...invoice.lines.map((l) => `securebase:invoice:${invoice.id}:item:${l.position}`),
            ...invoice.taxLines.map((_, i) => `securebase:invoice:${invoice.id}:tax:${i + 1}`)
          ]
        )
        assert.deepStrictEqual(
          itemRequests.map((r) => r.form.amount),
          [
            ...invoice.lines.map((l) => (l.amount - l.discount).toString()),
            ...invoice.taxLines.map((t) => t.amount.toString())
          ]
        )
        // Integer minor units that add up to our total, to the cent.
        assert.isTrue(itemRequests.every((r) => /^\d+$/.test(r.form.amount!)))
        assert.strictEqual(
          itemRequests.reduce((sum, r) => sum + BigInt(r.form.amount!), 0n),
          invoice.total
        )
        assert.isTrue(itemRequests.every((r) => r.form.invoice === pushed!.providerInvoiceId))

        const finalize = rest.at(-1)!
        assert.strictEqual(finalize.path, `/v1/invoices/${pushed!.providerInvoiceId}/finalize`)
        assert.strictEqual(finalize.idempotencyKey, `securebase:invoice:${invoice.id}:finalize`)
        assert.strictEqual(pushed!.hostedUrl, `https://invoice.stripe.test/i/${pushed!.providerInvoiceId}`)
        assert.strictEqual(
          (standIn.objects.get(pushed!.providerInvoiceId) as { amount_due: number }).amount_due,
          Number(invoice.total)
        )
      }).pipe(Effect.scoped),
    60_000
  )

  it.live(
    "pushing the same invoice again replays every request: one Stripe invoice, no new object",
    () =>
      Effect.gen(function* () {
        const standIn = yield* StandIn.start
        const stripe = providerFor(standIn)
        const { invoice, customer } = yield* issued
        const customerId = (yield* stripe.ensureCustomer(customer))!
        const first = yield* stripe.pushInvoice(invoice, customerId)
        const objects = standIn.objects.size
        const again = yield* stripe.pushInvoice(
          invoice,
          yield* stripe.ensureCustomer(customer).pipe(Effect.map((c) => c!))
        )
        assert.deepStrictEqual(again, first)
        assert.strictEqual(standIn.objects.size, objects, "the replays created nothing")
      }).pipe(Effect.scoped),
    60_000
  )

  it.live(
    "429, 503 and a dropped connection are retried with the same idempotency key; a 400 is not",
    () =>
      Effect.gen(function* () {
        const standIn = yield* StandIn.start
        const stripe = providerFor(standIn)
        const { invoice, customer } = yield* issued
        const customerId = (yield* stripe.ensureCustomer(customer))!
        standIn.requests.length = 0
        standIn.failNext(1, 429)
        standIn.failNext(1, 503)
        standIn.failNext(1, 0)
        const pushed = yield* stripe.pushInvoice(invoice, customerId)
        const creates = standIn.requests.filter((r) => r.path === "/v1/invoices")
        assert.deepStrictEqual(
          creates.map((r) => r.status),
          [429, 503, 0, 200]
        )
        assert.isTrue(creates.every((r) => r.idempotencyKey === `securebase:invoice:${invoice.id}:create`))
        assert.strictEqual(
          [...standIn.objects.values()].filter((o) => o.object === "invoice").length,
          1,
          "one Stripe invoice"
        )
        assert.isNotNull(pushed!.hostedUrl)

        // A refusal (an unknown customer) is final: one request, a non-retryable error.
        standIn.requests.length = 0
        const other = yield* issued
        const refused = yield* Effect.flip(stripe.pushInvoice(other.invoice, "cus_unknown"))
        assert.strictEqual(refused._tag, "PaymentProviderError")
        assert.isFalse(refused.retryable)
        assert.strictEqual(refused.status, 400)
        assert.strictEqual(standIn.requests.length, 1)
      }).pipe(Effect.scoped),
    60_000
  )

  it.live(
    "an outage longer than the retries is a retryable failure (the outbox retries it later)",
    () =>
      Effect.gen(function* () {
        const standIn = yield* StandIn.start
        const stripe = providerFor(standIn)
        const { customer } = yield* issued
        standIn.down = true
        const error = yield* Effect.flip(stripe.ensureCustomer(customer))
        assert.isTrue(error.retryable)
        assert.strictEqual(error.status, 503)
        assert.strictEqual(standIn.requests.length, 1 + fastRetry.times)
      }).pipe(Effect.scoped),
    60_000
  )

  it.effect("items that would not add up to the total are refused before anything is sent", () =>
    Effect.gen(function* () {
      const { invoice } = yield* issued
      const tampered = { ...invoice, total: invoice.total + 1n }
      const result = yield* Effect.result(StripePaymentProvider.items(tampered))
      assert.isTrue(Result.isFailure(result))
      if (Result.isFailure(result)) {
        assert.isFalse(result.failure.retryable)
        assert.match(result.failure.reason, /add up to/)
      }
    })
  )

  it.live(
    "findInvoicePayments lists Stripe's InvoicePayments by payment intent (GET, no idempotency key): paid and open ones, none for another intent; a charge id is refused without a request; an outage is retried, then a retryable failure",
    () =>
      Effect.gen(function* () {
        const standIn = yield* StandIn.start
        const stripe = providerFor(standIn)
        const paid = standIn.payInvoice({
          invoice: "in_lookup_1",
          paymentIntent: "pi_lookup_1",
          amount: 12_345,
          paidAt: 1_790_000_000
        })
        standIn.payInvoice({
          invoice: "in_lookup_2",
          paymentIntent: "pi_lookup_1",
          amount: 500,
          status: "open",
          paidAt: 1_790_000_100
        })
        standIn.payInvoice({
          invoice: "in_other",
          paymentIntent: "pi_other",
          amount: 1,
          paidAt: 1_790_000_000
        })

        const found = yield* stripe.findInvoicePayments("pi_lookup_1")
        assert.deepStrictEqual(
          found.map((f) => [f.id, f.providerInvoiceId, f.paymentId, f.amount, f.currency, f.status]),
          [
            [paid, "in_lookup_1", "pi_lookup_1", 12_345n, "USD", "paid"],
            [found[1]!.id, "in_lookup_2", "pi_lookup_1", 0n, "USD", "open"]
          ]
        )
        assert.strictEqual(DateTime.formatIso(found[0]!.paidAt), "2026-09-21T14:13:20.000Z")
        const [request] = standIn.requests
        assert.deepStrictEqual(
          {
            method: request!.method,
            path: request!.path,
            key: request!.idempotencyKey,
            type: request!.form["payment[type]"],
            intent: request!.form["payment[payment_intent]"]
          },
          {
            method: "GET",
            path: "/v1/invoice_payments",
            key: undefined,
            type: "payment_intent",
            intent: "pi_lookup_1"
          }
        )
        assert.deepStrictEqual(yield* stripe.findInvoicePayments("pi_unknown"), [])

        standIn.requests.length = 0
        const byCharge = yield* Effect.flip(stripe.findInvoicePayments("ch_without_intent"))
        assert.isFalse(byCharge.retryable)
        assert.match(byCharge.reason, /payment intent only/)
        assert.strictEqual(standIn.requests.length, 0)

        standIn.down = true
        const down = yield* Effect.flip(stripe.findInvoicePayments("pi_lookup_1"))
        assert.isTrue(down.retryable)
        assert.strictEqual(down.status, 503)
        assert.strictEqual(standIn.requests.length, 1 + fastRetry.times)
      }).pipe(Effect.scoped),
    60_000
  )
})
