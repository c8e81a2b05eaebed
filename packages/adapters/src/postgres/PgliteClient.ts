/**
 * An `effect/sql` client over PGlite (PostgreSQL 18 compiled to WebAssembly, in process): the
 * embedded default when no `DATABASE_URL` is set, so the same migrations, roles, policies and
 * repositories run with nothing installed.
 *
 * PGlite is one backend, one session: there is no pool. Statements and transactions share the one
 * connection through a semaphore (`SqlClient.makeSqliteAcquirers`, whose contract, "one connection
 * shared through a semaphore", is exactly this), so a transaction holds the connection until it
 * ends and no other fiber's statement can slip into it. Concurrency tests belong on a real server.
 *
 * The session is PGlite's superuser; row-level security is enforced because `PgTenancy` switches
 * to the application role inside each transaction.
 *
 * Values are made to look like `@effect/sql-pg`'s so repositories decode both alike: `int8`
 * decodes to `bigint` (PGlite's default is a lossy `number`), and `bigint` / `Date` parameters are
 * sent as text for the server to cast.
 */

import { PgClient } from "@effect/sql-pg"
import { PGlite, type PGliteOptions, types } from "@electric-sql/pglite"
import { Context, Effect, Layer, Semaphore, Stream } from "effect"
import { Reactivity } from "effect/reactivity"
import { SqlClient } from "effect/sql"
import type { Connection } from "effect/sql/SqlConnection"
import {
  AuthenticationError,
  AuthorizationError,
  ConnectionError,
  ConstraintError,
  DeadlockError,
  LockTimeoutError,
  SerializationError,
  SqlError,
  type SqlErrorReason,
  SqlSyntaxError,
  StatementTimeoutError,
  UniqueViolation,
  UnknownError
} from "effect/sql/SqlError"

/** The PGlite-backed client, with access to the engine for snapshots. */
export interface PgliteClient extends SqlClient.SqlClient {
  /** The engine itself, for `dumpDataDir` snapshots and tests. */
  readonly pglite: PGlite
}

/** The service tag of {@link PgliteClient}. */
export const PgliteClient = Context.Service<PgliteClient>("@securebase/adapters/postgres/PgliteClient")

/** Options: where the data lives (in memory by default) or a snapshot to start from. */
export interface PgliteClientConfig {
  /** A directory (`./.data/pg`) for a persistent database; in memory when absent. */
  readonly dataDir?: string | undefined
  /** A `dumpDataDir` snapshot to start from (about 10x faster than a fresh cluster). */
  readonly loadDataDir?: Blob | File | undefined
}

// SQLSTATE classes as in @effect/sql-pg, so both backends report the same typed reasons.
const classify = (cause: unknown, message: string, operation: string): SqlErrorReason => {
  const code = (cause as { code?: unknown }).code
  const constraint = (cause as { constraint?: unknown }).constraint
  const props = { cause, message, operation }
  if (typeof code !== "string") return new UnknownError(props)
  if (code.startsWith("08")) return new ConnectionError(props)
  if (code.startsWith("28")) return new AuthenticationError(props)
  if (code === "42501") return new AuthorizationError(props)
  if (code.startsWith("42")) return new SqlSyntaxError(props)
  if (code === "23505") {
    return new UniqueViolation({
      ...props,
      constraint: typeof constraint === "string" ? constraint : "unknown"
    })
  }
  if (code.startsWith("23")) return new ConstraintError(props)
  if (code === "40P01") return new DeadlockError(props)
  if (code === "40001") return new SerializationError(props)
  if (code === "55P03") return new LockTimeoutError(props)
  if (code === "57014") return new StatementTimeoutError(props)
  return new UnknownError(props)
}

const toSqlError = (operation: string) => (cause: unknown) =>
  new SqlError({
    reason: classify(
      cause,
      `PGlite: ${(cause as { message?: unknown }).message ?? "query failed"}`,
      operation
    )
  })

const param = (value: unknown): unknown =>
  typeof value === "bigint" ? value.toString() : value instanceof Date ? value.toISOString() : value

const makeConnection = (db: PGlite): Connection => {
  const run = (sql: string, params: ReadonlyArray<unknown>, rowMode: "object" | "array") =>
    Effect.tryPromise({
      try: () => db.query<any>(sql, params.map(param), { rowMode }),
      catch: toSqlError("query")
    })
  const rows = (sql: string, params: ReadonlyArray<unknown>) =>
    Effect.map(run(sql, params, "object"), (result) => result.rows as ReadonlyArray<any>)
  const execute: Connection["execute"] = (sql, params, transformRows) =>
    transformRows === undefined ? rows(sql, params) : Effect.map(rows(sql, params), transformRows)
  const values = (sql: string, params: ReadonlyArray<unknown>) =>
    Effect.map(run(sql, params, "array"), (result) => result.rows as ReadonlyArray<ReadonlyArray<unknown>>)
  return {
    execute,
    executeUnprepared: execute,
    executeRaw: (sql, params) => run(sql, params, "object"),
    executeValues: values,
    executeValuesUnprepared: values,
    executeStream: (sql, params, transformRows) =>
      Stream.flatMap(Stream.fromEffect(execute(sql, params, transformRows)), Stream.fromIterable)
  }
}

/** Starts PGlite and builds the client; PGlite is closed when the scope closes. */
export const make = Effect.fn("PgliteClient.make")(function* (config: PgliteClientConfig = {}) {
  const options: PGliteOptions = {
    parsers: { [types.INT8]: (value: string) => BigInt(value) },
    ...(config.dataDir === undefined ? {} : { dataDir: config.dataDir }),
    ...(config.loadDataDir === undefined ? {} : { loadDataDir: config.loadDataDir })
  }
  const db = yield* Effect.acquireRelease(
    Effect.tryPromise({ try: () => PGlite.create(options), catch: toSqlError("connect") }),
    (db) => Effect.promise(() => db.close())
  )
  const semaphore = yield* Semaphore.make(1)
  const acquirers = SqlClient.makeSqliteAcquirers({
    connection: Effect.succeed(makeConnection(db)),
    semaphore
  })
  const client = yield* SqlClient.make({
    ...acquirers,
    compiler: PgClient.makeCompiler(),
    driver: "pglite",
    releaseSavepoint: (name) => `RELEASE SAVEPOINT ${name}`,
    spanAttributes: [["db.system.name", "postgresql"]]
  })
  return Object.assign(client, { pglite: db }) as PgliteClient
})

/** Provides {@link PgliteClient} and `SqlClient`. */
export const layer = (
  config: PgliteClientConfig = {}
): Layer.Layer<PgliteClient | SqlClient.SqlClient, SqlError> =>
  Layer.effectContext(
    Effect.map(make(config), (client) =>
      Context.make(PgliteClient, client).pipe(Context.add(SqlClient.SqlClient, client))
    )
  ).pipe(Layer.provide(Reactivity.layer))
