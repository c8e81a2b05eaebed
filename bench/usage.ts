/**
 * Usage ingestion over HTTP on the real PostgreSQL in DATABASE_URL: `POST /usage/events` with
 * batches of 1,000 new events (sequentially, and from 4 clients at once), and resends of a stored
 * batch (every event a duplicate). The app runs in this process on an ephemeral port, on a
 * database of its own (`sb_bench_<random>`, dropped at the end).
 *
 * The ceiling, measured in the same run on the same table: the same number of new rows of the
 * same shape written by the database's own bulk paths, as the privileged login (no HTTP, no
 * validation, no idempotency check): plain multi-row INSERTs of 1,000 rows from 4 connections, and
 * one `COPY ... FROM STDIN` through psql.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx node bench/usage.ts
 *
 * BENCH_BATCHES (default 100) batches per row (20 ran for about a second: too short to be stable).
 */
import { execFileSync } from "node:child_process"
import { writeFileSync } from "node:fs"
import { createServer } from "node:http"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { NodeHttpServer } from "@effect/platform-node"
import { type Array as Arr, ConfigProvider, Context, Effect, Layer, Redacted } from "effect"
import { HttpRouter, HttpServer } from "effect/http"
import { SqlClient } from "effect/sql"
import * as PgDatabase from "../packages/adapters/src/postgres/Database.ts"
import * as Migrator from "../packages/adapters/src/postgres/Migrator.ts"
import * as Roles from "../packages/adapters/src/postgres/Roles.ts"
import * as ServerConfig from "../packages/app/src/Config.ts"
import { routesLayer, servicesLayer } from "../packages/app/src/Layers.ts"
import {
  ApiKey,
  Authenticator,
  Customer,
  CustomerRepo,
  type Ids,
  Tenancy
} from "../packages/core/src/index.ts"

const base = process.env.DATABASE_URL
if (base === undefined || base === "") {
  console.error(
    "bench/usage.ts needs DATABASE_URL (a PostgreSQL server; the database is created and dropped)"
  )
  process.exit(2)
}
const batches = Number(process.env.BENCH_BATCHES ?? 100)
const batchSize = 1000
const name = `sb_bench_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`
const urlOf = (database: string) => {
  const url = new URL(base)
  url.pathname = `/${database}`
  return url.toString()
}
const on = <A, E>(url: string, effect: Effect.Effect<A, E, SqlClient.SqlClient>) =>
  Effect.runPromise(
    Effect.scoped(
      Effect.provide(effect, PgDatabase.layer({ _tag: "Server", url: Redacted.make(url), maxConnections: 1 }))
    ) as Effect.Effect<A>
  )

const post = async (url: string, key: string, events: ReadonlyArray<Record<string, string>>) => {
  const response = await fetch(`${url}/usage/events`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ events })
  })
  if (response.status !== 200) throw new Error(`${response.status}: ${await response.text()}`)
  await response.arrayBuffer()
}

// One instant for every batch, so a resent batch is the same events.
const now = Date.now()
const batch = (prefix: string) => {
  return Array.from({ length: batchSize }, (_, i) => ({
    id: `${prefix}-${i.toString().padStart(4, "0")}`,
    metric: "api_calls",
    occurredAt: new Date(now - i * 1000).toISOString(),
    quantity: "1"
  }))
}

