import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, it } from "@effect/vitest"
import { CustomerRepo, Tenancy } from "@securebase/core"
import { Cause, Effect, Exit, Layer } from "effect"
import { SqlClient } from "effect/sql"
import * as Database from "../../src/postgres/Database.ts"
import * as Migrations from "../../src/postgres/migrations/index.ts"
import type * as PgliteClient from "../../src/postgres/PgliteClient.ts"
import * as Fixtures from "./support/Fixtures.ts"

it.effect(
  "the embedded default comes up migrated, and the repositories and tenancy work on it",
  () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const [row] = yield* sql<{ migrations: string; dropped: string | null }>`
        SELECT (SELECT count(*) FROM securebase_migrations)::text AS migrations,
               coalesce(to_regclass('tier_features')::text, to_regclass('usage_metrics')::text) AS dropped`
      assert.deepStrictEqual([row!.migrations, row!.dropped], [String(Migrations.all.length), null])
      const tenancy = yield* Tenancy.Tenancy
      const repo = yield* CustomerRepo.CustomerRepo
      const id = Fixtures.customerId()
      yield* tenancy.runAs(id, repo.insert(Fixtures.customer(id)))
      assert.strictEqual((yield* tenancy.runAs(id, repo.findById(id))).id, id)
    }).pipe(Effect.provide(Layer.provideMerge(Fixtures.adapters, Database.layer({ _tag: "Embedded" })))),
  60_000
)

// A template: an in-memory database after `prepare`, dumped to `path`.
const template = (path: string, prepare: Effect.Effect<unknown, unknown, any>) =>
  Effect.gen(function* () {
    yield* prepare
    const client = (yield* SqlClient.SqlClient) as PgliteClient.PgliteClient
    const blob = yield* Effect.promise(() => client.pglite.dumpDataDir("none"))
    const bytes = yield* Effect.promise(() => blob.arrayBuffer())
    writeFileSync(path, Buffer.from(bytes))
  }).pipe(Effect.provide(Layer.provideMerge(Fixtures.adapters, Database.embedded())))

const tempDir = Effect.acquireRelease(
  Effect.sync(() => mkdtempSync(join(tmpdir(), "securebase-template-"))),
  (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
)

it.live(
  "a new embedded database starts from a template (PGLITE_TEMPLATE): its rows are there, and the migrations still run on it",
  () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const id = Fixtures.customerId()
      const good = join(dir, "good.tar")
      yield* template(
        good,
        Effect.gen(function* () {
          const repo = yield* CustomerRepo.CustomerRepo
          yield* (yield* Tenancy.Tenancy).runAs(id, repo.insert(Fixtures.customer(id)))
        })
      )
      const startedOn = (config: Database.DatabaseConfig) =>
        Effect.gen(function* () {
          const sql = yield* SqlClient.SqlClient
          const [row] = yield* sql<{ migrations: string }>`
            SELECT count(*)::text AS migrations FROM securebase_migrations`
          const repo = yield* CustomerRepo.CustomerRepo
          const found = yield* (yield* Tenancy.Tenancy).runAs(id, repo.findById(id))
          return [row!.migrations, found.id]
        }).pipe(Effect.provide(Layer.provideMerge(Fixtures.adapters, Database.layer(config))))
      const expected = [String(Migrations.all.length), id]
      assert.deepStrictEqual(yield* startedOn({ _tag: "Embedded", template: good }), expected)
      // A new data directory starts from it too, and is opened as it is afterwards (PGlite refuses
      // to load a template over an existing cluster).
      const dataDir = join(dir, "data")
      assert.deepStrictEqual(yield* startedOn({ _tag: "Embedded", dataDir, template: good }), expected)
      assert.deepStrictEqual(yield* startedOn({ _tag: "Embedded", dataDir, template: good }), expected)

      // A template whose applied migration was edited is refused like any database: the migrator ran.
      const edited = join(dir, "edited.tar")
      yield* template(
        edited,
        Effect.flatMap(
          SqlClient.SqlClient,
          (sql) => sql`UPDATE securebase_migrations SET checksum = 'edited' WHERE id = 1`
        )
      )
      const refused = yield* Effect.exit(Effect.scoped(Layer.build(Database.embedded(undefined, edited))))
      assert.isTrue(Exit.isFailure(refused))
      if (Exit.isFailure(refused))
        assert.strictEqual(
          (Cause.squash(refused.cause) as { _tag?: string })._tag,
          "MigrationChecksumMismatch"
        )

      // A template that cannot be read fails the start, naming the file.
      const missing = join(dir, "missing.tar")
      const unreadable = yield* Effect.exit(Effect.scoped(Layer.build(Database.embedded(undefined, missing))))
      assert.isTrue(Exit.isFailure(unreadable))
      if (Exit.isFailure(unreadable))
        assert.include(String(Cause.squash(unreadable.cause)), `cannot read the PGlite template ${missing}`)
    }).pipe(Effect.scoped),
  120_000
)
