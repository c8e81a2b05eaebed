/**
 * `DynamoPaymentRecords` against dynalite (a real DynamoDB-protocol server, started by this file):
 * the `PaymentRecords` contract PostgreSQL passes too, then the claim's lease: a delivery during
 * another's claim is `PaymentEventInProgress`, a released claim is taken at once, an expired one
 * is taken over, and the first holder's late settle does not end the new holder's claim.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb"
import { assert, describe, it } from "@effect/vitest"
import { Ids, PaymentRecords } from "@securebase/core"
import dynalite from "dynalite"
import { DateTime, Effect, Layer, Option, Schema } from "effect"
import { TestClock } from "effect/testing"
import { afterAll, beforeAll } from "vitest"
import { DynamoPaymentRecords, DynamoTables } from "../../src/index.ts"
import { paymentRecordsContract } from "../payments/PaymentRecordsContract.ts"

const tableName = "securebase-payments"
const server = dynalite({ createTableMs: 0 })
let client: DynamoDBClient

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()))
  const { port } = server.address() as { port: number }
  client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: "local",
    credentials: { accessKeyId: "local", secretAccessKey: "local" }
  })
  await Effect.runPromise(DynamoTables.createPaymentRecordsTable({ client, tableName }))
})

afterAll(async () => {
  client?.destroy()
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

const layer = Layer.suspend(() =>
  DynamoPaymentRecords.layerWithClient({ client, tableName, lease: "1 minute" })
)

// DynamoDB holds no customers or invoices: any well-formed ids do.
const invoice = Effect.sync(() => ({
  customerId: Schema.decodeSync(Ids.CustomerId)(crypto.randomUUID()),
  invoiceId: Schema.decodeSync(Ids.InvoiceId)(crypto.randomUUID())
}))

describe("DynamoPaymentRecords: the PaymentRecords contract (dynalite)", () => {
  paymentRecordsContract((name, body) => it.effect(name, () => body.pipe(Effect.provide(layer)), 30_000), {
    invoice,
    attempt: (provider, eventId) =>
      Effect.suspend(() => DynamoPaymentRecords.attempt({ client, tableName }, provider, eventId)).pipe(
        Effect.map(
          Option.map((a) => ({
            invoiceId: a.invoiceId ?? "",
            outcome: a.outcome ?? "",
            amount: a.amount ?? -1n,
            reason: a.reason
          }))
        )
      )
  })
})

describe("DynamoPaymentRecords: the claim's lease", () => {
  const event = () => ({
    provider: "stripe",
    id: `evt_${crypto.randomUUID()}`,
    type: "invoice.paid",
    createdAt: DateTime.makeUnsafe("2026-11-02T10:00:00.000Z"),
    customerId: null
  })
  // Two deliveries in two processes: two instances, sharing the table only.
  const two = Effect.sync(() => [
    DynamoPaymentRecords.make({ client, tableName, lease: "1 minute" }),
    DynamoPaymentRecords.make({ client, tableName, lease: "1 minute" })
  ])

  it.effect("a delivery during another's claim is in progress; after done it is a duplicate", () =>
    Effect.gen(function* () {
      const [a, b] = yield* two
      const e = event()
      assert.isTrue(yield* a!.recordEvent(e))
      const busy = yield* Effect.flip(b!.recordEvent(e))
      assert.instanceOf(busy, PaymentRecords.PaymentEventInProgress)
      assert.strictEqual(busy.code, "PAYMENTS.EVENT_IN_PROGRESS")
      // Another process's settle of a claim it does not hold changes nothing.
      yield* b!.settleEvent(e, "released")
      assert.instanceOf(yield* Effect.flip(b!.recordEvent(e)), PaymentRecords.PaymentEventInProgress)
      yield* a!.settleEvent(e, "done")
      assert.isFalse(yield* b!.recordEvent(e))
      assert.isFalse(yield* a!.recordEvent(e))
    })
  )

  it.effect("a released claim (the effect failed) is taken by the next delivery at once", () =>
    Effect.gen(function* () {
      const [a, b] = yield* two
      const e = event()
      assert.isTrue(yield* a!.recordEvent(e))
      yield* a!.settleEvent(e, "released")
      assert.isTrue(yield* b!.recordEvent(e))
      yield* b!.settleEvent(e, "done")
      assert.isFalse(yield* a!.recordEvent(e))
    })
  )

  it.effect(
    "an expired claim (a crashed holder) is taken over; the old holder's late settle is ignored",
    () =>
      Effect.gen(function* () {
        const [a, b] = yield* two
        const e = event()
        assert.isTrue(yield* a!.recordEvent(e))
        yield* TestClock.adjust("59 seconds")
        assert.instanceOf(yield* Effect.flip(b!.recordEvent(e)), PaymentRecords.PaymentEventInProgress)
        yield* TestClock.adjust("2 seconds")
        assert.isTrue(yield* b!.recordEvent(e))
        // The first holder wakes up and releases: b's claim survives it.
        yield* a!.settleEvent(e, "released")
        assert.instanceOf(yield* Effect.flip(a!.recordEvent(e)), PaymentRecords.PaymentEventInProgress)
        yield* b!.settleEvent(e, "done")
        assert.isFalse(yield* a!.recordEvent(e))
      })
  )

  it.effect("a table that does not exist fails the start check", () =>
    Effect.gen(function* () {
      const missing = yield* Effect.flip(
        Effect.suspend(() => DynamoPaymentRecords.checkTable({ client, tableName: "securebase-missing" }))
      )
      assert.strictEqual(missing.code, "PERSISTENCE.FAILURE")
      yield* Effect.suspend(() => DynamoPaymentRecords.checkTable({ client, tableName }))
    })
  )
})
