import { assert } from "@effect/vitest"
import { Ids, PersistenceError, Tenancy } from "@securebase/core"
import { Cause, Effect, Exit, Schema } from "effect"
import { SqlClient } from "effect/sql"
import * as PgTenancy from "../../src/postgres/PgTenancy.ts"
import * as Roles from "../../src/postgres/Roles.ts"
import { suite, TestDatabase } from "./support/TestDatabase.ts"

const newCustomerId = () => Schema.decodeSync(Ids.CustomerId)(crypto.randomUUID())

const session = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const [row] = yield* sql<{ role: string; customer: string | null }>`
    SELECT current_user AS role, nullif(current_setting('app.customer_id', true), '') AS customer`
  return row!
})

const insertCustomer = (id: Ids.CustomerId) =>
  Effect.flatMap(
    SqlClient.SqlClient,
    (sql) =>
      sql`INSERT INTO customers (id, name, email, plan) VALUES (${id}, 'Acme', 'billing@acme.test', 'standard')`
  )

const countCustomers = Effect.flatMap(SqlClient.SqlClient, (sql) =>
  Effect.map(sql<{ n: string }>`SELECT count(*)::text AS n FROM customers`, (rows) => Number(rows[0]!.n))
)

class Boom extends Schema.TaggedError<Boom>()("Boom", {}) {}

suite("PgTenancy", (it, kind) => {
  it.effect("runAs sets the app role and the tenant for its transaction only, on the same connection", () =>
    Effect.gen(function* () {
      const db = yield* TestDatabase
      const id = newCustomerId()
      const [inside, after] = yield* db.asLogin(
        undefined,
        Effect.gen(function* () {
          const tenancy = yield* PgTenancy.make
          const inside = yield* tenancy.runAs(id, session)
          return [inside, yield* session] as const
        })
      )
      assert.strictEqual(inside.role, Roles.app)
      assert.strictEqual(inside.customer, id)
      assert.notStrictEqual(after.role, Roles.app)
      assert.isNull(after.customer)
    })
  )

  it.effect("a failing runAs rolls back, returns the caller's error unchanged and leaks no context", () =>
    Effect.gen(function* () {
      const db = yield* TestDatabase
      const id = newCustomerId()
      const [exit, after, visible] = yield* db.asLogin(
        undefined,
        Effect.gen(function* () {
          const tenancy = yield* PgTenancy.make
          const exit = yield* Effect.exit(tenancy.runAs(id, Effect.andThen(insertCustomer(id), new Boom())))
          const after = yield* session
          const visible = yield* tenancy.runAs(id, countCustomers)
          return [exit, after, visible] as const
        })
      )
      assert.isTrue(Exit.isFailure(exit) && Cause.squash(exit.cause) instanceof Boom)
      assert.isNull(after.customer)
      assert.strictEqual(visible, 0, "the insert was rolled back")
    })
  )

  it.effect("CurrentCustomer is provided inside runAs; a nested runAs for the same customer joins", () =>
    Effect.gen(function* () {
      const tenancy = yield* PgTenancy.make
      const id = newCustomerId()
      const [current, nested] = yield* tenancy.runAs(
        id,
        Effect.all([Effect.map(Tenancy.CurrentCustomer, (c) => c), tenancy.runAs(id, session)])
      )
      assert.strictEqual(current, id)
      assert.strictEqual(nested.customer, id)
    })
  )

  it.effect(
    "a nested runAs for another customer, or the worker, is a defect (one transaction, one tenant)",
    () =>
      Effect.gen(function* () {
        const tenancy = yield* PgTenancy.make
        const a = newCustomerId()
        const b = newCustomerId()
        const other = yield* Effect.exit(tenancy.runAs(a, tenancy.runAs(b, session)))
        const worker = yield* Effect.exit(tenancy.runAs(a, tenancy.runAsWorker(session)))
        const tenantInWorker = yield* Effect.exit(tenancy.runAsWorker(tenancy.runAs(a, session)))
        for (const exit of [other, worker, tenantInWorker]) {
          assert.isTrue(Exit.isFailure(exit) && Cause.hasDies(exit.cause))
        }
      })
  )

  it.effect("runAsWorker runs as the worker role with no tenant", () =>
    Effect.gen(function* () {
      const tenancy = yield* PgTenancy.make
      const s = yield* tenancy.runAsWorker(session)
      assert.strictEqual(s.role, Roles.worker)
      assert.isNull(s.customer)
    })
  )

  it.effect("with no tenant context, tenant tables return nothing, even though rows exist", () =>
    Effect.gen(function* () {
      const db = yield* TestDatabase
      const tenancy = yield* PgTenancy.make
      const id = newCustomerId()
      yield* tenancy.runAs(id, insertCustomer(id))
      assert.strictEqual(yield* tenancy.runAs(id, countCustomers), 1)
      assert.strictEqual(yield* db.asLogin(Roles.app, countCustomers), 0)
      assert.strictEqual(yield* db.asLogin(Roles.owner, countCustomers), 0, "FORCE binds the owner too")
    })
  )

  // The production shape: the application logs in as the app role, the worker as the worker role.
  if (kind === "server") {
    it.effect(
      "on a connection made as the app (or worker) role, runAs (or runAsWorker) works unchanged",
      () =>
        Effect.gen(function* () {
          const db = yield* TestDatabase
          const id = newCustomerId()
          const asApp = yield* db.asLogin(
            Roles.app,
            Effect.flatMap(PgTenancy.make, (tenancy) => tenancy.runAs(id, session))
          )
          const asWorker = yield* db.asLogin(
            Roles.worker,
            Effect.flatMap(PgTenancy.make, (tenancy) => tenancy.runAsWorker(session))
          )
          assert.deepStrictEqual([asApp.role, asApp.customer], [Roles.app, id])
          assert.deepStrictEqual([asWorker.role, asWorker.customer], [Roles.worker, null])
        })
    )
  }

  // Only a real login can be refused the switch: PostgreSQL checks SET ROLE against the session
  // user, and PGlite's one session is a superuser.
  if (kind === "server") {
    it.effect("a failure to set the context is a typed PersistenceFailure, not a raw SqlError", () =>
      Effect.gen(function* () {
        const db = yield* TestDatabase
        // The worker is not a member of the app role, so it may not switch to it.
        const exit = yield* db.asLogin(
          Roles.worker,
          Effect.flatMap(PgTenancy.make, (tenancy) => Effect.exit(tenancy.runAs(newCustomerId(), session)))
        )
        assert.isTrue(Exit.isFailure(exit))
        const error = Exit.isFailure(exit) ? Cause.squash(exit.cause) : undefined
        assert.instanceOf(error, PersistenceError.PersistenceFailure)
        assert.strictEqual((error as PersistenceError.PersistenceFailure).kind, "AuthorizationError")
      })
    )
  }
})
