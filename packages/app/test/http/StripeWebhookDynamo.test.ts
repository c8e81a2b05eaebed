/**
 * `POST /webhooks/stripe` with `PAYMENT_RECORDS=dynamodb`: the real server over loopback, the
 * Stripe ids and events in dynalite (a DynamoDB-protocol server started by this file), the
 * invoices in PostgreSQL (the server in DATABASE_URL, a scratch database of its own; embedded
 * PGlite when it is unset). Invoices are pushed to the Stripe STAND-IN first.
 *
 * Exactly once across the two stores: the same event 10 times at once has one effect in
 * PostgreSQL; a delivery while another holds the event's claim is 409 and does nothing; an effect
 * that fails once (a trigger refuses the invoice's update: a crash between claim and effect)
 * releases the claim, and the redelivery applies it once; a holder that crashed without releasing
 * is taken over once its lease has run out, and its half-done work finished once.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb"
import { assert, layer } from "@effect/vitest"
import { DynamoPaymentRecords, DynamoTables, StripeWebhooks } from "@securebase/adapters"
import { StripeStandIn } from "@securebase/adapters/testing"
import { type Ids, InvoiceRepo, PaymentCollection, PaymentRecords, Tenancy } from "@securebase/core"
import dynalite from "dynalite"
import { Context, DateTime, Effect, Layer, Option } from "effect"
import { SqlClient } from "effect/sql"
import { scratchDatabase } from "../support/ServerProcesses.ts"
import { call, TestServer } from "../support/TestServer.ts"

const secret = "whsec_dynamoSigningSecretForTests01"
const tableName = "securebase-test-payments"

/** dynalite on an ephemeral port, with the payment records table; closed with the scope. */
const dynamo = Effect.acquireRelease(
  Effect.promise(async () => {
    const server = dynalite({ createTableMs: 0 })
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()))
    const endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}`
    const client = new DynamoDBClient({
      endpoint,
      region: "local",
      credentials: { accessKeyId: "local", secretAccessKey: "local" }
    })
    return { server, endpoint, client }
  }),
  ({ server, client }) =>
    Effect.promise(() => {
      client.destroy()
      return new Promise<void>((resolve) => server.close(() => resolve()))
    })
)

class Dynamo extends Context.Service<Dynamo, Effect.Success<typeof dynamo>>()("test/Dynamo") {}

const serverLayer = Layer.unwrap(
  Effect.gen(function* () {
    const { endpoint, client } = yield* Dynamo
    yield* DynamoTables.createPaymentRecordsTable({ client, tableName })
    // The SDK reads its region and credentials from the process environment (dynalite takes any).
    process.env.AWS_REGION = "local"
    process.env.AWS_ACCESS_KEY_ID = "local"
    process.env.AWS_SECRET_ACCESS_KEY = "local"
    const standIn = yield* StripeStandIn.start
    const databaseUrl = process.env.DATABASE_URL ?? ""
    const database = databaseUrl === "" ? {} : { DATABASE_URL: yield* scratchDatabase(databaseUrl) }
    return TestServer.layer({
      ...database,
      PAYMENTS: "stripe",
      STRIPE_SECRET_KEY: "sk_test_standin",
      STRIPE_WEBHOOK_SECRETS: secret,
      STRIPE_API_BASE: standIn.url.toString(),
      PAYMENT_RECORDS: "dynamodb",
      PAYMENT_RECORDS_TABLE: tableName,
      DYNAMODB_ENDPOINT: endpoint
    })
  })
).pipe(Layer.provideMerge(Layer.effect(Dynamo, dynamo)))

const nowSeconds = () => Math.floor(Date.now() / 1000)
let counter = 0
const eventId = () => `evt_dyn${Date.now()}${String(++counter).padStart(4, "0")}`

const event = (type: string, object: Record<string, unknown>, id = eventId(), created = nowSeconds()) =>
  JSON.stringify({
    id,
    object: "event",
    api_version: "2025-01-01",
    created,
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

const inServer = <A, E>(effect: Effect.Effect<A, E, any>) =>
  Effect.gen(function* () {
    const server = yield* TestServer
    return yield* Effect.orDie(Effect.provide(effect, server.services))
  })

/** Pushes the queued invoices and returns each linked invoice's link (read from DynamoDB) and total. */
const pushed = inServer(
  Effect.gen(function* () {
    yield* PaymentCollection.PaymentCollection.use((c) => c.deliver)
    const sql = yield* SqlClient.SqlClient
    const rows = yield* sql<{ invoice_id: string; total: string }>`
      SELECT p.invoice_id::text, i.total::text FROM payment_pushes p JOIN invoices i ON i.id = p.invoice_id
      WHERE p.status = 'pushed' ORDER BY p.invoice_id`
    // A paid invoice's push is marked pushed without going to Stripe: it has no link.
    const links = yield* Effect.forEach(rows, (row) =>
      Effect.map(
        PaymentRecords.PaymentRecords.use((r) => r.invoiceLink(row.invoice_id as Ids.InvoiceId)),
        Option.map((link) => ({ ...link, total: row.total }))
      )
    )
    return links.flatMap((link) => (Option.isSome(link) ? [link.value] : []))
  })
)

const invoiceStatus = (invoiceId: string) =>
  inServer(
    Tenancy.Tenancy.use((t) =>
      t.runAsWorker(InvoiceRepo.InvoiceRepo.use((r) => r.findById(invoiceId as Ids.InvoiceId)))
    ).pipe(Effect.map((invoice) => invoice.status))
  )

const audits = (invoiceId: string) =>
  inServer(
    Effect.flatMap(
      SqlClient.SqlClient,
      (sql) => sql<{ n: number }>`SELECT count(*)::int AS n FROM audit_events
        WHERE action = 'invoice.paid_by_provider' AND subject_id = ${invoiceId}`
    ).pipe(Effect.map((rows) => rows[0]!.n))
  )

const paidObject = (link: { providerInvoiceId: string; invoiceId: string; total: string }) => ({
  id: link.providerInvoiceId,
  object: "invoice",
  customer: "cus_x",
  amount_paid: Number(link.total),
  currency: "usd",
  status: "paid",
  metadata: { securebase_invoice_id: link.invoiceId }
})

layer(serverLayer, { timeout: "180 seconds", excludeTestServices: true })(
  "POST /webhooks/stripe with PAYMENT_RECORDS=dynamodb",
  (it) => {
    it.effect("the pushed invoices are linked in DynamoDB, found by the provider's id too", () =>
      Effect.gen(function* () {
        const links = yield* pushed
        assert.strictEqual(links.length, 4)
        for (const link of links) {
          const back = yield* inServer(
            PaymentRecords.PaymentRecords.use((r) => r.invoiceOfProvider("stripe", link.providerInvoiceId))
          )
          assert.deepStrictEqual(
            Option.map(back, (l) => l.invoiceId),
            Option.some(link.invoiceId)
          )
          assert.strictEqual(link.state, "open")
        }
        // Nothing of it in PostgreSQL's tables.
        const rows = yield* inServer(
          Effect.flatMap(
            SqlClient.SqlClient,
            (sql) => sql<{ n: number }>`SELECT count(*)::int AS n FROM payment_invoices`
          )
        )
        assert.strictEqual(rows[0]!.n, 0)
      })
    )

    it.effect(
      "the same event 10 times concurrently: one effect in PostgreSQL; the others duplicate or 409",
      () =>
        Effect.gen(function* () {
          const { url } = yield* TestServer
          const { client } = yield* Dynamo
          const link = (yield* pushed)[0]!
          const id = eventId()
          const payload = event("invoice.paid", paidObject(link), id)
          const replies = yield* Effect.all(
            Array.from({ length: 10 }, () => post(url, payload)),
            { concurrency: "unbounded" }
          )
          const applied = replies.filter((r) => r.status === 200 && r.body.outcome === "applied")
          assert.strictEqual(applied.length, 1)
          for (const reply of replies) {
            if (reply === applied[0]) continue
            const answer = reply.status === 200 ? reply.body.outcome : reply.body.code
            assert.include(["duplicate", "WEBHOOK.IN_PROGRESS"], answer, JSON.stringify(reply.body))
            if (reply.status !== 200) assert.strictEqual(reply.status, 409)
          }
          // Stripe retries the 409s: duplicates now.
          const retry = yield* post(url, payload)
          assert.strictEqual(retry.status, 200)
          assert.strictEqual(retry.body.outcome, "duplicate")
          assert.strictEqual(yield* invoiceStatus(link.invoiceId), "paid")
          assert.strictEqual(yield* audits(link.invoiceId), 1)
          const attempt = yield* DynamoPaymentRecords.attempt({ client, tableName }, "stripe", id)
          assert.deepStrictEqual(
            Option.map(attempt, (a) => [a.invoiceId, a.outcome, a.amount]),
            Option.some([link.invoiceId, "succeeded", BigInt(link.total)])
          )
          const state = yield* inServer(
            PaymentRecords.PaymentRecords.use((r) => r.invoiceLink(link.invoiceId))
          )
          assert.deepStrictEqual(
            Option.map(state, (l) => l.state),
            Option.some("paid")
          )
        })
    )

    it.effect("a delivery while another instance holds the claim is 409 and does nothing", () =>
      Effect.gen(function* () {
        const { url } = yield* TestServer
        const { client } = yield* Dynamo
        const link = (yield* pushed)[1]!
        const id = eventId()
        const payload = event("invoice.paid", paidObject(link), id)
        // Another instance (its own records, the same table) claimed the event and is still at it.
        const other = DynamoPaymentRecords.make({ client, tableName })
        const key = { provider: "stripe", id }
        assert.isTrue(
          yield* other.recordEvent({
            ...key,
            type: "invoice.paid",
            createdAt: DateTime.nowUnsafe(),
            customerId: null
          })
        )
        const busy = yield* post(url, payload)
        assert.strictEqual(busy.status, 409)
        assert.strictEqual(busy.body.code, "WEBHOOK.IN_PROGRESS")
        assert.strictEqual(yield* invoiceStatus(link.invoiceId), "issued")
        assert.isTrue(Option.isNone(yield* DynamoPaymentRecords.attempt({ client, tableName }, "stripe", id)))
        // It failed and let go: Stripe's retry applies the event.
        yield* other.settleEvent(key, "released")
        const retried = yield* post(url, payload)
        assert.strictEqual(retried.status, 200)
        assert.strictEqual(retried.body.outcome, "applied")
        assert.strictEqual(yield* invoiceStatus(link.invoiceId), "paid")
      })
    )

    it.effect(
      "the effect fails once after the claim (a crash): 503, and the redelivery applies it once",
      () =>
        Effect.gen(function* () {
          const { url } = yield* TestServer
          const link = (yield* pushed)[2]!
          // The first update of this invoice to paid fails (the sequence counts outside the rolled-back transaction).
          yield* inServer(
            Effect.flatMap(SqlClient.SqlClient, (sql) =>
              Effect.all([
                sql.unsafe("CREATE SEQUENCE crash_once"),
                sql.unsafe(`CREATE FUNCTION crash_once() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$
                BEGIN
                  IF NEW.id = '${link.invoiceId}' AND NEW.status = 'paid' AND nextval('crash_once') = 1 THEN
                    RAISE EXCEPTION 'simulated crash between the claim and the effect';
                  END IF;
                  RETURN NEW;
                END $$`),
                sql.unsafe(
                  "CREATE TRIGGER crash_once BEFORE UPDATE ON invoices FOR EACH ROW EXECUTE FUNCTION crash_once()"
                )
              ])
            )
          )
          const payload = event("invoice.paid", paidObject(link))
          const crashed = yield* post(url, payload)
          assert.strictEqual(crashed.status, 503, JSON.stringify(crashed.body))
          assert.strictEqual(crashed.body.code, "WEBHOOK.NOT_RECORDED")
          assert.strictEqual(yield* invoiceStatus(link.invoiceId), "issued")
          assert.strictEqual(yield* audits(link.invoiceId), 0)
          // The DynamoDB state moved to paid before the crash; the redelivery still applies the effect.
          const redelivered = yield* post(url, payload)
          assert.strictEqual(redelivered.status, 200)
          assert.strictEqual(redelivered.body.outcome, "applied")
          assert.strictEqual(yield* invoiceStatus(link.invoiceId), "paid")
          assert.strictEqual(yield* audits(link.invoiceId), 1)
          const again = yield* post(url, payload)
          assert.strictEqual(again.body.outcome, "duplicate")
          assert.strictEqual(yield* audits(link.invoiceId), 1)
        })
    )

    it.effect(
      "a holder that crashed after moving the state in DynamoDB: once its lease ran out, the next delivery applies the effect once",
      () =>
        Effect.gen(function* () {
          const { url } = yield* TestServer
          const { client } = yield* Dynamo
          const link = (yield* pushed)[3]!
          const id = eventId()
          const created = nowSeconds()
          const payload = event("invoice.paid", paidObject(link), id, created)
          // The crashed process: its claim's lease is already over (0 ms), and it had moved the
          // link's state and recorded the attempt in DynamoDB before dying, never reaching PostgreSQL.
          const crashed = DynamoPaymentRecords.make({ client, tableName, lease: "0 millis" })
          const at = DateTime.makeUnsafe(created * 1000)
          assert.isTrue(
            yield* crashed.recordEvent({
              provider: "stripe",
              id,
              type: "invoice.paid",
              createdAt: at,
              customerId: link.customerId
            })
          )
          assert.isTrue(yield* crashed.advanceInvoiceState(link.invoiceId, "paid", at))
          yield* crashed.recordAttempt({
            invoiceId: link.invoiceId,
            customerId: link.customerId,
            provider: "stripe",
            eventId: id,
            outcome: "succeeded",
            amount: BigInt(link.total),
            currency: "USD",
            reason: null,
            occurredAt: at
          })
          assert.strictEqual(yield* invoiceStatus(link.invoiceId), "issued")
          const taken = yield* post(url, payload)
          assert.strictEqual(taken.status, 200, JSON.stringify(taken.body))
          assert.strictEqual(taken.body.outcome, "applied")
          assert.strictEqual(yield* invoiceStatus(link.invoiceId), "paid")
          assert.strictEqual(yield* audits(link.invoiceId), 1)
          assert.strictEqual((yield* post(url, payload)).body.outcome, "duplicate")
          assert.strictEqual(yield* audits(link.invoiceId), 1)
        })
    )

    it.effect(
      "paid on Stripe's hosted page, after invoice.paid: a refund before the invoice_payment.paid waits (pending, its claim done in DynamoDB), the link credits it in PostgreSQL once; a later refund follows the link",
      () =>
        Effect.gen(function* () {
          const { url } = yield* TestServer
          // Paid by the invoice.paid of the concurrent deliveries above.
          const link = (yield* pushed)[0]!
          assert.strictEqual(yield* invoiceStatus(link.invoiceId), "paid")
          const stripeCustomer = yield* inServer(
            PaymentRecords.PaymentRecords.use((r) => r.customerLink("stripe", link.customerId))
          )
          const charge = (amountRefunded: number) => ({
            id: "ch_dyn_hosted",
            object: "charge",
            amount: Number(link.total),
            amount_refunded: amountRefunded,
            currency: "usd",
            customer: Option.getOrThrow(stripeCustomer),
            payment_intent: "pi_dyn_hosted",
            metadata: {}
          })
          const notes = inServer(
            Effect.flatMap(
              SqlClient.SqlClient,
              (sql) => sql<{ amount: string }>`SELECT amount::text FROM credit_notes
                WHERE invoice_id = ${link.invoiceId} ORDER BY number`
            ).pipe(Effect.map((rows) => rows.map((r) => r.amount)))
          )
          const created = nowSeconds()
          const early = event("charge.refunded", charge(400), eventId(), created)
          assert.strictEqual((yield* post(url, early)).body.outcome, "pending")
          assert.strictEqual((yield* post(url, early)).body.outcome, "duplicate")
          assert.deepStrictEqual(yield* notes, [])
          const invoicePayment = event(
            "invoice_payment.paid",
            {
              id: "inpay_dyn_hosted",
              object: "invoice_payment",
              amount_paid: Number(link.total),
              currency: "usd",
              invoice: link.providerInvoiceId,
              payment: { type: "payment_intent", payment_intent: "pi_dyn_hosted" },
              status: "paid"
            },
            eventId(),
            created + 1
          )
          // The payment was recorded by invoice.paid already: the link and the held refund are new.
          assert.strictEqual((yield* post(url, invoicePayment)).body.outcome, "applied")
          assert.strictEqual((yield* post(url, invoicePayment)).body.outcome, "duplicate")
          assert.strictEqual(yield* audits(link.invoiceId), 1)
          assert.deepStrictEqual(yield* notes, ["400"])
          const later = event("charge.refunded", charge(700), eventId(), created + 2)
          assert.strictEqual((yield* post(url, later)).body.outcome, "applied")
          assert.strictEqual((yield* post(url, later)).body.outcome, "duplicate")
          assert.deepStrictEqual(yield* notes, ["400", "300"])
        })
    )
  }
)
