/**
 * `securebase bill --period P --price-book new.json --diff` as a process, on the demo tenants:
 * every customer's closed month priced under the current and the new book, per customer the old
 * and new totals and the difference, a summary, exact to the cent, and nothing written (the row
 * counts of every table the billing run writes are unchanged). A customer whose plan the new book
 * drops is reported as failed (exit 1), never a crash. On embedded PGlite always, and on a fresh
 * database of the PostgreSQL server when DATABASE_URL is set.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { PgDatabase } from "@securebase/adapters"
import { Decimal, Period, PriceBook } from "@securebase/core"
import { ConfigProvider, DateTime, Effect, Layer, Redacted, Schema } from "effect"
import { SqlClient } from "effect/sql"
import * as ServerConfig from "../../src/Config.ts"
import { servicesLayer } from "../../src/Layers.ts"
import { securebase } from "../support/Cli.ts"

const encode = Schema.encodeSync(PriceBook.PriceBook)
const card = PriceBook.referenceCard
/** The new book: the standard plan's platform fee from $2,000 to $2,200; the rest as it was. */
const dearer = Effect.runSync(
  PriceBook.withCharge(card, "standard", {
    _tag: "Flat",
    code: "platform",
    description: "Platform subscription",
    amount: Decimal.unsafe("2200")
  })
)
/** A book that no longer offers the healthcare plan. */
const withoutHealthcare = PriceBook.withoutPlan(card, "healthcare")

const tables = ["invoices", "invoice_lines", "billing_claims", "notifications", "audit_events", "customers"]

/** Row counts of the tables a billing run writes, read with the app's own configuration. */
const counts = (env: Record<string, string>) =>
  Effect.gen(function* () {
    const config = yield* ServerConfig.load.pipe(
      Effect.provideService(ConfigProvider.ConfigProvider, ConfigProvider.fromEnv({ env })),
      Effect.orDie
    )
    return yield* Effect.scoped(
      Effect.provide(
        Effect.flatMap(SqlClient.SqlClient, (sql) =>
          Effect.forEach(tables, (t) =>
            Effect.map(
              sql<{ n: string }>`SELECT count(*)::text AS n FROM ${sql(t)}`,
              (rows) => `${t} ${rows[0]!.n}`
            )
          )
        ),
        Layer.fresh(servicesLayer(config))
      )
    )
  }).pipe(Effect.orDie)

