import { assert, it } from "@effect/vitest"
import { CustomerRepo, Tenancy } from "@securebase/core"
import { Effect, Layer } from "effect"
import { SqlClient } from "effect/sql"
import * as Database from "../../src/postgres/Database.ts"
import * as Migrations from "../../src/postgres/migrations/index.ts"
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
