/**
 * Authentication latency, p50 and p99, through the real `Authenticator`:
 *
 * - warm: the key's entry is in the in-memory session cache (the embedded default);
 * - warm, DynamoDB: the entry is in DynamoDB (a local dynalite server: one HTTP round trip);
 * - cold: every request misses the cache and goes to the key store and the customer directory
 *   (in memory here: add one database round trip for the Postgres store);
 * - session: a 24 h HS256 session token verified (signature, claims, deny list), and the bare
 *   JWT verification under it;
 * - the SHA-256 check of a secret alone.
 *
 * Run: `npx node bench/auth.ts` (BENCH_MS sets the time per task, default 2000).
 */

import { DynamoDBClient } from "@aws-sdk/client-dynamodb"
import { Effect, Layer, Option, Redacted, Scope } from "effect"
import { Bench } from "tinybench"
import {
  DynamoSessionCache,
  DynamoTables,
  HmacSessionTokens,
  MemoryApiKeyStore,
  MemoryCustomerDirectory,
  MemoryLimitStore,
  MemorySessionCache,
  MemorySessionRevocations,
  PgApiKeyStore,
  PgAuditLog,
  PgCustomerDirectory,
  PgCustomerRepo,
  PgDatabase,
  PgTenancy,
  Sha256ApiKeySecrets
} from "../packages/adapters/src/index.ts"
import {
  AuthAttempts,
  Authenticator,
  Customer,
  CustomerRepo,
  type Ids,
  SessionCache,
  Tenancy,
  Throttle
} from "../packages/core/src/index.ts"
import { report } from "./support/report.ts"

// dynalite ships no types.
const { default: dynalite } = (await import("dynalite" as string)) as { default: any }

const customerId = "0b7c2a4e-3f1d-4c55-9a1e-0000000000c1" as Ids.CustomerId
const tokenOptions = {
  issuer: "https://auth.securebase.test",
  audience: "securebase-api",
  keys: [{ kid: "k1", secret: Redacted.make(globalThis.crypto.getRandomValues(new Uint8Array(32))) }]
}

// The benchmark reads success latency, so attempts are not kept.
const quietAttempts = Layer.succeed(
  AuthAttempts.AuthAttempts,
  AuthAttempts.AuthAttempts.of({ record: () => Effect.void })
)

/** A cache that never holds anything: every request takes the store path. */
const alwaysMiss = Layer.succeed(
  SessionCache.SessionCache,
  SessionCache.SessionCache.of({
    get: () => Effect.succeed(Option.none()),
    put: () => Effect.void,
    delete: () => Effect.void
  })
)

/** A world with one active customer and one key; returns the authenticator and the key. */
const world = (cache: Layer.Layer<SessionCache.SessionCache>) => {
  const ports: Layer.Layer<any, never, never> = (Layer.mergeAll as any)(
    MemoryApiKeyStore.layer,
    cache,
    MemorySessionRevocations.layer,
    Sha256ApiKeySecrets.layer,
    HmacSessionTokens.layer(tokenOptions),
    MemoryCustomerDirectory.layer,
    quietAttempts,
    Throttle.FailureThrottle.layer.pipe(Layer.provide(MemoryLimitStore.layer))
  )
  return Effect.runPromise(
    Effect.gen(function* () {
      const customers: any = yield* MemoryCustomerDirectory.MemoryCustomers
      yield* customers.upsert({
        id: customerId,
        plan: "fintech",
        status: "active"
      })
      const auth = yield* Authenticator.Authenticator
      const created = yield* auth.createKey({ customerId, name: "bench", scopes: ["invoices:read"] })
      const key = Redacted.value(created.plaintext)
      const session = yield* auth.exchange(key, "bench")
      return { auth, key, token: session.token }
    }).pipe(Effect.provide(Authenticator.Authenticator.layer.pipe(Layer.provideMerge(ports))))
  )
}

/**
 * The cold path through a real database: no cache, the key and the customer read from PostgreSQL
 * (through the same tenancy and RLS as the API). Embedded PGlite, or BENCH_DATABASE_URL (migrated).
 */
