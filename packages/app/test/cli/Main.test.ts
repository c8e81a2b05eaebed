/**
 * The `securebase` command and `securebase serve` as a new user meets them: every `--help` exits
 * 0, mistakes are refused with exit 2, startup failures name their cause in one line without a
 * stack, the banner shows the port actually bound with commands that work when pasted, and the
 * keys `db seed` prints keep working after the server starts on the same database.
 */

import { mkdtemp, rm } from "node:fs/promises"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { securebase, serve } from "../support/Cli.ts"

const tempDir = Effect.acquireRelease(
  Effect.promise(() => mkdtemp(join(tmpdir(), "securebase-cli-"))),
  (d) => Effect.promise(() => rm(d, { recursive: true, force: true }))
)

/** One line on stderr, no stack trace. */
const oneLine = (stderr: string) => {
  const lines = stderr.trim().split("\n")
  assert.strictEqual(lines.length, 1, stderr)
  assert.notMatch(stderr, /\n\s+at /)
  return lines[0]!
}

describe("securebase", () => {
  it.live(
    "--help of the command and of every subcommand exits 0 and describes it",
    () =>
      Effect.gen(function* () {
        const helps: ReadonlyArray<readonly [ReadonlyArray<string>, string]> = [
          [["--help"], "securebase <subcommand> [flags]"],
          [["serve", "--help"], "securebase serve"],
          [["db", "--help"], "securebase db <subcommand> [flags]"],
          [["db", "migrate", "--help"], "securebase db migrate"],
          [["db", "seed", "--help"], "--revoke-previous"],
          [["bill", "--help"], "--batch-size integer"],
          [["payments", "--help"], "securebase payments <subcommand> [flags]"],
          [["payments", "reconcile", "--help"], "--all"]
        ]
        for (const [args, expected] of helps) {
          const r = yield* securebase(args)
          assert.strictEqual(r.code, 0, `${args.join(" ")}: ${r.stderr}`)
          assert.include(r.stdout, expected, args.join(" "))
        }
      }),
    240_000
  )

  it.live(
    "an unknown subcommand or flag is exit 2; db commands without a database are refused with exit 2",
    () =>
      Effect.gen(function* () {
        const unknown = yield* securebase(["frobnicate"])
        assert.strictEqual(unknown.code, 2)
        assert.include(unknown.stderr, 'Unknown subcommand "frobnicate"')
        const flag = yield* securebase(["db", "seed", "--bogus"])
        assert.strictEqual(flag.code, 2)
        for (const command of [
          ["db", "migrate"],
          ["db", "seed"]
        ]) {
          const r = yield* securebase(command)
          assert.strictEqual(r.code, 2, command.join(" "))
          assert.include(oneLine(r.stderr), "no database. Set DATABASE_URL (PostgreSQL) or PGLITE_DATA_DIR")
        }
      }),
    180_000
  )

  it.live(
    "db migrate on an embedded data directory applies the migrations, then is up to date",
    () =>
      Effect.gen(function* () {
        const dir = yield* tempDir
        const env = { PGLITE_DATA_DIR: join(dir, "nested", "db") }
        const first = yield* securebase(["db", "migrate"], env)
        assert.strictEqual(first.code, 0, first.stderr)
        assert.match(first.stdout, /migrations: applied 1, 2, 3/)
        const second = yield* securebase(["db", "migrate"], env)
        assert.strictEqual(second.code, 0, second.stderr)
        assert.include(second.stdout, "migrations: up to date")
      }).pipe(Effect.scoped),
    180_000
  )
})

