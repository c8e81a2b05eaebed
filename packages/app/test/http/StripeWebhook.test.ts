/**
 * `POST /webhooks/stripe` on the real server over loopback (embedded PGlite), with PAYMENTS=stripe
 * pushing to the Stripe STAND-IN (`@securebase/adapters/testing`; Stripe's own mock cannot run
 * here). Signatures are made with the SDK's own `webhooks.generateTestHeaderString`.
 */
import { assert, layer } from "@effect/vitest"
import { PgBilling, StripeWebhooks } from "@securebase/adapters"
import { StripeStandIn } from "@securebase/adapters/testing"
import {
  ApiKey,
  Authenticator,
  BillingRun,
  Customer,
  CustomerRepo,
  type Ids,
  InvoiceRepo,
  Operators,
  PaymentCollection,
  Period,
  PeriodClose,
  Tenancy
} from "@securebase/core"
import { Context, DateTime, Duration, Effect, Layer, Redacted, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { call, TestServer } from "../support/TestServer.ts"

const secretNew = "whsec_newSigningSecretForTests0001"
const secretOld = "whsec_oldSigningSecretForTests0000"

class StandIn extends Context.Service<StandIn, StripeStandIn.StandIn>()("test/StandIn") {}

const serverLayer = Layer.unwrap(
  Effect.map(StripeStandIn.start, (standIn) =>
    Layer.merge(
      TestServer.layer({
        PAYMENTS: "stripe",
        STRIPE_SECRET_KEY: "sk_test_standin",
        STRIPE_WEBHOOK_SECRETS: `${secretNew},${secretOld}`,
        STRIPE_API_BASE: standIn.url.toString()
      }),
      Layer.succeed(StandIn, standIn)
    )
  )
)

const nowSeconds = () => Math.floor(Date.now() / 1000)
let counter = 0
const eventId = () => `evt_test${Date.now()}${String(++counter).padStart(4, "0")}`

/** A Stripe event as Stripe sends it. */
const event = (
  type: string,
  object: Record<string, unknown>,
  options: { readonly id?: string; readonly created?: number } = {}
) =>
  JSON.stringify({
    id: options.id ?? eventId(),
    object: "event",
    api_version: "2025-01-01",
    created: options.created ?? nowSeconds(),
    livemode: false,
    type,
    data: { object }
  })

const sign = (payload: string, secret = secretNew, timestamp?: number) =>
  StripeWebhooks.webhooks.generateTestHeaderString({
    payload,
    secret,
    ...(timestamp === undefined ? {} : { timestamp })
  })

const post = (url: string, payload: string, signature: string | undefined) =>
  call(url, "POST", "/webhooks/stripe", {
    body: payload,
    headers: {
      "content-type": "application/json",
      ...(signature === undefined ? {} : { "stripe-signature": signature })
    }
  })

/** Pushes the queued invoices to the stand-in and returns each pushed invoice with its Stripe id. */
const pushed = Effect.gen(function* () {
  const server = yield* TestServer
  const run = Effect.gen(function* () {
    const collection = yield* PaymentCollection.PaymentCollection
    yield* collection.deliver
    const sql = yield* SqlClient.SqlClient
    return yield* sql<{
      invoice_id: string
      customer_id: string
      provider_invoice_id: string
      total: string
    }>`
      SELECT p.invoice_id::text, p.customer_id::text, p.provider_invoice_id, i.total::text
      FROM payment_invoices p JOIN invoices i ON i.id = p.invoice_id ORDER BY p.invoice_id`
  })
  return yield* Effect.orDie(Effect.provide(run, server.services))
})

const invoiceStatus = (invoiceId: string) =>
  Effect.gen(function* () {
    const server = yield* TestServer
    const read = Tenancy.Tenancy.use((t) =>
      t.runAsWorker(InvoiceRepo.InvoiceRepo.use((r) => r.findById(invoiceId as Ids.InvoiceId)))
    )
    return yield* Effect.orDie(Effect.provide(read, server.services))
  })

const countRows = (query: string, ...params: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const server = yield* TestServer
    const run = Effect.flatMap(SqlClient.SqlClient, (sql) =>
      sql.unsafe<{ n: number }>(query, params as Array<string>)
    )
    return (yield* Effect.orDie(Effect.provide(run, server.services)))[0]!.n
  })

