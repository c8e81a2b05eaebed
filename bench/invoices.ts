/**
 * `GET /invoices` with an API key on the real PostgreSQL in DATABASE_URL, against two baselines
 * measured in the same run:
 * - cost growth: the same request for a customer with 2,000 invoices in its history and for one
 *   with 3 (target: p50 within 1.2×), and for the large one with `?limit=3` (the same page size
 *   as the small one's, so only the history differs);
 * - the database: pgbench running the SQL one such request runs (one statement,
 *   `app_invoice_page`: the credential check, the tenant and the page, migration 0023), with the
 *   same number of connections (target: the app at ≥ 50%).
 * - tenant growth: the same request with 100 tenants in the database, then with BENCH_TENANTS
 *   (default 100,000; 0 skips it), every added tenant a copy of the 3-invoice one with its 3
 *   invoices and their lines (bulk-inserted as the privileged login) (target: p50 within 1.2×).
 * The app runs in its own process (`bench/support/app-server.ts`), autocannon drives it from this
 * one; a scratch database is created, seeded and dropped. Each row also reports the app process's
 * CPU milliseconds per request, which a machine shared with other work does not distort the way
 * it distorts throughput.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5435/postgres npx node bench/invoices.ts
 *
 * BENCH_SECONDS (default 10) per row, BENCH_CONNECTIONS (default 16), BENCH_HISTORY (default 2000);
 * BENCH_CPU_PROF=<dir> runs the app under `node --cpu-prof` and writes its profile there on exit.
 */
import { execFileSync } from "node:child_process"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import autocannon from "autocannon"
import { ConfigProvider, DateTime, Effect, Layer, Redacted, Schema } from "effect"
import { SqlClient } from "effect/sql"
import * as ServerConfig from "../packages/app/src/Config.ts"
import { servicesLayer } from "../packages/app/src/Layers.ts"
import {
  ApiKey,
  Authenticator,
  Customer,
  CustomerRepo,
  Ids,
  type Invoice,
  InvoiceRepo,
  Invoicing,
  Metric,
  Period,
  PriceBook,
  Tax,
  Tenancy,
  Usage
} from "../packages/core/src/index.ts"
import { cpuMillis } from "./support/cpu.ts"
import { on, serverUrl, start, withScratchDatabase } from "./support/scratch.ts"

const base = serverUrl("bench/invoices.ts")
const seconds = Number(process.env.BENCH_SECONDS ?? 10)
const connections = Number(process.env.BENCH_CONNECTIONS ?? 16)
const history = Number(process.env.BENCH_HISTORY ?? 2000)
const tenants = Number(process.env.BENCH_TENANTS ?? 100_000)
const at = DateTime.makeUnsafe("2026-10-15T12:00:00Z")

/** A customer with `count` issued invoices, one a month back from 2026-10, and an API key. */
const customerWithHistory = (count: number, firstNumber: number) =>
  Effect.gen(function* () {
    const id = Schema.decodeSync(Ids.CustomerId)(crypto.randomUUID())
    const tenancy = yield* Tenancy.Tenancy
    yield* tenancy.runAs(
      id,
      CustomerRepo.CustomerRepo.use((r) =>
        r.insert(
          new Customer.Customer({
            id,
            name: `Bench ${count}`,
            email: "bench@invoices.test",
            plan: "fintech",
            status: "active",
            taxProfile: { jurisdiction: "US" },
            netDays: 30
          })
        )
      )
    )
    const usage = yield* Usage.metrics(Metric.defaultCatalog, { api_calls: "1200000", storage_gb: "310.25" })
    const template = yield* Invoicing.priceInvoice({
      invoiceId: Schema.decodeSync(Ids.InvoiceId)(crypto.randomUUID()),
      customerId: id,
      plan: "fintech",
      taxProfile: { jurisdiction: "US" },
      period: Schema.decodeSync(Period.Period)("2026-10"),
      priceBook: PriceBook.referenceCard,
      taxRules: Tax.referenceCard,
      usage,
      createdAt: at
    })
    const invoices = Array.from({ length: count }, (_, i): Invoice.Invoice => {
      const month = 2026 * 12 + 9 - i
      return {
        ...template,
        id: Schema.decodeSync(Ids.InvoiceId)(crypto.randomUUID()),
        period: Period.make(Math.floor(month / 12), (month % 12) + 1),
        status: "issued",
        number: `INV-2026-${String(firstNumber + i).padStart(6, "0")}` as Invoice.InvoiceNumber,
        issuedAt: at,
        dueAt: at
      }
    })
    yield* tenancy.runAs(
      id,
      InvoiceRepo.InvoiceRepo.use((r) =>
        Effect.forEach(invoices, (invoice) => r.insert(invoice), { discard: true })
      )
    )
    const created = yield* Authenticator.Authenticator.use((a) =>
      a.createKey({ customerId: id, name: "bench", scopes: ApiKey.allScopes })
    )
    return { id, keyId: created.key.id, key: Redacted.value(created.plaintext) }
  })

