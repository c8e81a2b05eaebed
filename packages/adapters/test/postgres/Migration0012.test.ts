/**
 * Upgrading a database that already holds customers and invoices on the four tiers to migration
 * 0012 (plan codes): every customer and invoice keeps its value, now a plan code in `plan`; any
 * well-formed plan code is accepted (which plans exist is the price book's business) and a
 * malformed one is refused by the database; `tier_features`, `usage_metrics` and the enum are
 * gone; and a plan change still tells the revocation listeners. On a fresh PGlite always, and on
 * a fresh database of the server when DATABASE_URL is set.
 */
import { PgClient } from "@effect/sql-pg"
import { assert, describe, it } from "@effect/vitest"
import { CustomerRepo, InvoiceRepo, Tenancy } from "@securebase/core"
import { Effect, Redacted } from "effect"
import { Reactivity } from "effect/reactivity"
import { SqlClient } from "effect/sql"
import * as Migrator from "../../src/postgres/Migrator.ts"
import * as Migrations from "../../src/postgres/migrations/index.ts"
import * as PgliteClient from "../../src/postgres/PgliteClient.ts"
import * as Roles from "../../src/postgres/Roles.ts"
import * as InvoiceRow from "../../src/postgres/rows/InvoiceRow.ts"
import * as Fixtures from "./support/Fixtures.ts"

const tiers = ["standard", "fintech", "healthcare", "gov-federal"] as const

/** Customers on each tier, and an invoice of each, written as the code before 0012 did. */
const seedOldRows = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const seeded = []
  for (const tier of tiers) {
    const customer = Fixtures.customer()
    yield* sql`INSERT INTO customers (id, name, email, tier, status, tax_profile, net_days)
      VALUES (${customer.id}, ${customer.name}, ${customer.email}, ${tier}::customer_tier, 'active', '{}'::jsonb, 30)`
    const invoice = yield* Fixtures.draftInvoice(customer.id)
    const { plan: _plan, ...row } = yield* InvoiceRow.write(invoice)
    yield* sql`INSERT INTO invoices ${sql.insert({ ...row, tier })}`
    for (const line of yield* InvoiceRow.lineWrites(invoice))
      yield* sql`INSERT INTO invoice_lines ${sql.insert(line)}`
    seeded.push({ tier, customer, invoice })
  }
  return seeded
})

const upgrade = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* Effect.andThen(Roles.bootstrap, Migrator.run(Migrations.all.filter((m) => m.id < 12)))
  const seeded = yield* seedOldRows
  // 0012 and every later migration (the repositories below read today's schema).
  assert.deepStrictEqual(
    yield* Migrator.run(),
    Migrations.all.filter((m) => m.id >= 12).map((m) => m.id)
  )
  const read = yield* Effect.forEach(seeded, (s) =>
    Effect.provide(
      Tenancy.Tenancy.use((t) =>
        t.runAs(
          s.customer.id,
          Effect.all({
            customer: CustomerRepo.CustomerRepo.use((r) => r.findById(s.customer.id)),
            invoice: InvoiceRepo.InvoiceRepo.use((r) => r.findById(s.invoice.id))
          })
        )
      ),
      Fixtures.adapters
    )
  )
  const gone = yield* sql<{ name: string | null }>`
    SELECT to_regclass('tier_features')::text AS name
    UNION ALL SELECT to_regclass('usage_metrics')::text
    UNION ALL SELECT (SELECT typname::text FROM pg_type WHERE typname = 'customer_tier')`
  const first = seeded[0]!.customer.id
  // A plan that no migration knows: the format is all the database checks.
  const renamed = yield* sql`UPDATE customers SET plan = 'scale-up_2027' WHERE id = ${first}`.pipe(
    Effect.andThen(sql<{ plan: string }>`SELECT plan FROM customers WHERE id = ${first}`)
  )
  const refused = yield* Effect.forEach(["Enterprise", "", "9lives", `p${"x".repeat(64)}`], (bad) =>
    sql`UPDATE customers SET plan = ${bad} WHERE id = ${first}`.pipe(
      Effect.as("accepted"),
      Effect.catch((e) => Effect.succeed(e.reason._tag))
    )
  )
  const refusedInvoice =
    yield* sql`UPDATE invoices SET plan = 'Bad Plan' WHERE id = ${seeded[0]!.invoice.id}`.pipe(
      Effect.as("accepted"),
      Effect.catch((e) => Effect.succeed(e.reason._tag))
    )
  const trigger = yield* sql<{ condition: string }>`
    SELECT pg_get_triggerdef(oid) AS condition FROM pg_trigger WHERE tgname = 'customers_notify_change'`
  return { seeded, read, gone, renamed, refused, refusedInvoice, trigger }
})

const checks = (r: Effect.Success<typeof upgrade>) => {
  assert.deepStrictEqual(
    r.read.map((x) => [x.customer.plan, x.invoice.plan]),
    tiers.map((t) => [t, t])
  )
  for (const [i, x] of r.read.entries()) assert.strictEqual(x.invoice.total, r.seeded[i]!.invoice.total)
  assert.deepStrictEqual(
    r.gone.map((g) => g.name),
    [null, null, null]
  )
  assert.deepStrictEqual(
    r.renamed.map((x) => x.plan),
    ["scale-up_2027"]
  )
  assert.deepStrictEqual([...r.refused, r.refusedInvoice], Array(5).fill("ConstraintError"))
  assert.strictEqual(r.trigger.length, 1)
  assert.match(r.trigger[0]!.condition, /old\.plan IS DISTINCT FROM new\.plan/i)
}

describe("migration 0012 over existing data", () => {
  it.effect(
    "[pglite] customers and invoices keep their tiers as plan codes; the format is checked",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const client = yield* PgliteClient.make()
          checks(yield* Effect.provideService(upgrade, SqlClient.SqlClient, client))
        })
      ).pipe(Effect.provide(Reactivity.layer)),
    { timeout: 120_000 }
  )
})

const url = process.env.DATABASE_URL
describe.runIf(url !== undefined && url !== "")("migration 0012 over existing data, on the server", () => {
  it.effect(
    "[server] customers and invoices keep their tiers as plan codes; the format is checked",
    () =>
      Effect.gen(function* () {
        const base = new URL(url!)
        const name = `sb_test_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`
        const at = (database: string) => {
          const u = new URL(base)
          u.pathname = `/${database}`
          return PgClient.layer({ url: Redacted.make(u.toString()), maxConnections: 2 })
        }
        const admin = <A, E>(effect: Effect.Effect<A, E, SqlClient.SqlClient>) =>
          Effect.scoped(Effect.provide(effect, at(base.pathname.slice(1) || "postgres")))
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
        checks(yield* Effect.scoped(Effect.provide(upgrade, at(name))))
      }).pipe(Effect.scoped),
    { timeout: 120_000 }
  )
})
