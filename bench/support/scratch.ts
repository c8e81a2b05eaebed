/**
 * A scratch database for the benchmarks that need PostgreSQL: created on the server in
 * DATABASE_URL (`sb_bench_<random>`), bootstrapped and migrated, dropped at the end unless
 * BENCH_KEEP=1. Also a child process started from the repository root that is ready once its
 * output matches.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { join } from "node:path"
import { Effect, Redacted } from "effect"
import { SqlClient } from "effect/sql"
import * as PgDatabase from "../../packages/adapters/src/postgres/Database.ts"
import * as Migrator from "../../packages/adapters/src/postgres/Migrator.ts"
import * as Roles from "../../packages/adapters/src/postgres/Roles.ts"

/** The repository root. */
export const root = join(import.meta.dirname, "..", "..")

/** The server URL the benchmark was given, or exit 2 naming the script. */
export const serverUrl = (script: string): string => {
  const base = process.env.DATABASE_URL
  if (base === undefined || base === "") {
    console.error(
      `${script} needs DATABASE_URL (a PostgreSQL server; a scratch database is created and dropped)`
    )
    process.exit(2)
  }
  return base
}

/** `url` with its database replaced. */
export const urlOf = (base: string, database: string): string => {
  const url = new URL(base)
  url.pathname = `/${database}`
  return url.toString()
}

/** Runs `effect` on one connection to `url`. */
export const on = <A, E>(url: string, effect: Effect.Effect<A, E, SqlClient.SqlClient>): Promise<A> =>
  Effect.runPromise(
    Effect.scoped(
      Effect.provide(effect, PgDatabase.layer({ _tag: "Server", url: Redacted.make(url), maxConnections: 1 }))
    ) as Effect.Effect<A>
  )

/** Creates and migrates a scratch database, runs `body` with its URL, and drops it. */
export const withScratchDatabase = async <A>(base: string, body: (url: string) => Promise<A>): Promise<A> => {
  const name = `sb_bench_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`
  await on(
    base,
    Effect.flatMap(SqlClient.SqlClient, (sql) => sql.unsafe(`CREATE DATABASE ${name}`))
  )
  try {
    await on(urlOf(base, name), Effect.andThen(Roles.bootstrap, Migrator.run()))
    return await body(urlOf(base, name))
  } finally {
    if (process.env.BENCH_KEEP !== "1")
      await on(
        base,
        Effect.flatMap(SqlClient.SqlClient, (sql) =>
          sql.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
        )
      )
  }
}

/** A Node child process (the workspace's Node), ready once its output matches `ready`. */
export const start = (
  args: ReadonlyArray<string>,
  env: Record<string, string>,
  ready: RegExp
): Promise<{ child: ChildProcess; output: () => string; match: RegExpMatchArray }> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let output = ""
    let ok = false
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const match = output.match(ready)
      if (match !== null && !ok) {
        ok = true
        resolve({ child, output: () => output, match })
      }
    }
    child.stdout!.on("data", onData)
    child.stderr!.on("data", onData)
    child.on("exit", (code) => {
      if (!ok) reject(new Error(`process exited with ${code}:\n${output}`))
    })
  })