const scenario = (env: Record<string, string>, dir: string) =>
  Effect.gen(function* () {
    const migrated = yield* securebase(["db", "migrate"], env)
    assert.strictEqual(migrated.code, 0, migrated.stderr)
    const seeded = yield* securebase(["db", "seed"], env)
    assert.strictEqual(seeded.code, 0, seeded.stderr)
    yield* Effect.promise(async () => {
      await writeFile(join(dir, "dearer.json"), JSON.stringify(encode(dearer)))
      await writeFile(join(dir, "no-healthcare.json"), JSON.stringify(encode(withoutHealthcare)))
      await writeFile(join(dir, "bad.json"), JSON.stringify({ ...encode(card), currency: "XYZ" }))
    })
    // The month before this one: closed, invoiced by the demo, with usage.
    const previous = Period.previous(Period.ofDateTime(yield* DateTime.now))
    const before = yield* counts(env)

    const r = yield* securebase(
      ["bill", "--period", previous, "--price-book", join(dir, "dearer.json"), "--diff"],
      env
    )
    assert.strictEqual(r.code, 0, r.stdout + r.stderr)
    assert.include(r.stdout, `Price book diff for ${previous} (nothing written)`)
    // Acme Analytics is on the standard plan under the $5,000 volume threshold: +$200 + 8% tax.
    assert.match(
      r.stdout,
      /Acme Analytics \(5ecb0a5e-0000-4000-8000-000100000001\): \$[\d,]+\.\d\d -> \$[\d,]+\.\d\d {2}\+\$216\.00/
    )
    const acme = /Acme Analytics \([^)]+\): \$([\d,]+\.\d\d) -> \$([\d,]+\.\d\d)/.exec(r.stdout)!
    const cents = (s: string) => BigInt(s.replaceAll(/[,.]/g, ""))
    assert.strictEqual(cents(acme[2]!) - cents(acme[1]!), 21600n)
    for (const other of ["Ledgerline Payments", "Northwind Health", "Federal Records Agency"])
      assert.match(r.stdout, new RegExp(`${other} \\([^)]+\\): (\\$[\\d,.]+) -> \\1 {2}\\$0\\.00`), other)
    assert.include(r.stdout, "4 customers: 1 up, 0 down, 3 unchanged, 0 failed")
    assert.match(r.stdout, /revenue before tax \(USD\): \$[\d,.]+ -> \$[\d,.]+ {2}\+\$200\.00/)

    const dropped = yield* securebase(
      ["bill", "--period", previous, "--price-book", join(dir, "no-healthcare.json"), "--diff"],
      env
    )
    assert.strictEqual(dropped.code, 1, dropped.stdout + dropped.stderr)
    assert.match(
      dropped.stdout,
      /Northwind Health \([^)]+\): \$[\d,.]+ -> - {2}failed \(proposed: PRICING\.UNKNOWN_PLAN\)/
    )
    assert.include(dropped.stdout, "4 customers: 0 up, 0 down, 3 unchanged, 1 failed")

    const bad = yield* securebase(
      ["bill", "--period", previous, "--price-book", join(dir, "bad.json"), "--diff"],
      env
    )
    assert.strictEqual(bad.code, 2, bad.stdout + bad.stderr)
    assert.match(bad.stderr, /bill --diff: .*bad\.json is not a valid price book:[\s\S]*\["currency"\]/)

    for (const args of [
      ["--price-book", join(dir, "dearer.json")],
      ["--diff"],
      ["--price-book", join(dir, "dearer.json"), "--diff", "--dry-run"]
    ]) {
      const refused = yield* securebase(["bill", "--period", previous, ...args], env)
      assert.strictEqual(refused.code, 2, args.join(" "))
    }

    assert.deepStrictEqual(yield* counts(env), before)
  })

const tempDir = Effect.acquireRelease(
  Effect.promise(() => mkdtemp(join(tmpdir(), "securebase-diff-"))),
  (d) => Effect.promise(() => rm(d, { recursive: true, force: true }))
)

describe("securebase bill --diff", () => {
  it.live(
    "[pglite] old and new totals per customer, a summary, nothing written",
    () =>
      Effect.gen(function* () {
        const dir = yield* tempDir
        yield* scenario({ PGLITE_DATA_DIR: join(dir, "db") }, dir)
      }).pipe(Effect.scoped),
    600_000
  )
})

const url = process.env.DATABASE_URL
describe.runIf(url !== undefined && url !== "")("securebase bill --diff, on the server", () => {
  it.live(
    "[server] old and new totals per customer, a summary, nothing written",
    () =>
      Effect.gen(function* () {
        const dir = yield* tempDir
        const base = new URL(url!)
        const name = `sb_test_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`
        const admin = <A, E>(effect: Effect.Effect<A, E, SqlClient.SqlClient>) =>
          Effect.scoped(
            Effect.provide(
              effect,
              PgDatabase.clientLayer({ _tag: "Server", url: Redacted.make(base.toString()) })
            )
          )
        yield* Effect.acquireRelease(
          admin(Effect.flatMap(SqlClient.SqlClient, (sql) => sql.unsafe(`CREATE DATABASE ${name}`))),
          () =>
            Effect.orDie(
              admin(
                Effect.flatMap(SqlClient.SqlClient, (sql) =>
                  sql.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
                )
              )
            )
        )
        const database = new URL(base)
        database.pathname = `/${name}`
        yield* scenario({ DATABASE_URL: database.toString() }, dir)
      }).pipe(Effect.scoped),
    600_000
  )
})
