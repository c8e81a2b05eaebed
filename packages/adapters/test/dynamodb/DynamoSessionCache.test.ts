/**
 * The DynamoDB session cache against a real DynamoDB-protocol server: dynalite (in-memory, over
 * HTTP), started by this file on a free port. No SDK mocks.
 */
import { DynamoDBClient, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb"
import { assert, describe, it } from "@effect/vitest"
import { SessionCache } from "@securebase/core"
import dynalite from "dynalite"
import { Duration, Effect, Layer, Option } from "effect"
import { TestClock } from "effect/testing"
import { afterAll, beforeAll } from "vitest"
import { DynamoSessionCache, DynamoTables } from "../../src/index.ts"
import { entryFor, freshKeyId, sessionCacheContract } from "../auth/SessionCacheContract.ts"

const tableName = "securebase-session-cache"
const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 })
let client: DynamoDBClient

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()))
  const { port } = server.address() as { port: number }
  client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: "local",
    credentials: { accessKeyId: "local", secretAccessKey: "local" }
  })
  await Effect.runPromise(DynamoTables.createSessionCacheTable({ client, tableName }))
})

afterAll(async () => {
  client?.destroy()
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

// Built per test, after beforeAll has made the client.
const cacheLayer = Layer.suspend(() => DynamoSessionCache.layerWithClient({ client, tableName }))

describe("DynamoSessionCache: the SessionCache contract (dynalite)", () => {
  sessionCacheContract(cacheLayer)
})

describe("DynamoSessionCache: storage", () => {
  it.effect("creating the table twice is harmless", () =>
    DynamoTables.createSessionCacheTable({ client, tableName })
  )

  it.effect("an expired item still in the table is a miss (emulators never delete it)", () =>
    Effect.gen(function* () {
      const cache = DynamoSessionCache.make({ client, tableName })
      const entry = entryFor(freshKeyId())
      yield* cache.put(entry, Duration.minutes(1))
      yield* TestClock.adjust(Duration.minutes(2))
      const raw = yield* Effect.promise(() =>
        client.send(new GetItemCommand({ TableName: tableName, Key: { keyId: { S: entry.keyId } } }))
      )
      assert.isDefined(raw.Item, "the expired item is still stored")
      assert.isTrue(Option.isNone(yield* cache.get(entry.keyId)))
    })
  )

  it.effect("items carry the TTL attribute in epoch seconds", () =>
    Effect.gen(function* () {
      const cache = DynamoSessionCache.make({ client, tableName })
      const entry = entryFor(freshKeyId())
      yield* TestClock.setTime(1_800_000_000_000)
      yield* cache.put(entry, SessionCache.defaultTtl)
      const raw = yield* Effect.promise(() =>
        client.send(new GetItemCommand({ TableName: tableName, Key: { keyId: { S: entry.keyId } } }))
      )
      assert.strictEqual(raw.Item?.[DynamoSessionCache.ttlAttribute]?.N, String(1_800_000_000 + 4 * 3600))
    })
  )

  it.effect("a corrupted item is a miss, never a pass", () =>
    Effect.gen(function* () {
      const cache = DynamoSessionCache.make({ client, tableName })
      const keyId = freshKeyId()
      yield* Effect.promise(() =>
        client.send(
          new PutItemCommand({
            TableName: tableName,
            Item: {
              keyId: { S: keyId },
              entry: { S: '{"keyId":"x","scopes":["everything"]}' },
              expiresAt: { N: "9999999999" },
              expiresAtMillis: { N: "9999999999000" }
            }
          })
        )
      )
      assert.isTrue(Option.isNone(yield* cache.get(keyId)))
    })
  )

  it.effect("an unreachable endpoint fails with AuthBackendUnavailable", () =>
    Effect.gen(function* () {
      const dead = new DynamoDBClient({
        endpoint: "http://127.0.0.1:9",
        region: "local",
        credentials: { accessKeyId: "local", secretAccessKey: "local" },
        maxAttempts: 1
      })
      const cache = DynamoSessionCache.make({ client: dead, tableName })
      const error = yield* Effect.flip(cache.get(freshKeyId()))
      assert.strictEqual(error._tag, "AuthBackendUnavailable")
      assert.strictEqual(error.code, "AUTH.BACKEND_UNAVAILABLE")
      dead.destroy()
    }).pipe(TestClock.withLive)
  )
})
