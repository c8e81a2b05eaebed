/**
 * Upgrading a database that already holds customers and invoices to migration 0011 (pricing
 * terms): existing customers get USD and list-price terms, an existing invoice's discount is
 * recorded as its one (volume) discount line, and invoices whose lines were priced before
 * breakdowns were kept still read (no precise amount, an empty breakdown) and still reconcile.
 * On a fresh PGlite always, and on a fresh database of the server when DATABASE_URL is set.
 */
import { PgClient } from "@effect/sql-pg"
import { assert, describe, it } from "@effect/vitest"
import { CustomerRepo, Invoice, InvoiceRepo, Tenancy } from "@securebase/core"
import { Effect, Redacted } from "effect"
import { Reactivity } from "effect/reactivity"
import { SqlClient } from "effect/sql"
import * as Migrator from "../../src/postgres/Migrator.ts"
import * as Migrations from "../../src/postgres/migrations/index.ts"
import * as PgliteClient from "../../src/postgres/PgliteClient.ts"
import * as Roles from "../../src/postgres/Roles.ts"
import * as InvoiceRow from "../../src/postgres/rows/InvoiceRow.ts"
import * as Fixtures from "./support/Fixtures.ts"

const before0011 = Migrations.all.filter((m) => m.id < 11)

/** Bootstraps the roles and applies the migrations before 0011. */
const migrateTo0006 = Effect.andThen(Roles.bootstrap, Migrator.run(before0011))

/** Writes a customer and its fintech invoice the way the code before 0011 did (no new columns). */
const seedOldRows = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const customer = Fixtures.customer()
  // Before 0012 the column was `tier`.
  yield* sql`INSERT INTO customers (id, name, email, tier, status, tax_profile, net_days)
    VALUES (${customer.id}, ${customer.name}, ${customer.email}, ${customer.plan}, ${customer.status},
            ${JSON.stringify({ jurisdiction: "US" })}::jsonb, ${customer.netDays})`
  const invoice = yield* Fixtures.draftInvoice(customer.id)
  const { discount_lines: _discounts, plan, ...oldInvoice } = yield* InvoiceRow.write(invoice)
  yield* sql`INSERT INTO invoices ${sql.insert({ ...oldInvoice, tier: plan })}`
  for (const row of yield* InvoiceRow.lineWrites(invoice)) {
    const { precise_amount: _precise, breakdown: _breakdown, ...oldLine } = row
    yield* sql`INSERT INTO invoice_lines ${sql.insert(oldLine)}`
  }
  return { customer, invoice }
})

const upgrade = Effect.gen(function* () {
  yield* migrateTo0006
  const old = yield* seedOldRows
  // 0011 and every later migration (the repositories below read today's schema).
  assert.deepStrictEqual(
    yield* Migrator.run(),
    Migrations.all.filter((m) => m.id >= 11).map((m) => m.id)
  )
  const read = yield* Effect.provide(
    Tenancy.Tenancy.use((t) =>
      t.runAs(
        old.customer.id,
        Effect.all({
          customer: CustomerRepo.CustomerRepo.use((r) => r.findById(old.customer.id)),
          invoice: InvoiceRepo.InvoiceRepo.use((r) => r.findById(old.invoice.id))
        })
      )
    ),
    Fixtures.adapters
  )
  return { old, read }
})

const checks = (result: Effect.Success<typeof upgrade>) => {
  const { old, read } = result
  assert.deepStrictEqual([read.customer.currency, read.customer.terms], ["USD", {}])
  // The old invoice had the fintech volume discount: 5% of its subtotal.
  assert.isTrue(old.invoice.discount > 0n)
  assert.deepStrictEqual(
    read.invoice.discounts.map((d) => [d.kind, d.code, d.description, d.amount]),
    [["volume", "volume", old.invoice.discountDescription, old.invoice.discount]]
  )
  assert.isTrue(read.invoice.lines.length > 1)
  for (const line of read.invoice.lines) {
    assert.isNull(line.preciseAmount)
    assert.deepStrictEqual(line.breakdown, [])
  }
  assert.deepStrictEqual(
    read.invoice.lines.map((l) => [l.code, l.amount, l.discount]),
    old.invoice.lines.map((l) => [l.code, l.amount, l.discount])
  )
  assert.strictEqual(read.invoice.total, old.invoice.total)
  assert.deepStrictEqual(Invoice.reconciliationErrors(read.invoice), [])
}

describe("migration 0011 over existing data", () => {
  it.effect(
    "[pglite] existing customers and invoices read after the upgrade",
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
describe.runIf(url !== undefined && url !== "")("migration 0011 over existing data, on the server", () => {
  it.effect(
    "[server] existing customers and invoices read after the upgrade",
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
