/**
 * Stripe's customer and subscription events through `POST /webhooks/stripe` on the real server over
 * loopback (embedded PGlite, PAYMENTS=stripe pushing to the Stripe STAND-IN), signed with the
 * SDK's own `webhooks.generateTestHeaderString`: the billing details and the plan follow Stripe,
 * a refusal is a 200 (Stripe must not retry it), and a deleted subscription closes the customer,
 * whose API key then stops working.
 */
import { assert, layer } from "@effect/vitest"
import { StripeWebhooks } from "@securebase/adapters"
import { StripeStandIn } from "@securebase/adapters/testing"
import { CustomerRepo, type Ids, PaymentCollection, Tenancy } from "@securebase/core"
import { Effect, Layer } from "effect"
import { SqlClient } from "effect/sql"
import { call, TestServer } from "../support/TestServer.ts"

const secret = "whsec_customerEventsSigningSecret01"

const serverLayer = Layer.unwrap(
  Effect.map(StripeStandIn.start, (standIn) =>
    TestServer.layer({
      PAYMENTS: "stripe",
      STRIPE_SECRET_KEY: "sk_test_standin",
      STRIPE_WEBHOOK_SECRETS: secret,
      STRIPE_API_BASE: standIn.url.toString()
    })
  )
)

let counter = 0
const nowSeconds = () => Math.floor(Date.now() / 1000)

/** A Stripe event as Stripe sends it, `created` seconds from now. */
const event = (type: string, object: Record<string, unknown>, offset = 0) =>
  JSON.stringify({
    id: `evt_cust${Date.now()}${String(++counter).padStart(4, "0")}`,
    object: "event",
    api_version: "2025-01-01",
    created: nowSeconds() + offset,
    livemode: false,
    type,
    data: { object }
  })

const post = (url: string, payload: string) =>
  call(url, "POST", "/webhooks/stripe", {
    body: payload,
    headers: {
      "content-type": "application/json",
      "stripe-signature": StripeWebhooks.webhooks.generateTestHeaderString({ payload, secret })
    }
  })

/** The Stripe customers the push created, with ours (the push links them). */
const linked = Effect.gen(function* () {
  const server = yield* TestServer
  const run = Effect.gen(function* () {
    const collection = yield* PaymentCollection.PaymentCollection
    yield* collection.deliver
    const sql = yield* SqlClient.SqlClient
    return yield* sql<{ customer_id: string; provider_customer_id: string }>`
      SELECT customer_id::text, provider_customer_id FROM payment_customers ORDER BY customer_id`
  })
  return yield* Effect.orDie(Effect.provide(run, server.services))
})

const customer = (id: string) =>
  Effect.gen(function* () {
    const server = yield* TestServer
    const read = Tenancy.Tenancy.use((t) =>
      t.runAsWorker(CustomerRepo.CustomerRepo.use((r) => r.findById(id as Ids.CustomerId)))
    )
    return yield* Effect.orDie(Effect.provide(read, server.services))
  })

const subscription = (id: string, stripeCustomer: string, status: string, plan: string) => ({
  id,
  object: "subscription",
  customer: stripeCustomer,
  status,
  metadata: { securebase_plan: plan },
  items: { object: "list", data: [] }
})

layer(serverLayer, { timeout: "180 seconds", excludeTestServices: true })(
  "POST /webhooks/stripe: customer and subscription events",
  (it) => {
    it.effect(
      "customer.updated sets the billing e-mail and address; an invalid address is a 200 refusal",
      () =>
        Effect.gen(function* () {
          const { url } = yield* TestServer
          const links = yield* linked
          assert.isAbove(links.length, 0)
          const link = links[0]!
          const stripeCustomer = (email: string, country: string) => ({
            id: link.provider_customer_id,
            object: "customer",
            email,
            address: {
              line1: "Unter den Linden 1",
              line2: null,
              city: "Berlin",
              state: null,
              postal_code: "10117",
              country
            }
          })
          const good = yield* post(url, event("customer.updated", stripeCustomer("ap@example.test", "DE")))
          assert.strictEqual(good.status, 200)
          assert.strictEqual(good.body.outcome, "applied")
          const after = yield* customer(link.customer_id)
          assert.strictEqual(after.email, "ap@example.test")
          assert.deepStrictEqual(after.billingAddress, {
            line1: "Unter den Linden 1",
            city: "Berlin",
            postalCode: "10117",
            country: "DE"
          })
          const bad = yield* post(
            url,
            event("customer.updated", stripeCustomer("other@example.test", "Germany"))
          )
          assert.strictEqual(bad.status, 200)
          assert.strictEqual(bad.body.outcome, "refused")
          assert.strictEqual((yield* customer(link.customer_id)).email, "ap@example.test")
        }),
      120_000
    )

    it.effect(
      "subscription updated: the plan changes once; deleted: the customer is closed and its key refused",
      () =>
        Effect.gen(function* () {
          const { url, tenants } = yield* TestServer
          const links = yield* linked
          const link = links[0]!
          const tenant = tenants.find((t) => t.customer.id === link.customer_id)!
          const before = yield* customer(link.customer_id)
          // Another plan of the same book: another demo tenant's, in the same currency.
          const target = tenants.find(
            (t) => t.customer.plan !== before.plan && t.customer.currency === before.currency
          )!.customer.plan
          const sub = `sub_${crypto.randomUUID().slice(0, 8)}`
          const payload = event(
            "customer.subscription.updated",
            subscription(sub, link.provider_customer_id, "active", target)
          )
          const changed = yield* post(url, payload)
          assert.strictEqual(changed.status, 200)
          assert.strictEqual(changed.body.outcome, "applied")
          assert.strictEqual((yield* customer(link.customer_id)).plan, target)
          const replay = yield* post(url, payload)
          assert.strictEqual(replay.body.outcome, "duplicate")
          const me = yield* call(url, "GET", "/account", { token: tenant.apiKey })
          assert.strictEqual(me.status, 200)

          const deleted = yield* post(
            url,
            event(
              "customer.subscription.deleted",
              subscription(sub, link.provider_customer_id, "canceled", target),
              1
            )
          )
          assert.strictEqual(deleted.status, 200)
          assert.strictEqual(deleted.body.outcome, "applied")
          assert.strictEqual((yield* customer(link.customer_id)).status, "closed")
          const refused = yield* call(url, "GET", "/account", { token: tenant.apiKey })
          assert.isTrue(refused.status === 401 || refused.status === 403, `status ${refused.status}`)
        })
    )
  }
)
