/**
 * The database a process talks to: the PostgreSQL server in `DATABASE_URL` when it is set, the
 * embedded PGlite otherwise (in memory, or in a directory), so the project runs with nothing
 * installed and the same migrations, policies and repositories serve both.
 *
 * The server is migrated by an explicit step (`securebase db migrate`, as a privileged login), never
 * by the application at startup: the application should connect as `securebase_app`, which may
 * not run DDL. The embedded database has no such step, so its layer bootstraps and migrates it.
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { PgClient } from "@effect/sql-pg"
import { Effect, Layer, type Redacted } from "effect"
import type { SqlClient } from "effect/sql"
import type { SqlError } from "effect/sql/SqlError"
import * as Migrator from "./Migrator.ts"
import * as PgliteClient from "./PgliteClient.ts"
import * as Roles from "./Roles.ts"

/** Where the data lives. */
export type DatabaseConfig =
  | { readonly _tag: "Server"; readonly url: Redacted.Redacted; readonly maxConnections?: number | undefined }
  | {
      readonly _tag: "Embedded"
      readonly dataDir?: string | undefined
      /** A `dumpDataDir` file of a migrated cluster a new database starts from (see `embedded`). */
      readonly template?: string | undefined
    }

/**
 * An embedded PGlite, bootstrapped and migrated (idempotent: a persistent data dir keeps its data).
 * A new database (in memory, or a data directory that holds no cluster yet) starts from `template`
 * when one is given: a `dumpDataDir` file of a bootstrapped and migrated cluster (what the test
 * suites cache); an existing directory is opened as it is. The bootstrap and the migrations run,
 * so a migration the template lacks is applied and an edited one is refused as on any database;
 * what the template saves is the fresh cluster and the migrations' DDL, about 70% of the CPU of
 * starting an empty in-memory database (2.5 of 3.5 s).
 */
export const embedded = (dataDir?: string, template?: string): Layer.Layer<SqlClient.SqlClient, SqlError> =>
  Layer.effectDiscard(
    Effect.andThen(Roles.bootstrap, Migrator.run()).pipe(
      // A checksum mismatch or an undecodable migrations table is a broken deployment, not a
      // condition to handle: fail loudly at startup.
      Effect.catchTags({ MigrationChecksumMismatch: Effect.die, SchemaError: Effect.die })
    )
  ).pipe(
    Layer.provideMerge(
      template !== undefined && (dataDir === undefined || !existsSync(join(dataDir, "PG_VERSION")))
        ? Layer.unwrap(
            // An unreadable template is a broken configuration: fail at startup, naming the file.
            Effect.map(
              Effect.try({
                try: () => new Blob([readFileSync(template)]),
                catch: (cause) => new Error(`cannot read the PGlite template ${template}: ${String(cause)}`)
              }).pipe(Effect.orDie),
              (loadDataDir) => PgliteClient.layer({ dataDir, loadDataDir })
            )
          )
        : PgliteClient.layer({ dataDir })
    )
  )

/**
 * A plain client for a configuration, without the embedded database's bootstrap and migrations:
 * for the migration command itself. A PGlite data directory's parents are created first.
 */
export const clientLayer = (config: DatabaseConfig): Layer.Layer<SqlClient.SqlClient, SqlError> =>
  config._tag === "Server"
    ? PgClient.layer({ url: config.url, maxConnections: 1, applicationName: "securebase-migrate" })
    : Layer.unwrap(
        Effect.as(
          Effect.sync(() => {
            if (config.dataDir !== undefined) mkdirSync(dirname(config.dataDir), { recursive: true })
          }),
          PgliteClient.layer({ dataDir: config.dataDir })
        )
      )

/** The `SqlClient` for a configuration. */
export const layer = (config: DatabaseConfig): Layer.Layer<SqlClient.SqlClient, SqlError> =>
  config._tag === "Server"
    ? PgClient.layer({ url: config.url, maxConnections: config.maxConnections ?? 10 })
    : embedded(config.dataDir, config.template)
