/**
 * The DynamoDB session deny list against dynalite, started by this file; the same contract as the
 * in-memory one, plus the authenticator wired to both DynamoDB adapters.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb"
import { assert, describe, it } from "@effect/vitest"
import { Authenticator, Throttle } from "@securebase/core"
import dynalite from "dynalite"
import { Effect, Layer, Redacted } from "effect"
import { afterAll, beforeAll } from "vitest"
import {
  DynamoSessionCache,
  DynamoSessionRevocations,
  DynamoTables,
  HmacSessionTokens,
  MemoryApiKeyStore,
  MemoryAuthAttempts,
  MemoryCustomerDirectory,
  MemoryLimitStore,
  Sha256ApiKeySecrets
} from "../../src/index.ts"
import { customerId, tokenOptions } from "../auth/fixtures.ts"
import { sessionRevocationsContract } from "../auth/SessionRevocationsContract.ts"

const cacheTable = "securebase-session-cache"
const revocationsTable = "securebase-session-revocations"
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
  await Effect.runPromise(
    Effect.all([
      DynamoTables.createSessionCacheTable({ client, tableName: cacheTable }),
      DynamoTables.createSessionRevocationsTable({ client, tableName: revocationsTable })
    ])
  )
})

afterAll(async () => {
  client?.destroy()
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

const revocationsLayer = Layer.suspend(() =>
  DynamoSessionRevocations.layerWithClient({ client, tableName: revocationsTable })
)

describe("DynamoSessionRevocations: the SessionRevocations contract (dynalite)", () => {
  sessionRevocationsContract(revocationsLayer)
})

describe("Authenticator over DynamoDB cache and deny list", () => {
  // Two instances sharing the key store and DynamoDB, but no memory, as two Lambdas would.
  const instancePorts = Layer.suspend(() =>
    Layer.mergeAll(
      DynamoSessionCache.layerWithClient({ client, tableName: cacheTable }),
      DynamoSessionRevocations.layerWithClient({ client, tableName: revocationsTable }),
      HmacSessionTokens.layer(tokenOptions),
      Sha256ApiKeySecrets.layer,
      MemoryAuthAttempts.layer,
      Throttle.FailureThrottle.layer.pipe(Layer.provide(MemoryLimitStore.layer))
    )
  )
  const instance = Authenticator.Authenticator.make().pipe(Effect.provide(instancePorts))
  const shared = Layer.mergeAll(MemoryApiKeyStore.layer, MemoryCustomerDirectory.layer)

  it.effect("a key revoked through one instance is refused by another, cached key and session alike", () =>
    Effect.gen(function* () {
      const customers = yield* MemoryCustomerDirectory.MemoryCustomers
      yield* customers.upsert({ id: customerId(7), plan: "gov-federal", status: "active" })
      const authA = yield* instance
      const authB = yield* instance
      const created = yield* authA.createKey({
        customerId: customerId(7),
        name: "lambda",
        scopes: ["metrics:read"]
      })
      const key = Redacted.value(created.plaintext)
      yield* authB.authenticate(key, "x")
      const { token } = yield* authB.exchange(key, "x")
      yield* authB.verifySession(token, "x")

      yield* authA.revokeKey(customerId(7), created.key.id)
      assert.strictEqual((yield* Effect.flip(authB.authenticate(key, "x"))).code, "AUTH.KEY_REVOKED")
      assert.strictEqual((yield* Effect.flip(authB.verifySession(token, "x"))).code, "AUTH.SESSION_REVOKED")
    }).pipe(Effect.provide(shared))
  )
})