const pgWorld = async (database: PgDatabase.DatabaseConfig) => {
  const data = PgApiKeyStore.layer.pipe(
    Layer.provideMerge(
      Layer.mergeAll(PgCustomerDirectory.layer, PgAuditLog.layer, PgCustomerRepo.layer).pipe(
        Layer.provideMerge(PgTenancy.layer)
      )
    ),
    Layer.provideMerge(PgDatabase.layer(database))
  )
  const full = Authenticator.Authenticator.layer.pipe(
    Layer.provideMerge(
      Layer.mergeAll(
        alwaysMiss,
        MemorySessionRevocations.layer,
        Sha256ApiKeySecrets.layer,
        HmacSessionTokens.layer(tokenOptions),
        quietAttempts,
        Throttle.FailureThrottle.layer.pipe(Layer.provide(MemoryLimitStore.layer))
      )
    ),
    Layer.provideMerge(data)
  )
  const scope = Scope.makeUnsafe()
  const context = await Effect.runPromise(Layer.buildWithScope(full, scope) as Effect.Effect<any, unknown>)
  const id = globalThis.crypto.randomUUID() as Ids.CustomerId
  return Effect.runPromise(
    Effect.provide(
      Effect.gen(function* () {
        const tenancy = yield* Tenancy.Tenancy
        const repo = yield* CustomerRepo.CustomerRepo
        yield* tenancy.runAs(
          id,
          repo.insert(
            new Customer.Customer({
              id,
              name: "Bench Co",
              email: "bench@example.com",
              plan: "fintech",
              status: "active",
              taxProfile: {},
              netDays: 30
            })
          )
        )
        const auth = yield* Authenticator.Authenticator
        const created = yield* auth.createKey({ customerId: id, name: "bench", scopes: ["invoices:read"] })
        return {
          auth,
          key: Redacted.value(created.plaintext),
          close: () => Effect.runPromise(Scope.close(scope, Effect.void as any))
        }
      }),
      context
    ) as Effect.Effect<
      { auth: Authenticator.Authenticator["Service"]; key: string; close: () => Promise<void> },
      unknown
    >
  )
}

const pglite = await pgWorld({ _tag: "Embedded" })
const postgres =
  process.env.BENCH_DATABASE_URL === undefined
    ? undefined
    : await pgWorld({ _tag: "Server", url: Redacted.make(process.env.BENCH_DATABASE_URL) })

const server = dynalite({ createTableMs: 0 })
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()))
const client = new DynamoDBClient({
  endpoint: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
  region: "local",
  credentials: { accessKeyId: "local", secretAccessKey: "local" }
})
const tableName = "securebase-session-cache"
await Effect.runPromise(DynamoTables.createSessionCacheTable({ client, tableName }))

const warm = await world(MemorySessionCache.layer)
const cold = await world(alwaysMiss)
const dynamo = await world(DynamoSessionCache.layerWithClient({ client, tableName }))
const tokens = HmacSessionTokens.make(tokenOptions)
const secrets = Sha256ApiKeySecrets.make
const secret = Redacted.make("a".repeat(52))
const hash = Sha256ApiKeySecrets.hashSecret(secret)

// Each world authenticates once before timing, so "warm" starts warm.
for (const w of [warm, cold, dynamo]) await Effect.runPromise(w.auth.authenticate(w.key, "bench"))

const bench = new Bench({ time: Number(process.env.BENCH_MS ?? 2000), warmupTime: 300 })
bench
  .add("authenticate a key, warm in-memory cache", () => {
    Effect.runSync(warm.auth.authenticate(warm.key, "bench"))
  })
  .add("authenticate a key, cold cache (key store + customer lookup)", () => {
    Effect.runSync(cold.auth.authenticate(cold.key, "bench"))
  })
  .add("authenticate a key, cold cache, database lookup (embedded PGlite)", async () => {
    await Effect.runPromise(pglite.auth.authenticate(pglite.key, "bench"))
  })
  .add("authenticate a key, warm DynamoDB cache (dynalite on localhost)", async () => {
    await Effect.runPromise(dynamo.auth.authenticate(dynamo.key, "bench"))
  })
  .add("verify a session token (JWT + deny list)", () => {
    Effect.runSync(warm.auth.verifySession(warm.token, "bench"))
  })
  .add("JWT verify only (HS256, claims)", () => {
    Effect.runSync(tokens.verify(warm.token))
  })
  .add("SHA-256 of a secret + constant-time compare", () => {
    Effect.runSync(secrets.matches(secret, hash))
  })

if (postgres !== undefined) {
  bench.add("authenticate a key, cold cache, database lookup (PostgreSQL)", async () => {
    await Effect.runPromise(postgres.auth.authenticate(postgres.key, "bench"))
  })
}

await bench.run()
client.destroy()
server.close()
await pglite.close()
await postgres?.close()

report("auth benchmark", bench)
