import { assert } from "@effect/vitest"
import { Effect } from "effect"
import { SqlClient } from "effect/sql"
import * as Migrator from "../../src/postgres/Migrator.ts"
import * as Migrations from "../../src/postgres/migrations/index.ts"
import * as Roles from "../../src/postgres/Roles.ts"
import { suite } from "./support/TestDatabase.ts"

const extra = (id: number, ...statements: ReadonlyArray<string>): Migrations.Migration => ({
  id,
  name: `test_${id}`,
  statements
})

suite("Migrator", (it) => {
  it.effect("records every migration with its checksum; a second run applies nothing", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      assert.deepStrictEqual(yield* Migrator.run(), [])
      const rows = yield* sql<{
        id: number
        checksum: string
      }>`SELECT id, checksum FROM securebase_migrations ORDER BY id`
      assert.deepStrictEqual(
        rows.map((r) => [r.id, r.checksum]),
        Migrations.all.map((m) => [m.id, Migrator.checksum(m)])
      )
    })
  )

  it.effect("an edited migration that was already applied is refused", () =>
    Effect.gen(function* () {
      const edited = Migrations.all.map((m) =>
        m.id === 2 ? { ...m, statements: [...m.statements, "SELECT 1"] } : m
      )
      const error = yield* Effect.flip(Migrator.run(edited))
      assert.deepStrictEqual(
        [error._tag, (error as Migrator.MigrationChecksumMismatch).id],
        ["MigrationChecksumMismatch", 2]
      )
    })
  )

  it.effect("a failing migration leaves nothing behind: no table, no record", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const bad = extra(900, "CREATE TABLE half_done (id int)", "CREATE TABLE broken (")
      const error = yield* Effect.flip(Migrator.run([...Migrations.all, bad]))
      assert.strictEqual(error._tag, "SqlError")
      const [row] = yield* sql<{ table: string | null; recorded: string }>`
        SELECT to_regclass('public.half_done')::text AS table,
               (SELECT count(*) FROM securebase_migrations WHERE id = 900)::text AS recorded`
      assert.deepStrictEqual([row!.table, row!.recorded], [null, "0"])
    })
  )

  it.effect("concurrent migrators apply a new migration exactly once, owned by the owner role", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const next = [...Migrations.all, extra(901, "CREATE TABLE migrated_once (id int)")]
      const applied = yield* Effect.all([Migrator.run(next), Migrator.run(next), Migrator.run(next)], {
        concurrency: "unbounded"
      })
      assert.deepStrictEqual(applied.flat(), [901])
      const [row] = yield* sql<{ owner: string }>`
        SELECT tableowner AS owner FROM pg_tables WHERE schemaname = 'public' AND tablename = 'migrated_once'`
      assert.strictEqual(row!.owner, Roles.owner)
    })
  )

  it.effect(
    "every tenant table is owned by the owner, with row-level security enabled, forced and a policy",
    () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        const rows = yield* sql<{
          table: string
          owner: string
          enabled: boolean
          forced: boolean
          policies: string
        }>`
        SELECT c.relname AS table, pg_get_userbyid(c.relowner) AS owner, c.relrowsecurity AS enabled,
               c.relforcerowsecurity AS forced,
               (SELECT count(*) FROM pg_policies p WHERE p.tablename = c.relname AND p.policyname = 'tenant_isolation')::text
                 AS policies
        FROM pg_class c
        WHERE c.relnamespace = 'public'::regnamespace AND c.relname IN ${sql.in(Migrations.tenantTables.map((t) => t.table))}
        ORDER BY c.relname`
        assert.strictEqual(rows.length, Migrations.tenantTables.length)
        for (const r of rows)
          assert.deepStrictEqual(
            [r.owner, r.enabled, r.forced, r.policies],
            [Roles.owner, true, true, "1"],
            r.table
          )
      })
  )

  it.effect("the policy column of every tenant table leads an index", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      for (const { table, column } of Migrations.tenantTables) {
        const [row] = yield* sql<{ n: string }>`
          SELECT count(*)::text AS n FROM pg_index i
          JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
          WHERE i.indrelid = ${table}::regclass AND a.attname = ${column}`
        assert.notStrictEqual(row!.n, "0", `${table}.${column} is not indexed`)
      }
    })
  )

  it.effect("the app and worker roles are neither superuser nor BYPASSRLS, and own nothing", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const roles = yield* sql<{ name: string; superuser: boolean; bypassrls: boolean; owns: string }>`
        SELECT r.rolname AS name, r.rolsuper AS superuser, r.rolbypassrls AS bypassrls,
               (SELECT count(*) FROM pg_class c WHERE c.relowner = r.oid AND c.relnamespace = 'public'::regnamespace)::text AS owns
        FROM pg_roles r WHERE r.rolname IN (${Roles.app}, ${Roles.worker}, ${Roles.owner}) ORDER BY r.rolname`
      assert.deepStrictEqual(
        roles.map((r) => [r.name, r.superuser, r.bypassrls, r.name === Roles.owner ? "owner" : r.owns]),
        [
          [Roles.app, false, false, "0"],
          [Roles.owner, false, false, "owner"],
          [Roles.worker, false, false, "0"]
        ]
      )
    })
  )

  it.effect("bootstrapping the roles again, even concurrently, is harmless", () =>
    Effect.all([Roles.bootstrap, Roles.bootstrap, Roles.bootstrap], {
      concurrency: "unbounded",
      discard: true
    })
  )
})
