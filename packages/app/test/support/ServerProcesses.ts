/**
 * The real thing for promises that span instances: a scratch database of its own on the
 * PostgreSQL server in DATABASE_URL (roles bootstrapped, migrated, dropped at the end), and
 * `npm start`'s process (`src/main.ts`) started on it as many times as a test wants, each on an
 * ephemeral port and killed when the test's scope closes.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import { PgDatabase, PgMigrator, PgRoles } from "@securebase/adapters"
import { ConfigProvider, Effect, Redacted } from "effect"
import { SqlClient } from "effect/sql"
import * as ServerConfig from "../../src/Config.ts"

const main = fileURLToPath(new URL("../../src/main.ts", import.meta.url))

/** The server URL with another database. */
const withDatabase = (base: string, database: string): string => {
  const url = new URL(base)
  url.pathname = `/${database}`
  return url.toString()
}

const onServer = <A, E>(url: string, effect: Effect.Effect<A, E, SqlClient.SqlClient>) =>
  Effect.scoped(
    Effect.provide(effect, PgDatabase.layer({ _tag: "Server", url: Redacted.make(url), maxConnections: 1 }))
  )

/** A migrated database of its own on the server at `base`; dropped when the scope closes. */
export const scratchDatabase = (base: string) =>
  Effect.gen(function* () {
    const name = `sb_test_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`
    yield* Effect.acquireRelease(
      onServer(
        base,
        Effect.flatMap(SqlClient.SqlClient, (sql) => sql.unsafe(`CREATE DATABASE ${name}`))
      ),
      () =>
        Effect.orDie(
          onServer(
            base,
            Effect.flatMap(SqlClient.SqlClient, (sql) =>
              sql.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
            )
          )
        )
    )
    const url = withDatabase(base, name)
    yield* onServer(url, Effect.andThen(PgRoles.bootstrap, PgMigrator.run()))
    return url
  }).pipe(Effect.orDie)

/** The configuration a process with `env` reads (for building its services in the test). */
export const configFor = (env: Record<string, string>) =>
  ServerConfig.load.pipe(
    Effect.provideService(ConfigProvider.ConfigProvider, ConfigProvider.fromEnv({ env })),
    Effect.orDie
  )

/** A running `npm start` process. */
export interface ServerProcess {
  readonly url: string
  readonly output: () => string
}

/** Starts `src/main.ts` with `env` (PORT=0, no demo, no access log unless `env` says so). */
export const startServer = (env: Record<string, string>) =>
  Effect.acquireRelease(
    Effect.callback<{ child: ChildProcess; server: ServerProcess }, Error>((resume) => {
      const child = spawn(process.execPath, [main], {
        env: { ...process.env, PORT: "0", SEED_DEMO: "false", ACCESS_LOG: "false", ...env },
        stdio: ["ignore", "pipe", "pipe"]
      })
      let output = ""
      let started = false
      const onData = (chunk: Buffer) => {
        output += chunk.toString()
        const port = /SecureBase API \(\w+\) on http:\/\/127\.0\.0\.1:(\d+)/.exec(output)?.[1]
        if (port !== undefined && !started) {
          started = true
          resume(Effect.succeed({ child, server: { url: `http://127.0.0.1:${port}`, output: () => output } }))
        }
      }
      child.stdout.on("data", onData)
      child.stderr.on("data", onData)
      child.on("exit", (code) => {
        if (!started)
          resume(Effect.fail(new Error(`the server exited with ${code} before listening:\n${output}`)))
      })
    }),
    ({ child }) =>
      Effect.callback<void>((resume) => {
        if (child.exitCode !== null) return resume(Effect.void)
        child.once("exit", () => resume(Effect.void))
        child.kill("SIGTERM")
      })
  ).pipe(
    Effect.map(({ server }) => server),
    Effect.orDie
  )
