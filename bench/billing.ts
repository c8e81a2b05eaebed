/**
 * The billing run over 10,000 customers on the real PostgreSQL in DATABASE_URL, in invoices per
 * second, with a ceiling measured in the same run: a plain bulk insert (multi-row INSERTs of
 * 1,000 rows, no transactions per customer, no locks, no audit chain, no constraints beyond the
 * copied ones; the same column compression) of exactly the rows the run wrote (invoices, lines,
 * notifications, audit events).
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx node bench/billing.ts
 *
 * BENCH_CUSTOMERS (default 10000) and BENCH_RUNS (default "1x1,4x1,4x1n100,1x500,4x250": transactions
 * in flight × customers per transaction, one month each; `n100` numbers per-customer transactions in
 * blocks of 100, `BillingRun`'s `numberEvery`) tune it. It works in a database of its own
 * (`sb_bench_<random>`), dropped at the end (kept with BENCH_KEEP=1).
 *
 * Each row also gives the CPU milliseconds an invoice cost, in this Node process and, when the
 * server is local and /proc shows its processes, in PostgreSQL (all its processes: use a server
 * nobody else is using). On a shared machine these move far less than invoices/s.
 */
import { loadavg } from "node:os"
import { PgClient } from "@effect/sql-pg"
import type { Array as Arr } from "effect"
import { Effect, Layer, Redacted } from "effect"
import { SqlClient } from "effect/sql"
import * as Migrator from "../packages/adapters/src/postgres/Migrator.ts"
import * as PgAuditLog from "../packages/adapters/src/postgres/PgAuditLog.ts"
import * as PgBilling from "../packages/adapters/src/postgres/PgBilling.ts"
import * as PgCustomerRepo from "../packages/adapters/src/postgres/PgCustomerRepo.ts"
import * as PgInvoiceRepo from "../packages/adapters/src/postgres/PgInvoiceRepo.ts"
import * as PgTenancy from "../packages/adapters/src/postgres/PgTenancy.ts"
import * as PgUsageEventRepo from "../packages/adapters/src/postgres/PgUsageEventRepo.ts"
import * as Roles from "../packages/adapters/src/postgres/Roles.ts"
import { BillingRun, type Period } from "../packages/core/src/index.ts"
import { clusterCpuMillis, parentOf } from "./support/cpu.ts"

const base = process.env.DATABASE_URL
if (base === undefined || base === "") {
  console.error(
    "bench/billing.ts needs DATABASE_URL (a PostgreSQL server; the database is created and dropped)"
  )
  process.exit(2)
}
const customers = Number(process.env.BENCH_CUSTOMERS ?? 10_000)
const configs = (process.env.BENCH_RUNS ?? "1x1,4x1,4x1n100,1x500,4x250").split(",").map((c) => {
  const [concurrency, rest] = c.split("x")
  const [batchSize, numberEvery] = rest!.split("n")
  return [
    Number(concurrency),
    Number(batchSize),
    numberEvery === undefined ? undefined : Number(numberEvery)
  ] as const
})
const name = `sb_bench_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`
const urlOf = (database: string) => {
  const url = new URL(base)
  url.pathname = `/${database}`
  return url.toString()
}
const pg = (url: string, maxConnections: number) =>
  PgClient.layer({ url: Redacted.make(url), maxConnections, applicationName: "securebase-bench" })

const admin = <A, E>(effect: Effect.Effect<A, E, SqlClient.SqlClient>) =>
  Effect.runPromise(Effect.scoped(Effect.provide(effect, pg(base, 1))) as Effect.Effect<A, never>)

const chunks = <A>(xs: ReadonlyArray<A>, size: number): Array<ReadonlyArray<A>> =>
  Array.from({ length: Math.ceil(xs.length / size) }, (_, i) => xs.slice(i * size, (i + 1) * size))

// Rows as read back, ready to be written again: jsonb as JSON text, timestamps as ISO text.
const plain = (row: Record<string, unknown>) =>
  Object.fromEntries(
    Object.entries(row).map(([k, v]) => [
      k,
      v instanceof Date
        ? v.toISOString()
        : v !== null && typeof v === "object" && !(v instanceof Uint8Array)
          ? JSON.stringify(v)
          : v
    ])
  )

