/**
 * `npm run db:migrate`: bootstraps the roles and applies pending migrations to the database in
 * DATABASE_URL, or, when it is unset, to the embedded PGlite in PGLITE_DATA_DIR (default
 * `.data/pglite`). Connect as `securebase_migrator` (the login that switches to the NOLOGIN
 * owner; the roles must exist: an administrator runs this once as a superuser or CREATEROLE
 * login, which bootstraps them) or as a superuser.
 */
import { mkdirSync } from "node:fs"
import { dirname } from "node:path"
import { PgClient } from "@effect/sql-pg"
import { Console, Effect, Layer, Redacted } from "effect"
import * as Migrator from "./Migrator.ts"
import * as PgliteClient from "./PgliteClient.ts"
import * as Roles from "./Roles.ts"

const url = process.env.DATABASE_URL
const dataDir = process.env.PGLITE_DATA_DIR ?? ".data/pglite"
const client =
  url !== undefined && url !== ""
    ? PgClient.layer({ url: Redacted.make(url), maxConnections: 1, applicationName: "securebase-migrate" })
    : Layer.unwrap(
        // PGlite creates the data directory itself, but not its parents.
        Effect.as(
          Effect.sync(() => mkdirSync(dirname(dataDir), { recursive: true })),
          PgliteClient.layer({ dataDir })
        )
      )

const program = Effect.gen(function* () {
  yield* Roles.bootstrap.pipe(
    // A login without CREATEROLE can still migrate once an administrator has created the roles.
    Effect.catchTag("SqlError", (e) =>
      e.reason._tag === "AuthorizationError"
        ? Console.log("roles: not privileged to create roles; assuming they exist")
        : Effect.fail(e)
    )
  )
  const applied = yield* Migrator.run()
  yield* Console.log(
    applied.length === 0 ? "migrations: up to date" : `migrations: applied ${applied.join(", ")}`
  )
})

Effect.runPromise(Effect.provide(program, Layer.fresh(client))).catch((error: unknown) => {
  console.error("migration failed:", error instanceof Error ? error.message : error)
  process.exitCode = 1
})
