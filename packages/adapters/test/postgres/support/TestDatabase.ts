/**
 * The two backends every PostgreSQL suite runs on: embedded PGlite, always, and the real server
 * named by DATABASE_URL, when it is set (CI sets it).
 *
 * PGlite: each suite starts from the bootstrapped and migrated cluster `PgliteSnapshot` caches
 * (~0.3 s instead of ~2.5 s + migrations).
 *
 * Server: vitest runs files in parallel, so each suite creates its OWN database
 * (`sb_test_<random>`), copied from a migrated template database (`migratedTemplate`), runs the
 * bootstrap of the cluster-wide roles (idempotent and race-safe) and the migrator on it, and
 * drops the database when the suite ends.
 */
import { PgClient } from "@effect/sql-pg"
import type { Vitest } from "@effect/vitest"
import { layer as vitestLayer } from "@effect/vitest"
import { Context, Effect, Layer, Redacted } from "effect"
import { SqlClient } from "effect/sql"
import type { SqlError } from "effect/sql/SqlError"
import { describe } from "vitest"
import * as Migrator from "../../../src/postgres/Migrator.ts"
import * as PgliteClient from "../../../src/postgres/PgliteClient.ts"
import * as Roles from "../../../src/postgres/Roles.ts"
import * as PgliteSnapshot from "./PgliteSnapshot.ts"

/** What a suite knows about its database beyond the privileged `SqlClient`. */
export class TestDatabase extends Context.Service<
  TestDatabase,
  {
    readonly kind: "pglite" | "server"
    /**
     * Runs `effect` on a client with ONE connection whose session is `role` (the privileged test
     * user when undefined). On the server this is a real login, except for the owner, which cannot
     * log in: its session is the migrator's login, switched to the owner by the `role` startup
     * parameter (what `SET ROLE` does). PGlite has one session, so a role is a transaction that
     * `SET LOCAL ROLE`s first.
     */
    readonly asLogin: <A, E, R>(
      role: string | undefined,
      effect: Effect.Effect<A, E, R>
    ) => Effect.Effect<A, E | SqlError, Exclude<R, SqlClient.SqlClient>>
  }
>()("@securebase/adapters/test/TestDatabase") {}

/** A migrated PGlite, fresh from this file's snapshot. */
export const pglite: Layer.Layer<SqlClient.SqlClient | TestDatabase, SqlError> = Layer.unwrap(
  Effect.map(Effect.promise(PgliteSnapshot.load), ({ blob: loadDataDir }) => {
    const client = PgliteClient.layer({ loadDataDir })
    const testDb = Layer.effect(
      TestDatabase,
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        return TestDatabase.of({
          kind: "pglite",
          asLogin: (role, effect) =>
            role === undefined
              ? (Effect.provideService(effect, SqlClient.SqlClient, sql) as any)
              : (sql.withTransaction(
                  Effect.andThen(
                    sql.unsafe(`SET LOCAL ROLE ${role}`),
                    Effect.provideService(effect, SqlClient.SqlClient, sql)
                  )
                ) as any)
        })
      })
    )
    return Layer.provideMerge(testDb, client)
  })
)

/** The server URL with another database (and optionally another user). */
const withDatabase = (base: string, database: string, user?: string): string => {
  const url = new URL(base)
  url.pathname = `/${database}`
  if (user !== undefined) {
    url.username = user
    url.password = ""
  }
  return url.toString()
}

const pgLayer = (url: string, maxConnections = 4, startupParameters?: Record<string, string>) =>
  PgClient.layer({
    url: Redacted.make(url),
    maxConnections,
    applicationName: "securebase-test",
    ...(startupParameters === undefined ? {} : { startupParameters })
  })

const migrate = (url: string) =>
  Effect.scoped(Effect.provide(Effect.andThen(Roles.bootstrap, Migrator.run()), pgLayer(url, 1))).pipe(
    Effect.catchTags({ MigrationChecksumMismatch: Effect.die, SchemaError: Effect.die })
  )