const seed = (url: string) =>
  Effect.runPromise(
    Effect.gen(function* () {
      const config = yield* ServerConfig.load.pipe(
        Effect.provideService(
          ConfigProvider.ConfigProvider,
          ConfigProvider.fromEnv({ env: { DATABASE_URL: url, SEED_DEMO: "false" } })
        )
      )
      return yield* Effect.all({
        small: customerWithHistory(3, 100_000),
        large: customerWithHistory(history, 200_000)
      }).pipe(Effect.provide(Layer.fresh(servicesLayer(config))))
    }).pipe(Effect.scoped, Effect.orDie)
  )

await withScratchDatabase(base, async (url) => {
  const seeded = await seed(url)
  // Statistics, as autovacuum keeps them on a live database: without them the planner expects a
  // handful of invoices per customer and reads and sorts the whole 2,000-invoice history for a
  // page of 21 instead of walking the index (what made the cost grow with the history before).
  await on(
    url,
    Effect.flatMap(SqlClient.SqlClient, (sql) => sql`ANALYZE`)
  )
  const profile = process.env.BENCH_CPU_PROF
  const app = await start(
    [
      ...(profile === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${profile}`]),
      "bench/support/app-server.ts"
    ],
    { DATABASE_URL: url, PORT: "0", SEED_DEMO: "false" },
    /listening (\d+)/
  )
  const target = `http://127.0.0.1:${app.match[1]}/invoices`
  try {
    const run = async (name: string, key: string, query = "") => {
      const cpuBefore = cpuMillis(app.child.pid!)
      const result = await autocannon({
        url: `${target}${query}`,
        connections,
        duration: seconds,
        headers: { authorization: `Bearer ${key}` }
      })
      return {
        task: name,
        "req/s": Math.round(result.requests.average),
        "p50 ms": result.latency.p50,
        "p99 ms": result.latency.p99,
        "app CPU ms/req": (
          (cpuMillis(app.child.pid!) - cpuBefore) /
          Math.max(result.requests.total, 1)
        ).toFixed(2),
        non2xx: result.non2xx,
        errors: result.errors
      }
    }
    // Warm the key caches and the connection pool.
    await run("warm-up", seeded.small.key)
    const small = await run("GET /invoices, 3 invoices in the history", seeded.small.key)
    const large = await run(
      `GET /invoices, ${history.toLocaleString("en-US")} invoices in the history`,
      seeded.large.key
    )
    // The same page size as the 3-invoice customer's: what the history alone costs.
    const largeSamePage = await run(
      `GET /invoices?limit=3, ${history.toLocaleString("en-US")} invoices in the history`,
      seeded.large.key,
      "?limit=3"
    )

    // The SQL of one request of the large customer, as pgbench runs it: the app's one statement
    // (`InvoiceRepo.listPageAs`), with its arguments (a key, no session, a page of 20 + 1).
    const script = join(mkdtempSync(join(tmpdir(), "sb-bench-")), "invoices.sql")
    writeFileSync(
      script,
      [
        // No colons: pgbench would read them as its variables (hence CAST, and chr(58) for the actor's).
        `SELECT * FROM app_invoice_page(CAST('${seeded.large.id}' AS uuid), CAST('${seeded.large.keyId}' AS text), CAST(NULL AS text), CAST(now() AS timestamptz), CAST('api_key' || chr(58) || '${seeded.large.keyId}' AS text), CAST(NULL AS text), CAST(NULL AS text), CAST(NULL AS text), CAST(NULL AS uuid), CAST(21 AS integer));`,
        ""
      ].join("\n")
    )
    const pgbench = execFileSync(
      "pgbench",
      [
        "-n",
        "-M",
        "prepared",
        "-c",
        String(connections),
        "-j",
        "2",
        "-T",
        String(seconds),
        "-f",
        script,
        url
      ],
      { encoding: "utf8" }
    )
    const tps = Number(/tps = ([\d.]+)/.exec(pgbench)![1])
    const pgLatency = Number(/latency average = ([\d.]+) ms/.exec(pgbench)![1])
    console.log(
      `GET /invoices benchmark, Node ${process.version}, ${connections} connections, ${seconds} s a row, PostgreSQL at ${new URL(base).host}, ${new Date().toISOString()}`
    )
    console.table([
      small,
      large,
      largeSamePage,
      {
        task: "baseline: pgbench, the same SQL (one statement: app_invoice_page)",
        "req/s": Math.round(tps),
        "p50 ms": `${pgLatency} (average)`,
        "p99 ms": "",
        "app CPU ms/req": "",
        non2xx: 0,
        errors: 0
      }
    ])
    console.log(
      `p50 with ${history} invoices / p50 with 3: ${(large["p50 ms"] / Math.max(small["p50 ms"], 0.001)).toFixed(2)}x (target ≤ 1.2x; pages of 20 vs 3 invoices), ${(largeSamePage["p50 ms"] / Math.max(small["p50 ms"], 0.001)).toFixed(2)}x with pages of 3 both`
    )
    console.log(
      `app / pgbench (large customer): ${((100 * large["req/s"]) / tps).toFixed(0)}% (target ≥ 50%)`
    )

    if (tenants > 0) {
      // Copies of the small tenant (customer row, its invoices as drafts, their lines), schema-agnostic.
      const addTenants = (count: number) =>
        on(
          url,
          Effect.flatMap(SqlClient.SqlClient, (sql) =>
            Effect.andThen(
              sql.withTransaction(
                Effect.gen(function* () {
                  yield* sql`CREATE TEMP TABLE new_tenants ON COMMIT DROP AS
                    SELECT gen_random_uuid() AS id, g FROM generate_series(1, ${count}) g`
                  // Statistics before the joins: without them the planner scanned all invoices per
                  // new tenant (quadratic).
                  yield* sql`ANALYZE new_tenants`
                  yield* sql`INSERT INTO customers
                    SELECT (jsonb_populate_record(NULL::customers, to_jsonb(c) ||
                      jsonb_build_object('id', t.id, 'name', 'Tenant ' || t.g))).*
                    FROM customers c, new_tenants t WHERE c.id = ${seeded.small.id}`
                  yield* sql`INSERT INTO invoices
                    SELECT (jsonb_populate_record(NULL::invoices, to_jsonb(i) || jsonb_build_object(
                      'id', gen_random_uuid(), 'customer_id', t.id, 'status', 'draft', 'number', NULL,
                      'issued_at', NULL, 'due_at', NULL))).*
                    FROM invoices i, new_tenants t WHERE i.customer_id = ${seeded.small.id}`
                  yield* sql`ANALYZE invoices`
                  yield* sql`INSERT INTO invoice_lines
                    SELECT (jsonb_populate_record(NULL::invoice_lines, to_jsonb(l) || jsonb_build_object(
                      'invoice_id', n.id, 'customer_id', n.customer_id))).*
                    FROM new_tenants t
                    JOIN invoices n ON n.customer_id = t.id
                    JOIN invoices i ON i.customer_id = ${seeded.small.id} AND i.period = n.period
                    JOIN invoice_lines l ON l.invoice_id = i.id`
                })
              ),
              sql`ANALYZE`
            )
          )
        )
      await addTenants(100 - 2)
      const few = await run(
        "GET /invoices, 2,000-invoice tenant, 100 tenants in the database",
        seeded.large.key
      )
      // Printed at once: loading the many tenants takes minutes on a loaded machine.
      console.log(few)
      const started = performance.now()
      await addTenants(tenants - 100)
      const loaded = ((performance.now() - started) / 1000).toFixed(0)
      const many = await run(
        `GET /invoices, 2,000-invoice tenant, ${tenants.toLocaleString("en-US")} tenants in the database`,
        seeded.large.key
      )
      console.table([few, many])
      console.log(
        `p50 with ${tenants} tenants / p50 with 100: ${(many["p50 ms"] / Math.max(few["p50 ms"], 0.001)).toFixed(2)}x (target ≤ 1.2x; ${tenants - 100} tenants added in ${loaded} s)`
      )
    }
  } finally {
    // SIGINT: node writes its --cpu-prof profile on a clean exit.
    app.child.kill(profile === undefined ? "SIGTERM" : "SIGINT")
  }
})
