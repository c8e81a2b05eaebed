/**
 * Operators in PostgreSQL (migration 0014): the store round-trips, and the `operators` table is
 * nobody's to browse. The application role sees exactly the one operator whose id its transaction
 * names and can neither list, insert nor update; the worker has no access at all; a tenant
 * context sees nothing. Administration works as the owner, which the migrator login can become
 * and the application's login cannot.
 */
import { assert } from "@effect/vitest"
import { type Operator, Operators } from "@securebase/core"
import { DateTime, Effect, Exit, Layer, Option, Redacted } from "effect"
import { SqlClient } from "effect/sql"
import * as Sha256ApiKeySecrets from "../../src/auth/Sha256ApiKeySecrets.ts"
import * as PgOperatorStore from "../../src/postgres/PgOperatorStore.ts"
import * as Roles from "../../src/postgres/Roles.ts"
import { suite, TestDatabase } from "./support/TestDatabase.ts"

const operators = Operators.Operators.make.pipe(
  Effect.provide(Layer.merge(PgOperatorStore.layer, Sha256ApiKeySecrets.layer))
)

/** What `role` sees of `operators` with `app.operator_id` set to `id` (or nothing). */
const visibleAs = (role: string, id: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql.withTransaction(
      Effect.andThen(
        sql`SELECT set_config('role', ${role}, true), set_config('app.operator_id', ${id}, true)`,
        sql<{ id: string }>`SELECT id FROM operators ORDER BY id`
      )
    )
  )

const failsAs = <A, E>(role: string, statement: (sql: SqlClient.SqlClient) => Effect.Effect<A, E>) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    Effect.exit(
      sql.withTransaction(Effect.andThen(sql`SELECT set_config('role', ${role}, true)`, statement(sql)))
    )
  )

suite("PgOperatorStore", (it, kind) => {
  it.effect("create, authenticate, list and revoke round-trip; the key is sb_op_<id>_<secret>", () =>
    Effect.gen(function* () {
      const service = yield* operators
      const created = yield* service.create({
        name: "Ada (billing ops)",
        scopes: ["customers:read", "invoices:write"]
      })
      const key = Redacted.value(created.plaintext)
      assert.match(key, /^sb_op_[a-z2-7]{16}_[a-z2-7]{52}$/)
      assert.strictEqual(key.split("_")[2], created.operator.id)
      const identity = yield* service.authenticate(key)
      assert.deepStrictEqual(identity, {
        operatorId: created.operator.id,
        name: "Ada (billing ops)",
        scopes: ["customers:read", "invoices:write"]
      })
      const listed = yield* service.list
      assert.isTrue(listed.some((o) => o.id === created.operator.id))
      assert.isFalse(
        JSON.stringify(listed).includes(key.split("_")[3]!),
        "a listing never carries the secret"
      )
      assert.isFalse("secretHash" in listed[0]!, "a listing never carries the hash")

      const wrong = yield* Effect.flip(
        service.authenticate(`${key.slice(0, -1)}${key.endsWith("a") ? "b" : "a"}`)
      )
      assert.strictEqual(wrong.code, "AUTH.INVALID_KEY")

      const revoked = yield* service.revoke(created.operator.id)
      assert.isDefined(revoked.revokedAt)
      const again = yield* service.revoke(created.operator.id)
      assert.deepStrictEqual(again.revokedAt, revoked.revokedAt, "a second revoke keeps the first time")
      const refused = yield* Effect.flip(service.authenticate(key))
      assert.strictEqual(refused.code, "AUTH.KEY_REVOKED")
      const unknown = yield* Effect.flip(service.revoke("aaaaaaaaaaaaaaaa" as Operator.OperatorId))
      assert.strictEqual(unknown._tag, "OperatorNotFound")
    })
  )

  it.effect("bad names and scopes are refused before anything is stored", () =>
    Effect.gen(function* () {
      const service = yield* operators
      for (const input of [
        { name: "", scopes: ["customers:read"] },
        { name: "two\nlines", scopes: ["customers:read"] },
        { name: "ok", scopes: [] },
        { name: "ok", scopes: ["api_keys:write"] },
        { name: "ok", scopes: ["customers:read", "customers:read"] }
      ]) {
        const error = yield* Effect.flip(service.create(input))
        assert.strictEqual(error._tag, "InvalidOperator", JSON.stringify(input))
      }
    })
  )

  it.effect(
    "the application role sees one operator by id, never a list; the worker and tenants see none",
    () =>
      Effect.gen(function* () {
        const service = yield* operators
        const a = (yield* service.create({ name: "a", scopes: ["customers:read"] })).operator
        const b = (yield* service.create({ name: "b", scopes: ["customers:read"] })).operator
        assert.deepStrictEqual(
          (yield* visibleAs(Roles.app, a.id)).map((r) => r.id),
          [a.id]
        )
        assert.deepStrictEqual(yield* visibleAs(Roles.app, ""), [], "no id set: nothing")
        const tenant = yield* Effect.flatMap(SqlClient.SqlClient, (sql) =>
          sql.withTransaction(
            Effect.andThen(
              sql`SELECT set_config('role', ${Roles.app}, true),
                       set_config('app.customer_id', ${globalThis.crypto.randomUUID()}, true)`,
              sql`SELECT id FROM operators`
            )
          )
        )
        assert.deepStrictEqual(tenant, [], "a tenant context sees no operator")
        const worker = yield* failsAs(Roles.worker, (sql) => sql`SELECT id FROM operators`)
        assert.isTrue(Exit.isFailure(worker), "the worker may not read operators at all")
        const insert = yield* failsAs(
          Roles.app,
          (sql) => sql`INSERT INTO operators (id, name, scopes, secret_hash, created_at)
          VALUES ('bbbbbbbbbbbbbbbb', 'x', '{customers:write}', ${"0".repeat(64)}, now())`
        )
        assert.isTrue(Exit.isFailure(insert), "the application may not mint operators")
        const update = yield* Effect.flatMap(SqlClient.SqlClient, (sql) =>
          Effect.exit(
            sql.withTransaction(
              Effect.andThen(
                sql`SELECT set_config('role', ${Roles.app}, true), set_config('app.operator_id', ${b.id}, true)`,
                sql`UPDATE operators SET revoked_at = NULL, scopes = '{customers:write}' WHERE id = ${b.id}`
              )
            )
          )
        )
        assert.isTrue(
          Exit.isFailure(update),
          "the application may not change an operator, even the one it looked up"
        )
      })
  )

  if (kind === "server") {
    it.effect(
      "a login as the application role cannot become the owner, so it cannot administer operators",
      () =>
        Effect.gen(function* () {
          const db = yield* TestDatabase
          const exit = yield* db.asLogin(
            Roles.app,
            Effect.exit(
              Effect.flatMap(PgOperatorStore.make, (store) =>
                store.revoke("cccccccccccccccc" as Operator.OperatorId, DateTime.makeUnsafe(0))
              )
            )
          )
          assert.isTrue(Exit.isFailure(exit))
          // And the lookup path works on that login: it is what authentication uses.
          const found = yield* db.asLogin(
            Roles.app,
            Effect.flatMap(PgOperatorStore.make, (store) =>
              store.findById("cccccccccccccccc" as Operator.OperatorId)
            )
          )
          assert.isTrue(Option.isNone(found))
        })
    )
  }
})
