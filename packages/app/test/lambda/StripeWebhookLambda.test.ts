/**
 * Stripe's webhook on Lambda: the API function serves `POST /webhooks/stripe` from an HTTP API
 * payload 2.0 event with no authorizer context (the template declares the route without the
 * authorizer), verifying the signature on the raw body exactly as the Node server does. The
 * Stripe settings come from the environment the container reads (in a deployment, the secret in
 * SECRETS_ARN laid over it: `Secrets.overlay`). With `PAYMENT_RECORDS=dynamodb` the events are
 * claimed in DynamoDB (dynalite, started by this file).
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { DynamoPaymentRecords, DynamoTables, StripeWebhooks } from "@securebase/adapters"
import dynalite from "dynalite"
import { DateTime, Effect } from "effect"
import * as ApiHandler from "../../src/lambda/ApiHandler.ts"
import * as Container from "../../src/lambda/Container.ts"
import { httpApiEvent } from "./Events.ts"

const secret = "whsec_lambdaSigningSecret000001"
const env = {
  SEED_DEMO: "true",
  PAYMENTS: "stripe",
  STRIPE_SECRET_KEY: "sk_test_lambda",
  STRIPE_WEBHOOK_SECRETS: secret,
  // Nothing is pushed in this test; the endpoint is never reached.
  STRIPE_API_BASE: "http://127.0.0.1:9"
}

let container: Container.Container
let api: ApiHandler.ApiHandler

beforeAll(async () => {
  container = Container.make({ env: () => env })
  api = ApiHandler.make(container, { logRequests: false })
})

afterAll(async () => {
  await api?.dispose()
  await container?.dispose()
})

const event = (id: string) =>
  JSON.stringify({
    id,
    object: "event",
    created: Math.floor(Date.now() / 1000),
    type: "customer.updated",
    data: { object: { id: "cus_lambda", object: "customer", email: "ap@example.com" } }
  })

describe("POST /webhooks/stripe on Lambda", () => {
  it("a signed event is acknowledged; a forged one is 400; no authorizer context is needed", async () => {
    const payload = event("evt_lambda_1")
    const signed = await api.handler(
      httpApiEvent({
        method: "POST",
        path: "/webhooks/stripe",
        headers: {
          "content-type": "application/json",
          "stripe-signature": StripeWebhooks.webhooks.generateTestHeaderString({ payload, secret })
        },
        body: payload
      })
    )
    assert.strictEqual(signed.statusCode, 200, signed.body)
    // Verified and processed: customer events are acted on, and cus_lambda is no customer of ours.
    assert.strictEqual(JSON.parse(signed.body).outcome, "unmatched")

    const forged = await api.handler(
      httpApiEvent({
        method: "POST",
        path: "/webhooks/stripe",
        headers: {
          "content-type": "application/json",
          "stripe-signature": StripeWebhooks.webhooks.generateTestHeaderString({
            payload,
            secret: "whsec_someoneElse0000000000"
          })
        },
        body: payload
      })
    )
    assert.strictEqual(forged.statusCode, 400)
    assert.strictEqual(JSON.parse(forged.body).code, "WEBHOOK.REJECTED")
  }, 120_000)
})

describe("POST /webhooks/stripe on Lambda with PAYMENT_RECORDS=dynamodb", () => {
  const server = dynalite({ createTableMs: 0 })
  const tableName = "securebase-lambda-payments"
  let client: DynamoDBClient
  let dynamoContainer: Container.Container
  let dynamoApi: ApiHandler.ApiHandler

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()))
    const endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}`
    // The SDK reads its region and credentials from the process environment, as on Lambda.
    process.env.AWS_REGION = "local"
    process.env.AWS_ACCESS_KEY_ID = "local"
    process.env.AWS_SECRET_ACCESS_KEY = "local"
    client = new DynamoDBClient({ endpoint })
    await Effect.runPromise(DynamoTables.createPaymentRecordsTable({ client, tableName }))
    dynamoContainer = Container.make({
      env: () => ({
        ...env,
        PAYMENT_RECORDS: "dynamodb",
        PAYMENT_RECORDS_TABLE: tableName,
        DYNAMODB_ENDPOINT: endpoint
      })
    })
    dynamoApi = ApiHandler.make(dynamoContainer, { logRequests: false })
  }, 60_000)

  afterAll(async () => {
    await dynamoApi?.dispose()
    await dynamoContainer?.dispose()
    client?.destroy()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  })

  it("a signed event is claimed and settled in DynamoDB: the replay is a duplicate", async () => {
    const id = `evt_lambda_dyn_${Date.now()}`
    const payload = event(id)
    const deliver = () =>
      dynamoApi.handler(
        httpApiEvent({
          method: "POST",
          path: "/webhooks/stripe",
          headers: {
            "content-type": "application/json",
            "stripe-signature": StripeWebhooks.webhooks.generateTestHeaderString({ payload, secret })
          },
          body: payload
        })
      )
    const first = await deliver()
    assert.strictEqual(first.statusCode, 200, first.body)
    // A customer.updated about a Stripe customer that is not ours: processed, matched to nobody.
    assert.strictEqual(JSON.parse(first.body).outcome, "unmatched")
    const replay = await deliver()
    assert.strictEqual(replay.statusCode, 200, replay.body)
    assert.strictEqual(JSON.parse(replay.body).outcome, "duplicate")
    // The event's item is done in the table: another instance finds it processed.
    const other = DynamoPaymentRecords.make({ client, tableName })
    const again = await Effect.runPromise(
      other.recordEvent({
        provider: "stripe",
        id,
        type: "customer.updated",
        createdAt: DateTime.nowUnsafe(),
        customerId: null
      })
    )
    assert.isFalse(again)
  }, 120_000)
})