describe("securebase serve: startup failures name their cause in one line", () => {
  it.live(
    "PORT=abc, an unreachable database, a missing database, a port in use",
    () =>
      Effect.gen(function* () {
        const port = yield* securebase(["serve"], { PORT: "abc" })
        assert.strictEqual(port.code, 3)
        assert.strictEqual(
          oneLine(port.stderr),
          "securebase: invalid configuration: PORT: Expected a string representing a finite number"
        )
        assert.strictEqual(port.stdout, "")

        const refused = yield* securebase(["serve"], { DATABASE_URL: "postgres://nobody@127.0.0.1:9/none" })
        assert.strictEqual(refused.code, 3)
        assert.include(
          oneLine(refused.stderr),
          "cannot reach the database (connect ECONNREFUSED 127.0.0.1:9)"
        )
        assert.strictEqual(refused.stdout, "", "nothing is announced for a server that never started")

        const url = process.env.DATABASE_URL
        if (url !== undefined && url !== "") {
          const missing = new URL(url)
          missing.pathname = "/securebase_no_such_database"
          const r = yield* securebase(["serve"], { DATABASE_URL: missing.toString() })
          assert.strictEqual(r.code, 3)
          assert.include(oneLine(r.stderr), 'database "securebase_no_such_database" does not exist')
        }

        // A port someone else holds: refused before any banner, seed or key is printed.
        const holder = createServer()
        const held = yield* Effect.promise(
          () =>
            new Promise<number>((resolve) =>
              holder.listen(0, "127.0.0.1", () => resolve((holder.address() as { port: number }).port))
            )
        )
        yield* Effect.addFinalizer(() =>
          Effect.promise(() => new Promise<void>((resolve) => holder.close(() => resolve())))
        )
        const busy = yield* securebase(["serve"], { PORT: String(held) })
        assert.strictEqual(busy.code, 3)
        assert.include(oneLine(busy.stderr), "the port is already in use")
        assert.include(busy.stderr, "PORT=0")
        assert.strictEqual(busy.stdout, "", "no banner and no demo keys for a server that never listened")
      }).pipe(Effect.scoped),
    240_000
  )
})

describe("securebase serve: the banner", () => {
  it.live(
    "with PORT=0 it shows the port bound, and its curl commands work as pasted (a real invoice id)",
    () =>
      Effect.gen(function* () {
        const served = yield* serve({ PORT: "0" })
        assert.notInclude(served.url, ":0")
        const output = served.output()
        const invoiceCurl =
          /curl -H "Authorization: Bearer (\S+)" (http:\/\/\S+\/invoices\/[0-9a-f-]{36})\n/.exec(output)
        assert.isNotNull(invoiceCurl, output)
        const [, key, invoiceUrl] = invoiceCurl!
        assert.isTrue(invoiceUrl!.startsWith(served.url))
        const invoice = yield* Effect.promise(() =>
          fetch(invoiceUrl!, { headers: { authorization: `Bearer ${key}` } })
        )
        assert.strictEqual(invoice.status, 200)
        const download = yield* Effect.promise(() =>
          fetch(`${invoiceUrl}/download`, { headers: { authorization: `Bearer ${key}` } })
        )
        assert.strictEqual(download.status, 200)
        assert.strictEqual(download.headers.get("content-type"), "application/pdf")
      }).pipe(Effect.scoped),
    180_000
  )

  it.live(
    "the keys db seed printed keep working after the server starts on the same database",
    () =>
      Effect.gen(function* () {
        const dir = yield* tempDir
        const env = { PGLITE_DATA_DIR: join(dir, "db") }
        const seeded = yield* securebase(["db", "seed"], env)
        assert.strictEqual(seeded.code, 0, seeded.stderr)
        const keys = Array.from(seeded.stdout.matchAll(/(sb_live_\S+)/g), (m) => m[1]!)
        assert.strictEqual(keys.length, 4)
        const served = yield* serve(env)
        // The tenants already existed: no new keys, and the earlier ones are named as the way in.
        assert.notMatch(served.output(), /sb_live_/)
        assert.include(served.output(), "Demo tenants (seeded earlier")
        for (const key of keys) {
          const r = yield* Effect.promise(() =>
            fetch(`${served.url}/invoices`, { headers: { authorization: `Bearer ${key}` } })
          )
          assert.strictEqual(r.status, 200, key)
        }
      }).pipe(Effect.scoped),
    240_000
  )
})
