/**
 * The DynamoDB store against a real DynamoDB-protocol server: dynalite (in-memory, over HTTP),
 * started by this file on a free port. No SDK mocks.
 */
import { DynamoDBClient, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb"
import { assert, describe, it } from "@effect/vitest"
import dynalite from "dynalite"
import { Effect, Layer, Option } from "effect"
import { afterAll, beforeAll } from "vitest"
import { DynamoLimitStore, DynamoTables } from "../../src/index.ts"
import { freshKey, limitStoreContract } from "../limits/LimitStoreContract.ts"

const tableName = "securebase-limits"
const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 })
let endpoint: string
let client: DynamoDBClient

const newClient = (url: string) =>
  new DynamoDBClient({
    endpoint: url,
    region: "local",
    credentials: { accessKeyId: "local", secretAccessKey: "local" }
  })

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()))
  const { port } = server.address() as { port: number }
  endpoint = `http://127.0.0.1:${port}`
  client = newClient(endpoint)
  await Effect.runPromise(DynamoTables.createLimitTable({ client, tableName }))
})

afterAll(async () => {
  client?.destroy()
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

// Built per test, after beforeAll has made the client.
const storeLayer = Layer.suspend(() => DynamoLimitStore.layerWithClient({ client, tableName }))

describe("DynamoLimitStore: the LimitStore contract (dynalite)", () => {
  limitStoreContract(storeLayer)
})

describe("DynamoLimitStore: storage", () => {
  it.effect("creating the table twice is harmless", () =>
    DynamoTables.createLimitTable({ client, tableName })
  )

  it.effect(
    "two instances (two clients) hitting one key concurrently count exactly max between them",
    () =>
      Effect.gen(function* () {
        const other = newClient(endpoint)
        yield* Effect.addFinalizer(() => Effect.sync(() => other.destroy()))
        const a = DynamoLimitStore.make({ client, tableName })
        const b = DynamoLimitStore.make({ client: other, tableName })
        const key = freshKey("two-instances")
        const hits = yield* Effect.forEach(
          Array.from({ length: 30 }, (_, i) => (i % 2 === 0 ? a : b)),
          (store) => store.hit(key, { now: 0, ttlMillis: 60_000, max: 12 }),
          { concurrency: "unbounded" }
        )
        assert.strictEqual(hits.filter((h) => h.counted).length, 12)
        assert.strictEqual(Option.getOrUndefined(yield* b.peek(key, 0))?.count, 12)
      }),
    30_000
  )

  it.effect("a lapsed item still in the table (emulators never delete it) reads as none", () =>
    Effect.gen(function* () {
      const store = DynamoLimitStore.make({ client, tableName })
      const key = freshKey("lapsed")
      yield* store.hit(key, { now: 1_800_000_000_000, ttlMillis: 60_000 })
      const raw = yield* Effect.promise(() =>
        client.send(new GetItemCommand({ TableName: tableName, Key: { id: { S: key } } }))
      )
      assert.isDefined(raw.Item, "the item is stored")
      // The TTL attribute is in epoch seconds, for DynamoDB's own deletion.
      assert.strictEqual(raw.Item?.[DynamoLimitStore.ttlAttribute]?.N, String(1_800_000_000 + 60))
      assert.isTrue(Option.isNone(yield* store.peek(key, 1_800_000_060_000)))
      assert.strictEqual((yield* store.hit(key, { now: 1_800_000_060_000, ttlMillis: 60_000 })).count, 1)
    })
  )

  it.effect("a corrupted item: a hit reports the store unavailable, a read sees no counter", () =>
    Effect.gen(function* () {
      const store = DynamoLimitStore.make({ client, tableName })
      const key = freshKey("corrupt")
      yield* Effect.promise(() =>
        client.send(
          new PutItemCommand({
            TableName: tableName,
            Item: { id: { S: key }, count: { S: "many" }, expiresAtMillis: { N: "9999999999999" } }
          })
        )
      )
      const error = yield* Effect.flip(store.hit(key, { now: 0, ttlMillis: 60_000, max: 5 }))
      assert.strictEqual(error.code, "LIMITS.STORE_UNAVAILABLE")
      assert.isTrue(Option.isNone(yield* store.peek(key, 0)))
    })
  )

  it.live(
    "an endpoint that does not answer is LimitStoreUnavailable within the timeout",
    () =>
      Effect.gen(function* () {
        const dead = newClient("http://127.0.0.1:9")
        yield* Effect.addFinalizer(() => Effect.sync(() => dead.destroy()))
        const store = DynamoLimitStore.make({ client: dead, tableName, timeout: "500 millis" })
        const error = yield* Effect.flip(store.hit(freshKey("dead"), { now: 0, ttlMillis: 1_000 }))
        assert.strictEqual(error.code, "LIMITS.STORE_UNAVAILABLE")
        assert.strictEqual(error.store, "dynamodb")
      }),
    30_000
  )
})