// Chunks are never empty: sql.insert wants that in its type.
const nonEmpty = (rows: ReadonlyArray<Record<string, unknown>>) =>
  rows as Arr.NonEmptyReadonlyArray<Record<string, unknown>>

const seconds = (ms: number) => (ms / 1000).toFixed(2)

const plans = ["standard", "fintech", "healthcare", "gov-federal"] as const

const program = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* Roles.bootstrap
  yield* Migrator.run()
  // Customers and their month of usage (3 metrics each), bulk-loaded as the privileged login.
  const ids = Array.from({ length: customers }, () => crypto.randomUUID())
  const t0 = performance.now()
  for (const part of chunks(ids, 1000)) {
    yield* sql`INSERT INTO customers ${sql.insert(
      nonEmpty(
        part.map(
          (id, i): Record<string, unknown> => ({
            id,
            name: `Customer ${id.slice(0, 8)}`,
            email: `billing@${id.slice(0, 8)}.example`,
            plan: plans[i % plans.length]!,
            status: "active",
            tax_profile: JSON.stringify(i % 10 === 0 ? {} : { jurisdiction: "US" }),
            net_days: 30
          })
        )
      )
    )}`
  }
  const usage = (period: string) =>
    Effect.forEach(
      chunks(ids, 1000),
      (part) =>
        sql`INSERT INTO usage_events ${sql.insert(
          nonEmpty(
            part.flatMap(
              (id, i): Array<Record<string, unknown>> => [
                {
                  customer_id: id,
                  event_id: `${period}/calls`,
                  metric: "api_calls",
                  occurred_at: `${period}-15T12:00:00Z`,
                  quantity: String(500_000 + i * 1_000),
                  subject: null
                },
                {
                  customer_id: id,
                  event_id: `${period}/storage`,
                  metric: "storage_gb",
                  occurred_at: `${period}-20T12:00:00Z`,
                  quantity: String(50 + (i % 900)),
                  subject: null
                },
                {
                  customer_id: id,
                  event_id: `${period}/scan`,
                  metric: "compliance_scans",
                  occurred_at: `${period}-02T12:00:00Z`,
                  quantity: String(1 + (i % 40)),
                  subject: null
                }
              ]
            )
          )
        )}`
    )
  const periods = configs.map((_, i) => `2026-${String(10 - i).padStart(2, "0")}` as Period.Period)
  for (const p of periods) yield* usage(p)
  // Only the seeded tables: analysing the empty audit_events would make the chain trigger's cached
  // plan a sequential scan for the whole run (quadratic), which no long-lived database sees.
  yield* sql`ANALYZE customers, usage_events`
  console.log(
    `seeded ${customers.toLocaleString("en-US")} customers × ${periods.length} months in ${seconds(performance.now() - t0)} s`
  )

  const backend = (yield* sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`)[0]!.pid
  const postmaster = parentOf(backend)
  const pgCpu = () => (postmaster === undefined ? Number.NaN : clusterCpuMillis(postmaster))
  const perInvoice = (ms: number, n: number) => (Number.isNaN(ms) ? "n/a" : (ms / n).toFixed(2))

  const rows: Array<Record<string, string>> = []
  const rates: Array<number> = []
  for (const [i, [concurrency, batchSize, numberEvery]] of configs.entries()) {
    const period = periods[i]!
    const node0 = process.cpuUsage()
    const pg0 = pgCpu()
    const start = performance.now()
    const summary = yield* BillingRun.run({
      period,
      concurrency,
      batchSize,
      ...(numberEvery === undefined ? {} : { numberEvery })
    })
    const ms = performance.now() - start
    const node = process.cpuUsage(node0)
    const pgMs = pgCpu() - pg0
    if (summary.billed !== customers || summary.failures.length > 0)
      throw new Error(
        `expected ${customers} invoices, got ${summary.billed} (${summary.failures.length} failures)`
      )
    rates.push((customers * 1000) / ms)
    rows.push({
      what:
        batchSize === 1
          ? `billing run, a transaction per customer, ${concurrency} in flight${
              numberEvery === undefined ? "" : `, numbered in blocks of ${numberEvery}`
            }`
          : `billing run, batches of ${batchSize}, ${concurrency} in flight`,
      rows: `${customers} invoices`,
      seconds: seconds(ms),
      "invoices/s": Math.round((customers * 1000) / ms).toLocaleString("en-US"),
      "node CPU ms/invoice": perInvoice((node.user + node.system) / 1000, customers),
      "PG CPU ms/invoice": perInvoice(pgMs, customers)
    })
  }

  // The ceiling: the rows of the last run, bulk-inserted into constraint-free copies.
  const period = periods[periods.length - 1]!
  const copy = ["invoices", "invoice_lines", "notifications", "audit_events"]
  for (const t of copy)
    yield* sql.unsafe(`CREATE TABLE bench_${t} (LIKE ${t} INCLUDING DEFAULTS INCLUDING COMPRESSION)`)
  const invoices = yield* sql`SELECT * FROM invoices WHERE period = ${period}`
  const lines =
    yield* sql`SELECT l.* FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id WHERE i.period = ${period}`
  const notifications =
    yield* sql`SELECT n.* FROM notifications n WHERE n.payload->'data'->>'invoiceId' IN (SELECT id::text FROM invoices WHERE period = ${period})`
  const audits =
    yield* sql`SELECT a.* FROM audit_events a WHERE a.subject_id IN (SELECT id::text FROM invoices WHERE period = ${period})`
  const node0 = process.cpuUsage()
  const pg0 = pgCpu()
  const start = performance.now()
  const sets: Array<[string, ReadonlyArray<Record<string, unknown>>]> = [
    ["bench_invoices", invoices],
    ["bench_invoice_lines", lines],
    ["bench_notifications", notifications],
    ["bench_audit_events", audits]
  ]
  for (const [table, data] of sets) {
    for (const part of chunks(data, 1000)) {
      yield* sql`INSERT INTO ${sql(table)} ${sql.insert(nonEmpty(part.map(plain)))}`
    }
  }
  const ms = performance.now() - start
  const node = process.cpuUsage(node0)
  const pgMs = pgCpu() - pg0
  rows.push({
    what: "ceiling: plain bulk insert of the same rows",
    rows: `${invoices.length} invoices, ${lines.length} lines, ${notifications.length} mails, ${audits.length} audits`,
    seconds: seconds(ms),
    "invoices/s": Math.round((invoices.length * 1000) / ms).toLocaleString("en-US"),
    "node CPU ms/invoice": perInvoice((node.user + node.system) / 1000, invoices.length),
    "PG CPU ms/invoice": perInvoice(pgMs, invoices.length)
  })
  console.log(
    `billing benchmark, Node ${process.version}, ${new Date().toISOString()}, PostgreSQL at ${new URL(base).host}, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`
  )
  console.table(rows)
  const ceiling = (invoices.length * 1000) / ms
  for (const [i, [concurrency, batchSize, numberEvery]] of configs.entries())
    console.log(
      `${concurrency}x${batchSize}${numberEvery === undefined ? "" : `n${numberEvery}`}: ${((100 * rates[i]!) / ceiling).toFixed(0)}% of the ceiling`
    )
})

await admin(Effect.flatMap(SqlClient.SqlClient, (sql) => sql.unsafe(`CREATE DATABASE ${name}`)))
try {
  const poolSize = Math.max(...configs.map(([c]) => c)) + 2
  const layer = Layer.mergeAll(
    PgTenancy.layer,
    PgCustomerRepo.layer,
    PgInvoiceRepo.layer,
    PgUsageEventRepo.layer,
    PgAuditLog.layer,
    PgBilling.layer
  ).pipe(Layer.provideMerge(pg(urlOf(name), poolSize)))
  await Effect.runPromise(Effect.scoped(Effect.provide(program, layer)) as Effect.Effect<void>)
} finally {
  if (process.env.BENCH_KEEP === "1") console.log(`kept database ${name}`)
  else
    await admin(
      Effect.flatMap(SqlClient.SqlClient, (sql) => sql.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))
    )
}
