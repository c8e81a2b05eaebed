import { assert, describe, it } from "@effect/vitest"
import { ApiKeyStore, CustomerDirectory, CustomerRepo, Tenancy } from "@securebase/core"
import { type Context, DateTime, Effect, Exit, Layer, Option, Scope } from "effect"
import { SqlClient } from "effect/sql"
import { afterAll, beforeAll } from "vitest"
import * as PgApiKeyStore from "../../src/postgres/PgApiKeyStore.ts"
import * as PgCustomerDirectory from "../../src/postgres/PgCustomerDirectory.ts"
import { apiKeyStoreContract, contractCustomers, recordFor } from "../auth/ApiKeyStoreContract.ts"
import * as Fixtures from "./support/Fixtures.ts"
import { pglite, server, type TestDatabase } from "./support/TestDatabase.ts"

/**
 * One database per backend for the whole file (a fresh database per contract test would cost a
 * PGlite start or a CREATE DATABASE each); every test's layer resets it instead: no keys, and the
 * contract's customers present.
 */
const shared = <E>(database: Layer.Layer<SqlClient.SqlClient | TestDatabase, E>) => {
  let built: {
    readonly scope: Scope.Closeable
    readonly context: Context.Context<SqlClient.SqlClient | TestDatabase>
  }
  beforeAll(async () => {
    const scope = Scope.makeUnsafe()
    built = { scope, context: await Effect.runPromise(Layer.buildWithScope(database, scope)) }
  })
  afterAll(() => Effect.runPromise(Scope.close(built.scope, Exit.void)))
  return Layer.effectContext(Effect.sync(() => built.context))
}

/** The store over `database`, reset to the contract's customers and no keys. */
const storeOn = (database: Layer.Layer<SqlClient.SqlClient | TestDatabase>) =>
  Layer.provideMerge(
    Layer.mergeAll(PgApiKeyStore.layer, PgCustomerDirectory.layer),
    Layer.provideMerge(
      Layer.effectDiscard(
        Effect.gen(function* () {
          const sql = yield* SqlClient.SqlClient
          const tenancy = yield* Tenancy.Tenancy
          const repo = yield* CustomerRepo.CustomerRepo
          // As the privileged test user: a reset, not something the application could do.
          yield* sql`TRUNCATE api_keys`
          for (const id of contractCustomers) {
            yield* tenancy
              .runAs(id, repo.insert(Fixtures.customer(id)))
              .pipe(Effect.catchTag("AlreadyExists", () => Effect.void))
          }
        }).pipe(Effect.orDie)
      ),
      Layer.provideMerge(Fixtures.adapters, database)
    )
  )

const url = process.env.DATABASE_URL

describe("PgApiKeyStore: the ApiKeyStore contract [pglite]", () => {
  apiKeyStoreContract(storeOn(shared(pglite)))
})

describe.runIf(url !== undefined && url !== "")("PgApiKeyStore: the ApiKeyStore contract [server]", () => {
  apiKeyStoreContract(storeOn(shared(server(url ?? ""))))
})

describe("PgApiKeyStore and PgCustomerDirectory on PostgreSQL [pglite]", () => {
  const database = shared(pglite)
  const [alice, bob] = contractCustomers as [(typeof contractCustomers)[0], (typeof contractCustomers)[0]]

  it.effect("the lookup context sees exactly the presented key: a tenant's list never shows another's", () =>
    Effect.gen(function* () {
      const store = yield* ApiKeyStore.ApiKeyStore
      const ofAlice = recordFor(alice)
      const ofBob = recordFor(bob)
      const now = DateTime.makeUnsafe(10_000)
      yield* store.insert(ofAlice, { plan: "standard", max: 5, now })
      yield* store.insert(ofBob, { plan: "standard", max: 5, now })
      assert.deepStrictEqual(yield* store.findById(ofBob.id), Option.some(ofBob))
      assert.deepStrictEqual(
        (yield* store.list(alice)).map((k) => k.id),
        [ofAlice.id]
      )
      assert.isTrue(Option.isNone(yield* store.revoke(alice, ofBob.id, now)), "alice cannot revoke bob's key")
      assert.isUndefined(Option.getOrThrow(yield* store.findById(ofBob.id)).revokedAt)
    }).pipe(Effect.provide(storeOn(database)))
  )

  it.effect("touch records the use of the presented key only", () =>
    Effect.gen(function* () {
      const store = yield* ApiKeyStore.ApiKeyStore
      const a = recordFor(alice)
      const b = recordFor(alice)
      const now = DateTime.makeUnsafe(10_000)
      yield* store.insert(a, { plan: "standard", max: 5, now })
      yield* store.insert(b, { plan: "standard", max: 5, now })
      yield* store.touch(a.id, DateTime.makeUnsafe(20_000))
      assert.deepStrictEqual(
        Option.getOrThrow(yield* store.findById(a.id)).lastUsedAt,
        DateTime.makeUnsafe(20_000)
      )
      assert.isUndefined(Option.getOrThrow(yield* store.findById(b.id)).lastUsedAt)
    }).pipe(Effect.provide(storeOn(database)))
  )

  it.effect("the directory reports a customer's plan and status, and None for an unknown id", () =>
    Effect.gen(function* () {
      const directory = yield* CustomerDirectory.CustomerDirectory
      assert.deepStrictEqual(
        yield* directory.find(alice),
        Option.some({ id: alice, plan: Fixtures.customer(alice).plan, status: "active" as const })
      )
      assert.isTrue(Option.isNone(yield* directory.find(Fixtures.customerId())))
    }).pipe(Effect.provide(storeOn(database)))
  )
})