/** A customer of its own with an API key (billed like any other by the billing run). */
const newTenant = (name: string) =>
  Effect.gen(function* () {
    const id = Schema.decodeSync(Customer.Customer.fields.id)(crypto.randomUUID())
    const customer = new Customer.Customer({
      id,
      name,
      email: `billing+${id.slice(0, 8)}@stripe.test`,
      plan: "standard",
      status: "active",
      taxProfile: {},
      netDays: 30
    })
    yield* Tenancy.Tenancy.use((t) =>
      t.runAs(
        id,
        CustomerRepo.CustomerRepo.use((r) => r.insert(customer))
      )
    )
    const created = yield* Authenticator.Authenticator.use((a) =>
      a.createKey({ customerId: id, name: "stripe", scopes: ApiKey.allScopes })
    )
    return { id, key: Redacted.value(created.plaintext) }
  }).pipe(Effect.orDie)

const paidEvent = (link: { provider_invoice_id: string; invoice_id: string; total: string }, extra = {}) => ({
  id: link.provider_invoice_id,
  object: "invoice",
  customer: "cus_x",
  amount_paid: Number(link.total),
  currency: "usd",
  status: "paid",
  metadata: { securebase_invoice_id: link.invoice_id },
  ...extra
})

layer(serverLayer, { timeout: "180 seconds", excludeTestServices: true })("POST /webhooks/stripe", (it) => {
  it.effect(
    "the demo invoices were pushed: the billing step queued them, delivery created them at Stripe",
    () =>
      Effect.gen(function* () {
        const links = yield* pushed
        const standIn = yield* StandIn
        // Every tenant's unpaid (latest) invoice; the paid ones are not pushed.
        assert.strictEqual(links.length, 4)
        for (const link of links) {
          const stripeInvoice = standIn.objects.get(link.provider_invoice_id) as Record<string, any>
          assert.strictEqual(stripeInvoice.metadata.securebase_invoice_id, link.invoice_id)
          assert.strictEqual(stripeInvoice.amount_due, Number(link.total))
          assert.strictEqual((yield* invoiceStatus(link.invoice_id)).status, "issued")
        }
      }),
    120_000
  )

  it.effect("GET /invoices/{id}/payment: the hosted payment link, to its own customer only", () =>
    Effect.gen(function* () {
      const { url, tenants } = yield* TestServer
      const links = yield* pushed
      const owner = tenants.find((t) => t.customer.id === links[0]!.customer_id)!
      const other = tenants.find((t) => t.customer.id !== links[0]!.customer_id)!
      const mine = yield* call(url, "GET", `/invoices/${links[0]!.invoice_id}/payment`, {
        token: owner.apiKey
      })
      assert.strictEqual(mine.status, 200)
      assert.deepStrictEqual(mine.body, {
        invoiceId: links[0]!.invoice_id,
        provider: "stripe",
        providerInvoiceId: links[0]!.provider_invoice_id,
        state: "open",
        hostedUrl: `https://invoice.stripe.test/i/${links[0]!.provider_invoice_id}`
      })
      const theirs = yield* call(url, "GET", `/invoices/${links[0]!.invoice_id}/payment`, {
        token: other.apiKey
      })
      assert.strictEqual(theirs.status, 404)
      assert.strictEqual(theirs.body.code, "INVOICE.NOT_FOUND")
      // An invoice of its own that was never pushed (paid before the push) has no payment link.
      const paidBefore = tenants.find((t) => t.customer.id === owner.customer.id)!
      const invoices = yield* call(url, "GET", "/invoices?status=paid", { token: paidBefore.apiKey })
      const unpushed = invoices.body.data[0].id as string
      const none = yield* call(url, "GET", `/invoices/${unpushed}/payment`, { token: owner.apiKey })
      assert.strictEqual(none.status, 404)
      assert.strictEqual(none.body.code, "PAYMENT.NOT_FOUND")
    })
  )

  it.effect("a valid invoice.paid marks the invoice paid; the replay is acknowledged and does nothing", () =>
    Effect.gen(function* () {
      const { url } = yield* TestServer
      const link = (yield* pushed)[0]!
      const payload = event("invoice.paid", paidEvent(link))
      const signature = sign(payload)
      const first = yield* post(url, payload, signature)
      assert.strictEqual(first.status, 200)
      assert.strictEqual(first.body.outcome, "applied")
      const invoice = yield* invoiceStatus(link.invoice_id)
      assert.strictEqual(invoice.status, "paid")
      assert.strictEqual(invoice.paymentReference, `stripe:${link.provider_invoice_id}`)
      // The same delivery again (Stripe retries, or an attacker replays within the tolerance).
      const replay = yield* post(url, payload, signature)
      assert.strictEqual(replay.status, 200)
      assert.strictEqual(replay.body.outcome, "duplicate")
      assert.strictEqual(
        yield* countRows(
          "SELECT count(*)::int AS n FROM payment_attempts WHERE invoice_id = $1",
          link.invoice_id
        ),
        1
      )
      assert.strictEqual(
        yield* countRows(
          "SELECT count(*)::int AS n FROM audit_events WHERE action = 'invoice.paid_by_provider' AND subject_id = $1",
          link.invoice_id
        ),
        1
      )
    })
  )

  it.effect("unsigned, forged, tampered, stale and malformed requests are 400 and change nothing", () =>
    Effect.gen(function* () {
      const { url } = yield* TestServer
      const link = (yield* pushed)[1]!
      const payload = event("invoice.paid", paidEvent(link))
      const cases: ReadonlyArray<readonly [string, string, string | undefined, string]> = [
        ["unsigned", payload, undefined, "missing_signature"],
        [
          "forged (unknown secret)",
          payload,
          sign(payload, "whsec_attackerSecret0000000000"),
          "invalid_signature"
        ],
        [
          "tampered after signing",
          payload.replace('"currency":"usd"', '"currency":"eur"'),
          sign(payload),
          "invalid_signature"
        ],
        ["stale (10 minutes old)", payload, sign(payload, secretNew, nowSeconds() - 600), "stale"],
        ["garbage header", payload, "t=abc,v1=zzz", "invalid_signature"],
        ["signed, not JSON", "not json at all", sign("not json at all"), "malformed"],
        ["signed JSON that is not an event", '{"id":"evt_1"}', sign('{"id":"evt_1"}'), "malformed"]
      ]
      for (const [name, body, signature, reason] of cases) {
        const reply = yield* post(url, body, signature)
        assert.strictEqual(reply.status, 400, name)
        assert.strictEqual(reply.body.code, "WEBHOOK.REJECTED", name)
        assert.match(reply.body.message, new RegExp(`^${reason}:`), name)
      }
      assert.strictEqual((yield* invoiceStatus(link.invoice_id)).status, "issued")
      // Within the tolerance (4 minutes old) the same event is accepted.
      const recent = yield* post(url, payload, sign(payload, secretNew, nowSeconds() - 240))
      assert.strictEqual(recent.status, 200)
      assert.strictEqual((yield* invoiceStatus(link.invoice_id)).status, "paid")
    })
  )

  it.effect("two secrets during rotation: the old secret still verifies", () =>
    Effect.gen(function* () {
      const { url } = yield* TestServer
      const payload = event("customer.updated", {
        id: "cus_rotation",
        object: "customer",
        email: "new@acme.test"
      })
      const old = yield* post(url, payload, sign(payload, secretOld))
      assert.strictEqual(old.status, 200)
      // Verified and processed: customer events are acted on now, and cus_rotation is no customer of ours.
      assert.strictEqual(old.body.outcome, "unmatched")
    })
  )

  it.effect("a 1 MB body is verified and processed", () =>
    Effect.gen(function* () {
      const { url } = yield* TestServer
      const payload = event("product.updated", {
        id: "prod_big",
        object: "product",
        description: "x".repeat(1_000_000)
      })
      assert.isTrue(payload.length > 1_000_000)
      const reply = yield* post(url, payload, sign(payload))
      assert.strictEqual(reply.status, 200)
      assert.strictEqual(reply.body.outcome, "ignored")
    })
  )

  it.effect("a body over MAX_BODY_BYTES (1 MiB) is refused with 413 while it is read", () =>
    Effect.gen(function* () {
      const { url } = yield* TestServer
      const payload = event("product.updated", {
        id: "prod_huge",
        object: "product",
        description: "x".repeat(1_100_000)
      })
      const reply = yield* post(url, payload, sign(payload))
      assert.strictEqual(reply.status, 413)
    })
  )

  it.effect("the same event 10 times concurrently: one effect, nine duplicates", () =>
    Effect.gen(function* () {
      const { url } = yield* TestServer
      const link = (yield* pushed)[2]!
      const payload = event("invoice.paid", paidEvent(link))
      const signature = sign(payload)
      const replies = yield* Effect.all(
        Array.from({ length: 10 }, () => post(url, payload, signature)),
        { concurrency: "unbounded" }
      )
      assert.deepStrictEqual(
        replies.map((r) => r.status),
        Array(10).fill(200)
      )
      assert.deepStrictEqual(replies.map((r) => r.body.outcome).sort(), [
        "applied",
        ...Array(9).fill("duplicate")
      ])
      assert.strictEqual(
        yield* countRows(
          "SELECT count(*)::int AS n FROM payment_attempts WHERE invoice_id = $1",
          link.invoice_id
        ),
        1
      )
      assert.strictEqual(
        yield* countRows(
          "SELECT count(*)::int AS n FROM audit_events WHERE action = 'invoice.paid_by_provider' AND subject_id = $1",
          link.invoice_id
        ),
        1
      )
    })
  )

  it.effect("out of order: a payment_failed created before the paid that arrived first changes nothing", () =>
    Effect.gen(function* () {
      const { url } = yield* TestServer
      const link = (yield* pushed)[3]!
      const t = nowSeconds()
      const paid = event("invoice.paid", paidEvent(link), { created: t })
      const failed = event(
        "invoice.payment_failed",
        paidEvent(link, { amount_paid: 0, amount_due: Number(link.total), status: "open", attempt_count: 1 }),
        { created: t - 60 }
      )
      assert.strictEqual((yield* post(url, paid, sign(paid))).body.outcome, "applied")
      const late = yield* post(url, failed, sign(failed))
      assert.strictEqual(late.status, 200)
      assert.strictEqual(late.body.outcome, "stale")
      assert.strictEqual((yield* invoiceStatus(link.invoice_id)).status, "paid")
      assert.strictEqual(
        yield* countRows(
          "SELECT count(*)::int AS n FROM payment_invoices WHERE invoice_id = $1 AND state = 'paid'",
          link.invoice_id
        ),
        1
      )
      assert.strictEqual(
        yield* countRows(
          "SELECT count(*)::int AS n FROM audit_events WHERE action = 'invoice.payment_failed' AND subject_id = $1",
          link.invoice_id
        ),
        0
      )
    })
  )

  it.effect("events about invoices that are not ours, and unknown types, are acknowledged", () =>
    Effect.gen(function* () {
      const { url } = yield* TestServer
      const foreign = event("invoice.paid", {
        id: "in_not_ours",
        object: "invoice",
        amount_paid: 100,
        currency: "usd",
        metadata: {}
      })
      const reply = yield* post(url, foreign, sign(foreign))
      assert.strictEqual(reply.status, 200)
      assert.strictEqual(reply.body.outcome, "unmatched")
      // A refund of a charge that names none of our invoices.
      const refund = event("charge.refunded", {
        id: "ch_1",
        object: "charge",
        amount_refunded: 100,
        currency: "usd"
      })
      assert.strictEqual((yield* post(url, refund, sign(refund))).body.outcome, "unmatched")
      const unknown = event("product.updated", { id: "prod_1", object: "product" })
      assert.strictEqual((yield* post(url, unknown, sign(unknown))).body.outcome, "ignored")
    })
  )

  it.effect(
    "end to end: a partial payment then the rest, a charge's refunds (no refunds list, cumulative amount) as credit notes of the new amount only, a failed payment as one step and one e-mail",
    () =>
      Effect.gen(function* () {
        const server = yield* TestServer
        const { url } = server
        const payer = yield* Effect.provide(newTenant("Refunded Payer"), server.services)
        const failing = yield* Effect.provide(newTenant("Declined Card"), server.services)
        const summary = yield* BillingRun.run({
          period: Period.previous(Period.ofDateTime(DateTime.nowUnsafe()))
        }).pipe(
          Effect.provideService(PeriodClose.UsageGrace, Duration.zero),
          Effect.provide(PgBilling.layer),
          Effect.provide(server.services),
          Effect.orDie
        )
        assert.strictEqual(summary.failures.length, 0)
        const links = yield* pushed
        const linkOf = (customerId: string) => links.find((l) => l.customer_id === customerId)!
        const paying = linkOf(payer.id)
        const declined = linkOf(failing.id)
        const total = BigInt(paying.total)
        assert.isTrue(total > 1000n)
        const invoice = () =>
          Effect.map(call(url, "GET", `/invoices/${paying.invoice_id}`, { token: payer.key }), (r) => r.body)

        // Part of the invoice paid through Stripe: a payment row, the rest still due.
        const part = event("invoice.paid", paidEvent(paying, { amount_paid: Number(total - 1000n) }))
        assert.strictEqual((yield* post(url, part, sign(part))).body.outcome, "applied")
        const afterPart = yield* invoice()
        assert.strictEqual(afterPart.status, "issued")
        assert.strictEqual(afterPart.amountDue, "1000")
        assert.deepStrictEqual(
          afterPart.payments.map((p: any) => [p.amount, p.method, p.idempotencyKey]),
          [[(total - 1000n).toString(), "other", `stripe:${paying.provider_invoice_id}`]]
        )
        // The rest by a PaymentIntent carrying our invoice id only: paid.
        const rest = event("payment_intent.succeeded", {
          id: "pi_e2e_rest",
          object: "payment_intent",
          amount_received: 1000,
          currency: "usd",
          metadata: { securebase_invoice_id: paying.invoice_id }
        })
        assert.strictEqual((yield* post(url, rest, sign(rest))).body.outcome, "applied")
        const paid = yield* invoice()
        assert.deepStrictEqual([paid.status, paid.amountDue, paid.payments.length], ["paid", "0", 2])

        // Refunds as Stripe sends them (API 2022-11-15 on, the SDK's pinned version included): the
        // charge without its `refunds` list (nor, since 2025-03-31, an `invoice`), with its
        // cumulative `amount_refunded`. One refund of 300, then a second of 200 (cumulative 500),
        // that event again, and the first event's amount under another id delivered late.
        const charge = (amountRefunded: number) => ({
          id: "ch_e2e",
          object: "charge",
          amount: 1000,
          amount_captured: 1000,
          amount_refunded: amountRefunded,
          refunded: false,
          currency: "usd",
          payment_intent: "pi_e2e_rest",
          metadata: { securebase_invoice_id: paying.invoice_id }
        })
        const createdAt = nowSeconds()
        const once = event("charge.refunded", charge(300), { created: createdAt })
        assert.strictEqual((yield* post(url, once, sign(once))).body.outcome, "applied")
        const twice = event("charge.refunded", charge(500), { created: createdAt + 1 })
        assert.strictEqual((yield* post(url, twice, sign(twice))).body.outcome, "applied")
        assert.strictEqual((yield* post(url, twice, sign(twice))).body.outcome, "duplicate")
        const older = event("charge.refunded", charge(300), { created: createdAt })
        assert.strictEqual((yield* post(url, older, sign(older))).body.outcome, "duplicate")
        const refunded = yield* invoice()
        assert.deepStrictEqual(
          refunded.creditNotes.map((c: any) => [c.amount, c.credited, c.refunded, c.reason]),
          [
            ["300", "0", "300", "Refunded through Stripe (ch_e2e)"],
            ["200", "0", "200", "Refunded through Stripe (ch_e2e)"]
          ]
        )
        for (const note of refunded.creditNotes) assert.match(note.number, /^CN-\d{4}-\d{6}$/)
        assert.deepStrictEqual([refunded.status, refunded.amountDue], ["paid", "0"])
        // The operator's receivables view shows the same account.
        const operator = yield* Effect.orDie(
          Context.get(server.services, Operators.Operators).create({
            name: "stripe",
            scopes: ["invoices:read"]
          })
        )
        const operatorView = yield* call(url, "GET", `/admin/invoices/${paying.invoice_id}`, {
          token: Redacted.value(operator.plaintext)
        })
        assert.strictEqual(operatorView.status, 200)
        assert.deepStrictEqual(
          [operatorView.body.amountDue, operatorView.body.payments, operatorView.body.creditNotes],
          [refunded.amountDue, refunded.payments, refunded.creditNotes]
        )

        // A failed payment, delivered 10 times at once: one step, one e-mail.
        const failed = event(
          "invoice.payment_failed",
          paidEvent(declined, {
            amount_paid: 0,
            amount_due: Number(declined.total),
            status: "open",
            attempt_count: 1
          })
        )
        const signature = sign(failed)
        const replies = yield* Effect.all(
          Array.from({ length: 10 }, () => post(url, failed, signature)),
          { concurrency: "unbounded" }
        )
        assert.deepStrictEqual(replies.map((r) => r.body.outcome).sort(), [
          "applied",
          ...Array(9).fill("duplicate")
        ])
        assert.strictEqual(
          yield* countRows(
            "SELECT count(*)::int AS n FROM dunning_steps WHERE invoice_id = $1 AND kind = 'payment_failed'",
            declined.invoice_id
          ),
          1
        )
        assert.strictEqual(
          yield* countRows(
            "SELECT count(*)::int AS n FROM notifications WHERE customer_id = $1 AND template = 'payment_failed'",
            failing.id
          ),
          1
        )
        const stillDue = yield* call(url, "GET", `/invoices/${declined.invoice_id}`, { token: failing.key })
        assert.deepStrictEqual([stillDue.body.status, stillDue.body.amountDue], ["issued", declined.total])
      }),
    180_000
  )

  it.effect(
    "paid on Stripe's hosted page (no metadata on the charge, no invoice): a refund before the invoice_payment.paid waits (pending), the invoice_payment.paid records the payment, links its payment intent and credits the refund; a later refund credits through the link; redeliveries nothing",
    () =>
      Effect.gen(function* () {
        const server = yield* TestServer
        const { url } = server
        const payer = yield* Effect.provide(newTenant("Hosted Page Payer"), server.services)
        yield* BillingRun.run({ period: Period.previous(Period.ofDateTime(DateTime.nowUnsafe())) }).pipe(
          Effect.provideService(PeriodClose.UsageGrace, Duration.zero),
          Effect.provide(PgBilling.layer),
          Effect.provide(server.services),
          Effect.orDie
        )
        const paying = (yield* pushed).find((l) => l.customer_id === payer.id)!
        const stripeCustomer = yield* Effect.orDie(
          Effect.provide(
            Effect.flatMap(
              SqlClient.SqlClient,
              (sql) => sql<{ id: string }>`SELECT provider_customer_id AS id FROM payment_customers
                WHERE customer_id = ${payer.id}`
            ),
            server.services
          )
        )
        const invoice = () =>
          Effect.map(call(url, "GET", `/invoices/${paying.invoice_id}`, { token: payer.key }), (r) => r.body)
        // A charge as the SDK's pinned API version sends it: its payment intent and customer, no
        // invoice, no metadata of ours (the hosted invoice page sets none).
        const charge = (amountRefunded: number) => ({
          id: "ch_hosted",
          object: "charge",
          amount: Number(paying.total),
          amount_captured: Number(paying.total),
          amount_refunded: amountRefunded,
          refunded: false,
          currency: "usd",
          customer: stripeCustomer[0]!.id,
          payment_intent: "pi_hosted",
          metadata: {}
        })
        const createdAt = nowSeconds()
        const early = event("charge.refunded", charge(300), { created: createdAt })
        assert.strictEqual((yield* post(url, early, sign(early))).body.outcome, "pending")
        assert.strictEqual((yield* post(url, early, sign(early))).body.outcome, "duplicate")
        assert.deepStrictEqual((yield* invoice()).creditNotes, [])
        // Stripe's InvoicePayment of our pushed invoice, paid by that payment intent.
        const invoicePayment = event(
          "invoice_payment.paid",
          {
            id: "inpay_hosted",
            object: "invoice_payment",
            amount_paid: Number(paying.total),
            amount_requested: Number(paying.total),
            currency: "usd",
            invoice: paying.provider_invoice_id,
            is_default: true,
            livemode: false,
            payment: { type: "payment_intent", payment_intent: "pi_hosted" },
            status: "paid",
            status_transitions: { canceled_at: null, paid_at: createdAt }
          },
          { created: createdAt + 1 }
        )
        assert.strictEqual((yield* post(url, invoicePayment, sign(invoicePayment))).body.outcome, "applied")
        assert.strictEqual((yield* post(url, invoicePayment, sign(invoicePayment))).body.outcome, "duplicate")
        // Stripe's invoice.paid of the same payment: recorded once.
        const paid = event("invoice.paid", paidEvent(paying), { created: createdAt + 1 })
        assert.strictEqual((yield* post(url, paid, sign(paid))).body.outcome, "duplicate")
        const afterLink = yield* invoice()
        assert.deepStrictEqual(
          [afterLink.status, afterLink.amountDue, afterLink.payments.map((p: any) => p.idempotencyKey)],
          ["paid", "0", [`stripe:${paying.provider_invoice_id}`]]
        )
        assert.deepStrictEqual(
          afterLink.creditNotes.map((c: any) => [c.amount, c.refunded, c.reason]),
          [["300", "300", "Refunded through Stripe (ch_hosted)"]]
        )
        // A second refund (cumulative 500) now finds the invoice through the link at once.
        const later = event("charge.refunded", charge(500), { created: createdAt + 2 })
        assert.strictEqual((yield* post(url, later, sign(later))).body.outcome, "applied")
        assert.strictEqual((yield* post(url, later, sign(later))).body.outcome, "duplicate")
        assert.deepStrictEqual(
          (yield* invoice()).creditNotes.map((c: any) => c.amount),
          ["300", "200"]
        )
        assert.strictEqual(
          yield* countRows(
            "SELECT count(*)::int AS n FROM payment_pending_refunds WHERE provider_payment_id = $1",
            "pi_hosted"
          ),
          0
        )
      }),
    180_000
  )
})

layer(TestServer.layer(), { timeout: "180 seconds", excludeTestServices: true })(
  "POST /webhooks/stripe with PAYMENTS=manual",
  (it) => {
    it.effect("answers 404 WEBHOOK.DISABLED", () =>
      Effect.gen(function* () {
        const { url } = yield* TestServer
        const payload = event("invoice.paid", { id: "in_1", object: "invoice" })
        const reply = yield* post(url, payload, sign(payload))
        assert.strictEqual(reply.status, 404)
        assert.strictEqual(reply.body.code, "WEBHOOK.DISABLED")
      })
    )
  }
)