const program = Effect.gen(function* () {
  const config = yield* ServerConfig.load.pipe(
    Effect.provideService(
      ConfigProvider.ConfigProvider,
      ConfigProvider.fromEnv({
        env: { DATABASE_URL: urlOf(name), SEED_DEMO: "false", RATE_LIMIT_REQUESTS: "100000000" }
      })
    )
  )
  const context = yield* Layer.build(
    HttpRouter.serve(routesLayer(config), { disableLogger: true }).pipe(
      Layer.provideMerge(NodeHttpServer.layer(createServer, { port: 0, host: "127.0.0.1" })),
      Layer.provideMerge(servicesLayer(config))
    )
  )
  const address = Context.get(context, HttpServer.HttpServer).address
  if (address._tag === "UnixPathAddress") return yield* Effect.die("expected a TCP address")
  const url = `http://127.0.0.1:${address.port}`
  const id = crypto.randomUUID() as Ids.CustomerId
  const key = yield* Effect.gen(function* () {
    yield* Tenancy.Tenancy.use((t) =>
      t.runAs(
        id,
        CustomerRepo.CustomerRepo.use((r) =>
          r.insert(
            new Customer.Customer({
              id,
              name: "Bench",
              email: "bench@usage.test",
              plan: "standard",
              status: "active",
              taxProfile: {},
              netDays: 30
            })
          )
        )
      )
    )
    const created = yield* Authenticator.Authenticator.use((a) =>
      a.createKey({ customerId: id, name: "bench", scopes: ApiKey.allScopes })
    )
    return Redacted.value(created.plaintext)
  }).pipe(Effect.provide(context))
  yield* Effect.promise(() => post(url, key, batch("warm-up")))

  const rows: Array<Record<string, string>> = []
  const rates: Array<number> = []
  const measure = async (what: string, events: number, run: () => Promise<void>) => {
    const start = performance.now()
    await run()
    const ms = performance.now() - start
    rates.push((events * 1000) / ms)
    rows.push({
      what,
      events: events.toLocaleString("en-US"),
      seconds: (ms / 1000).toFixed(2),
      "events/s": Math.round((events * 1000) / ms).toLocaleString("en-US")
    })
  }
  yield* Effect.promise(async () => {
    await measure(
      `${batches} batches of ${batchSize} new events, one client`,
      batches * batchSize,
      async () => {
        for (let b = 0; b < batches; b++) await post(url, key, batch(`seq-${b}`))
      }
    )
    await measure(
      `${batches} batches of ${batchSize} new events, 4 clients`,
      batches * batchSize,
      async () => {
        await Promise.all(
          Array.from({ length: 4 }, async (_, c) => {
            for (let b = c; b < batches; b += 4) await post(url, key, batch(`par-${b}`))
          })
        )
      }
    )
    await measure(
      `${batches} resends of a stored batch of ${batchSize} (all duplicates), one client`,
      batches * batchSize,
      async () => {
        for (let b = 0; b < batches; b++) await post(url, key, batch("seq-0"))
      }
    )
  })
  // The ceiling: the same number of rows, new ids, straight into the table.
  const rowsOf = (prefix: string) =>
    batch(prefix).map((e) => ({
      customer_id: id,
      event_id: e.id,
      metric: e.metric,
      occurred_at: e.occurredAt,
      quantity: e.quantity,
      subject: null
    }))
  yield* Effect.promise(() =>
    measure(
      `ceiling: ${batches} multi-row INSERTs of ${batchSize} rows, 4 connections`,
      batches * batchSize,
      () =>
        Effect.runPromise(
          Effect.scoped(
            Effect.provide(
              Effect.flatMap(SqlClient.SqlClient, (sql) =>
                Effect.forEach(
                  Array.from({ length: batches }, (_, b) => b),
                  (b) =>
                    sql`INSERT INTO usage_events ${sql.insert(
                      rowsOf(`ceiling-${b}`) as unknown as Arr.NonEmptyReadonlyArray<Record<string, unknown>>
                    )}`,
                  { concurrency: 4, discard: true }
                )
              ),
              PgDatabase.layer({ _tag: "Server", url: Redacted.make(urlOf(name)), maxConnections: 4 })
            )
          ) as Effect.Effect<void>
        )
    )
  )
  const csv = join(tmpdir(), `${name}.csv`)
  writeFileSync(
    csv,
    Array.from({ length: batches }, (_, b) =>
      rowsOf(`copy-${b}`)
        .map((r) => `${r.customer_id},${r.event_id},${r.metric},${r.occurred_at},${r.quantity}`)
        .join("\n")
    ).join("\n")
  )
  yield* Effect.promise(() =>
    measure(
      `ceiling: COPY of ${batches * batchSize} rows (psql, one connection)`,
      batches * batchSize,
      async () => {
        execFileSync("psql", [
          urlOf(name),
          "-qc",
          `\\copy usage_events (customer_id, event_id, metric, occurred_at, quantity) FROM '${csv}' CSV`
        ])
      }
    )
  )
  console.log(
    `usage ingestion benchmark, Node ${process.version}, ${new Date().toISOString()}, PostgreSQL at ${new URL(base).host}`
  )
  console.table(rows)
  const [, parallel, , inserts, copy] = rates
  console.log(
    `4 clients over HTTP: ${Math.round(parallel!)} events/s = ${((100 * parallel!) / inserts!).toFixed(0)}% of the multi-row INSERT ceiling, ${((100 * parallel!) / copy!).toFixed(0)}% of COPY (target: >= 20,000 events/s and >= 50%)`
  )
})

await on(
  base,
  Effect.flatMap(SqlClient.SqlClient, (sql) => sql.unsafe(`CREATE DATABASE ${name}`))
)
try {
  await on(urlOf(name), Effect.andThen(Roles.bootstrap, Migrator.run()))
  await Effect.runPromise(Effect.scoped(program) as Effect.Effect<void>)
} finally {
  await on(
    base,
    Effect.flatMap(SqlClient.SqlClient, (sql) => sql.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))
  )
}
