/**
 * The database a process talks to: the PostgreSQL server in `DATABASE_URL` when it is set, the
 * embedded PGlite otherwise (in memory, or in a directory), so the project runs with nothing
 * installed and the same migrations, policies and repositories serve both.
 *
 * The server is migrated by an explicit step (`npm run db:migrate`, as a privileged login), never
 * by the application at startup: the application should connect as `securebase_app`, which may
 * not run DDL. The embedded database has no such step, so its layer bootstraps and migrates it.
 */
import { PgClient } from "@effect/sql-pg"
import { Config, Effect, Layer, Option, Redacted } from "effect"
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

/** The `SqlClient` for a configuration. */
export const layer = (config: DatabaseConfig): Layer.Layer<SqlClient.SqlClient, SqlError> =>
  config._tag === "Server"
    ? PgClient.layer({ url: config.url, maxConnections: config.maxConnections ?? 10 })
    : embedded(config.dataDir)

/** `DATABASE_URL` when set, else `PGLITE_DATA_DIR` (or memory) for the embedded database. */
export const configFromEnv: Config.Config<DatabaseConfig> = Config.all({
  url: Config.option(Config.Redacted("DATABASE_URL")),
  dataDir: Config.option(Config.String("PGLITE_DATA_DIR"))
}).pipe(
  Config.map(
    ({ url, dataDir }): DatabaseConfig =>
      Option.isSome(url) && Redacted.value(url.value) !== ""
        ? { _tag: "Server", url: url.value }
        : { _tag: "Embedded", dataDir: Option.getOrUndefined(dataDir) }
  )
)

/** The `SqlClient` chosen by the environment. */
export const layerFromEnv: Layer.Layer<SqlClient.SqlClient, SqlError | Config.ConfigError> = Layer.unwrap(
  Effect.map(configFromEnv, layer)
)
