/**
 * PAYMENTS=manual|stripe and the Stripe settings: manual by default; prod refuses a test-mode key
 * and Stripe without a webhook secret; every problem is one line naming the variable, and the
 * `securebase` command refuses to start with it (exit 3, one line on stderr). PAYMENT_RECORDS:
 * PostgreSQL by default, DynamoDB with a table that must exist at start (dynalite here).
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb"
import { assert, describe, it } from "@effect/vitest"
import { DynamoTables } from "@securebase/adapters"
import dynalite from "dynalite"
import { ConfigProvider, Duration, Effect, Layer, Option, Redacted } from "effect"
import * as ServerConfig from "../src/Config.ts"
import * as Payments from "../src/Payments.ts"
import { securebase } from "./support/Cli.ts"

const load = (env: Record<string, string>) =>
  Effect.provideService(ServerConfig.load, ConfigProvider.ConfigProvider, ConfigProvider.fromEnv({ env }))

const problemsOf = (env: Record<string, string>) =>
  Effect.map(Effect.flip(load(env)), (error) => (error as ServerConfig.ConfigurationError).problems)

// A production environment that starts (see Config.test), to which each case adds payments.
const prod = {
  SECUREBASE_ENV: "prod",
  DATABASE_URL: "postgres://app@db:5432/securebase",
  JWT_SIGNING_KEYS: "k1:q3Xv9LrT0bWm2ZcYhJ8sKdPfNa6uGe1oRiVt4EyQw7M",
  AUDIT_VERIFY_KEYS: `2026-11:${"A".repeat(43)}`,
  SELLER_NAME: "Orbital Compliance GmbH"
}
const liveKey = "sk_live_51Hx0ExampleKeyForConfigTests0000"
const testKey = "sk_test_51Hx0ExampleKeyForConfigTests0000"

describe("PAYMENTS configuration", () => {
  it.effect("manual by default, in every profile", () =>
    Effect.gen(function* () {
      assert.deepStrictEqual((yield* load({})).payments, { kind: "manual" })
      assert.deepStrictEqual((yield* load(prod)).payments, { kind: "manual" })
    })
  )

  it.effect("stripe: the key, the webhook secrets newest first, the endpoint override", () =>
    Effect.gen(function* () {
      const c = yield* load({
        PAYMENTS: "stripe",
        STRIPE_SECRET_KEY: testKey,
        STRIPE_WEBHOOK_SECRETS: "whsec_new123, whsec_old456",
        STRIPE_API_BASE: "http://127.0.0.1:12111"
      })
      assert.strictEqual(c.payments.kind, "stripe")
      if (c.payments.kind !== "stripe") return
      assert.strictEqual(Redacted.value(c.payments.secretKey), testKey)
      assert.deepStrictEqual(c.payments.webhookSecrets.map(Redacted.value), ["whsec_new123", "whsec_old456"])
      assert.strictEqual(Option.getOrThrow(c.payments.apiBase).port, "12111")
      // The key never prints.
      assert.notInclude(String(c.payments.secretKey), "sk_test")
    })
  )

  it.effect("prod accepts a live key with a webhook secret", () =>
    Effect.gen(function* () {
      const c = yield* load({
        ...prod,
        PAYMENTS: "stripe",
        STRIPE_SECRET_KEY: liveKey,
        STRIPE_WEBHOOK_SECRETS: "whsec_live1"
      })
      assert.strictEqual(c.payments.kind, "stripe")
    })
  )

  it.effect("prod refuses a test-mode key and Stripe without a webhook secret", () =>
    Effect.gen(function* () {
      const problems = yield* problemsOf({ ...prod, PAYMENTS: "stripe", STRIPE_SECRET_KEY: testKey })
      assert.deepStrictEqual(problems, [
        "STRIPE_SECRET_KEY is a test-mode key: prod collects real payments with a live key",
        "STRIPE_WEBHOOK_SECRETS is required in prod with PAYMENTS=stripe (whsec_…, newest first)"
      ])
      // Staging may use test mode and no webhooks yet.
      const staging = yield* load({
        ...prod,
        SECUREBASE_ENV: "staging",
        PAYMENTS: "stripe",
        STRIPE_SECRET_KEY: testKey
      })
      assert.strictEqual(staging.payments.kind, "stripe")
    })
  )

  it.effect("malformed settings are refused without echoing secrets", () =>
    Effect.gen(function* () {
      assert.deepStrictEqual(yield* problemsOf({ PAYMENTS: "stripe" }), [
        "STRIPE_SECRET_KEY is required with PAYMENTS=stripe"
      ])
      const bad = yield* problemsOf({
        PAYMENTS: "stripe",
        STRIPE_SECRET_KEY: "pk_live_publishable",
        STRIPE_WEBHOOK_SECRETS: "not-a-secret",
        STRIPE_API_BASE: "ftp://example"
      })
      assert.deepStrictEqual(bad, [
        "STRIPE_SECRET_KEY must be a Stripe secret or restricted key (sk_live_…, rk_live_…)",
        "STRIPE_WEBHOOK_SECRETS entries must be webhook signing secrets (whsec_…)",
        "STRIPE_API_BASE must be an http:// or https:// URL"
      ])
      assert.notInclude(bad.join("\n"), "pk_live_publishable")
      assert.notInclude(bad.join("\n"), "not-a-secret")
      assert.include((yield* problemsOf({ PAYMENTS: "paypal" })).join("\n"), "PAYMENTS")
    })
  )

  it.live(
    "securebase serve refuses to start in prod with a test-mode key: exit 3, one line",
    () =>
      Effect.gen(function* () {
        const run = yield* securebase(["serve"], {
          ...prod,
          PAYMENTS: "stripe",
          STRIPE_SECRET_KEY: testKey,
          STRIPE_WEBHOOK_SECRETS: "whsec_live1"
        })
        assert.strictEqual(run.code, 3)
        assert.strictEqual(
          run.stderr.trim(),
          "securebase: invalid configuration: STRIPE_SECRET_KEY is a test-mode key: prod collects real payments with a live key"
        )
        assert.strictEqual(run.stdout, "")
      }),
    120_000
  )
})

describe("PAYMENT_RECORDS configuration", () => {
  it.effect("postgres by default, in every profile", () =>
    Effect.gen(function* () {
      assert.deepStrictEqual((yield* load({})).paymentRecords, { kind: "postgres" })
      assert.deepStrictEqual((yield* load(prod)).paymentRecords, { kind: "postgres" })
    })
  )

  it.effect("dynamodb: the table, the DynamoDB endpoint, the claim lease (5 minutes unless set)", () =>
    Effect.gen(function* () {
      const c = yield* load({
        PAYMENT_RECORDS: "dynamodb",
        PAYMENT_RECORDS_TABLE: "securebase-prod-payments",
        DYNAMODB_ENDPOINT: "http://127.0.0.1:8000"
      })
      assert.deepStrictEqual(c.paymentRecords, {
        kind: "dynamodb",
        tableName: "securebase-prod-payments",
        endpoint: Option.some("http://127.0.0.1:8000"),
        lease: Duration.minutes(5)
      })
      const leased = yield* load({
        ...prod,
        PAYMENT_RECORDS: "dynamodb",
        PAYMENT_RECORDS_TABLE: "t-payments",
        PAYMENT_EVENT_LEASE: "2 minutes"
      })
      assert.strictEqual(
        leased.paymentRecords.kind === "dynamodb" && Duration.toMillis(leased.paymentRecords.lease),
        120_000
      )
    })
  )

  it.effect(
    "dynamodb needs a valid table and a lease longer than the webhook; the table alone is a mistake",
    () =>
      Effect.gen(function* () {
        assert.deepStrictEqual(yield* problemsOf({ PAYMENT_RECORDS: "dynamodb" }), [
          "PAYMENT_RECORDS_TABLE is required with PAYMENT_RECORDS=dynamodb"
        ])
        assert.deepStrictEqual(
          yield* problemsOf({
            PAYMENT_RECORDS: "dynamodb",
            PAYMENT_RECORDS_TABLE: "no spaces!",
            PAYMENT_EVENT_LEASE: "5 seconds"
          }),
          [
            "PAYMENT_RECORDS_TABLE must be a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -)",
            "PAYMENT_EVENT_LEASE must be between 30 seconds and 1 hour (longer than the webhook's timeout)"
          ]
        )
        assert.deepStrictEqual(yield* problemsOf({ PAYMENT_RECORDS_TABLE: "t-payments" }), [
          "PAYMENT_RECORDS_TABLE is only read with PAYMENT_RECORDS=dynamodb"
        ])
        assert.include((yield* problemsOf({ PAYMENT_RECORDS: "dynamo" })).join("\n"), "PAYMENT_RECORDS")
      })
  )

  it.effect(
    "the records layer refuses to start on a table that does not exist, and starts on one that does",
    () =>
      Effect.gen(function* () {
        const server = dynalite({ createTableMs: 0 })
        yield* Effect.acquireRelease(
          Effect.promise(
            () => new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()))
          ),
          () => Effect.promise(() => new Promise<void>((resolve) => server.close(() => resolve())))
        )
        const endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}`
        process.env.AWS_REGION = "local"
        process.env.AWS_ACCESS_KEY_ID = "local"
        process.env.AWS_SECRET_ACCESS_KEY = "local"
        const client = new DynamoDBClient({ endpoint })
        yield* DynamoTables.createPaymentRecordsTable({ client, tableName: "present-payments" })
        client.destroy()
        const start = (tableName: string) =>
          Effect.scoped(
            Layer.build(
              Payments.dynamoRecordsLayer({
                kind: "dynamodb",
                tableName,
                endpoint: Option.some(endpoint),
                lease: Duration.minutes(5)
              })
            )
          )
        const missing = yield* Effect.flip(start("absent-payments"))
        assert.strictEqual(missing.operation, "PaymentRecords.DescribeTable")
        assert.strictEqual(missing.kind, "ResourceNotFoundException")
        yield* start("present-payments")
      }).pipe(Effect.scoped)
  )
})
