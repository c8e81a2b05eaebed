/**
 * A bootstrapped and migrated PGlite cluster as a `dumpDataDir` file, built once and cached on
 * disk (in the temporary directory, keyed by the migrations' checksums, the bootstrap's and
 * migrator's sources and PGlite's version), so only the first test file of a run (or of a schema
 * change) pays the cold start and the migrations.
 *
 * The PGlite suites start from it (`TestDatabase`), and vitest's global setup hands it to the
 * application as `PGLITE_TEMPLATE` (`setup` below): every new embedded database the tests' servers
 * and commands open (in memory, or in a new data directory), in process or as a child, begins from
 * it instead of an empty cluster. The migrations still run on it (`PgDatabase.embedded`);
 * `Database.test.ts` keeps the empty start covered, and `db migrate` (which never uses the
 * template) the migrations applied one by one on a new data directory (`cli/Main.test.ts`).
 */
import { createHash } from "node:crypto"
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { Effect } from "effect"
import { Reactivity } from "effect/reactivity"
import { SqlClient } from "effect/sql"
import * as Migrator from "../../../src/postgres/Migrator.ts"
import * as Migrations from "../../../src/postgres/migrations/index.ts"
import * as PgliteClient from "../../../src/postgres/PgliteClient.ts"
import * as Roles from "../../../src/postgres/Roles.ts"

/**
 * What shapes a migrated cluster: PGlite's version, the bootstrap's and migrator's sources and the
 * migrations' checksums, hashed. Also names the server suites' template database (`TestDatabase`).
 */
export const key = (): string => {
  // The package does not export its package.json: find it next to its entry point.
  const entry = createRequire(import.meta.url).resolve("@electric-sql/pglite")
  const pgliteVersion = JSON.parse(readFileSync(join(dirname(entry), "..", "package.json"), "utf8"))
    .version as string
  const sources = ["Roles.ts", "Migrator.ts"].map((name) =>
    readFileSync(new URL(`../../../src/postgres/${name}`, import.meta.url), "utf8")
  )
  return createHash("sha256")
    .update([pgliteVersion, ...sources, ...Migrations.all.map(Migrator.checksum)].join("/"))
    .digest("hex")
    .slice(0, 16)
}

/** Where the snapshot of the current migrations is (or will be) cached. */
export const file = (): string => join(tmpdir(), `securebase-pglite-${key()}.tar`)

const build = (): Promise<Blob> =>
  Effect.runPromise(
    Effect.scoped(
      Effect.gen(function* () {
        const client = yield* PgliteClient.make()
        yield* Effect.provideService(
          Effect.andThen(Roles.bootstrap, Migrator.run()),
          SqlClient.SqlClient,
          client
        )
        return yield* Effect.promise(() => client.pglite.dumpDataDir("none"))
      })
    ).pipe(Effect.provide(Reactivity.layer))
  )

let cached: Promise<{ readonly path: string; readonly blob: Blob }> | undefined

/**
 * The snapshot and its file, built and written when missing. Written to a temporary name and
 * renamed: concurrent writers (test files in parallel workers) cannot tear it.
 */
export const load = (): Promise<{ readonly path: string; readonly blob: Blob }> => {
  cached ??= (async () => {
    const path = file()
    if (existsSync(path)) return { path, blob: new Blob([readFileSync(path)]) }
    const blob = await build()
    const temporary = `${path}.${process.pid}.${crypto.randomUUID()}`
    writeFileSync(temporary, Buffer.from(await blob.arrayBuffer()))
    renameSync(temporary, path)
    return { path, blob }
  })()
  return cached
}

/** vitest's global setup: `PGLITE_TEMPLATE` for every worker and the processes they start. */
export const setup = async (): Promise<void> => {
  process.env.PGLITE_TEMPLATE ??= (await load()).path
}