/**
 * The migrated database every server suite copies (`CREATE DATABASE … TEMPLATE`), so a suite's
 * database costs a file copy instead of the bootstrap and every migration's DDL. Built once per
 * cluster and schema: its name carries `PgliteSnapshot.key()`, and it is renamed to that name only
 * once complete (a concurrent builder that renamed first wins; the other copy is dropped). Nothing
 * ever connects to it afterwards, which `TEMPLATE` requires.
 */
const migratedTemplate = (base: string) =>
  Effect.gen(function* () {
    const template = `sb_template_${PgliteSnapshot.key()}`
    const admin = <A>(f: (sql: SqlClient.SqlClient) => Effect.Effect<A, SqlError>) =>
      Effect.scoped(Effect.provide(Effect.flatMap(SqlClient.SqlClient, f), pgLayer(base, 1)))
    const found = yield* admin((sql) => sql`SELECT 1 AS one FROM pg_database WHERE datname = ${template}`)
    if (found.length > 0) return template
    const building = `${template}_${crypto.randomUUID().replaceAll("-", "").slice(0, 8)}`
    const drop = admin((sql) => sql.unsafe(`DROP DATABASE IF EXISTS ${building} WITH (FORCE)`))
    yield* admin((sql) => sql.unsafe(`CREATE DATABASE ${building}`))
    yield* migrate(withDatabase(base, building)).pipe(Effect.onError(() => Effect.orDie(drop)))
    yield* admin((sql) => sql.unsafe(`ALTER DATABASE ${building} RENAME TO ${template}`)).pipe(
      Effect.catch(() => drop)
    )
    return template
  })

/** A migrated database of its own on the server in DATABASE_URL. */
export const server = (base: string): Layer.Layer<SqlClient.SqlClient | TestDatabase, SqlError> =>
  Layer.unwrap(
    Effect.gen(function* () {
      const name = `sb_test_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`
      const admin = (effect: Effect.Effect<unknown, SqlError, SqlClient.SqlClient>) =>
        Effect.scoped(Effect.provide(effect, pgLayer(base, 1)))
      const template = yield* migratedTemplate(base)
      yield* Effect.acquireRelease(
        admin(
          Effect.flatMap(SqlClient.SqlClient, (sql) =>
            sql.unsafe(`CREATE DATABASE ${name} TEMPLATE ${template}`)
          )
        ),
        () =>
          Effect.orDie(
            admin(
              Effect.flatMap(SqlClient.SqlClient, (sql) =>
                sql.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
              )
            )
          )
      )
      const url = withDatabase(base, name)
      // A copy of the template is already migrated; the bootstrap and the migrator run on it anyway,
      // as on any database (they find nothing to do, and would refuse an edited migration).
      yield* migrate(url)
      const testDb = Layer.succeed(
        TestDatabase,
        TestDatabase.of({
          kind: "server",
          asLogin: (role, effect) =>
            Effect.scoped(
              Effect.provide(
                effect,
                role === Roles.owner
                  ? pgLayer(withDatabase(base, name, Roles.migrator), 1, { role: Roles.owner })
                  : pgLayer(withDatabase(base, name, role), 1)
              )
            ) as any
        })
      )
      return Layer.merge(testDb, pgLayer(url, 8))
    })
  )

/**
 * Declares `body` once per backend: always on PGlite, and on the server when DATABASE_URL is set.
 */
export const suite = (
  name: string,
  body: (it: Vitest.MethodsNonLive<SqlClient.SqlClient | TestDatabase>, kind: "pglite" | "server") => void
): void => {
  describe(`${name} [pglite]`, () => {
    vitestLayer(pglite, { excludeTestServices: true, timeout: "60 seconds" })((it) => body(it, "pglite"))
  })
  const url = process.env.DATABASE_URL
  describe.runIf(url !== undefined && url !== "")(`${name} [server]`, () => {
    vitestLayer(server(url ?? ""), { excludeTestServices: true, timeout: "60 seconds" })((it) =>
      body(it, "server")
    )
  })
}
