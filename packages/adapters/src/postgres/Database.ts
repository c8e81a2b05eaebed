/**
 * The database a process talks to: the PostgreSQL server in `DATABASE_URL` when it is set, the
 * embedded PGlite otherwise (in memory, or in a directory), so the project runs with nothing
 * installed and the same migrations, policies and repositories serve both.
 *
 * The server is migrated by an explicit step (`securebase db migrate`, as a privileged login), never
 * by the application at startup: the application should connect as `securebase_app`, which may
 * not run DDL. The embedded database has no such step, so its layer bootstraps and migrates it.
 */
import { mkdirSync } from "node:fs"
import { dirname } from "node:path"
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
  | { readonly _tag: "Embedded"; readonly dataDir?: string | undefined }

/** An embedded PGlite, bootstrapped and migrated (idempotent: a persistent data dir keeps its data). */
export const embedded = (dataDir?: string): Layer.Layer<SqlClient.SqlClient, SqlError> =>
  Layer.effectDiscard(
    Effect.andThen(Roles.bootstrap, Migrator.run()).pipe(
      // A checksum mismatch or an undecodable migrations table is a broken deployment, not a
      // condition to handle: fail loudly at startup.
      Effect.catchTags({ MigrationChecksumMismatch: Effect.die, SchemaError: Effect.die })
    )
  ).pipe(Layer.provideMerge(PgliteClient.layer({ dataDir })))

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
    : embedded(config.dataDir)
