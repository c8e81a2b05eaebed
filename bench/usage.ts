/**
 * Usage ingestion over HTTP on the real PostgreSQL in DATABASE_URL: `POST /usage/events` with
 * batches of 1,000 new events (sequentially, and from 4 clients at once), and resends of a stored
 * batch (every event a duplicate). The app runs as `securebase serve` composes it, in a process of
 * its own (`bench/support/app-server.ts`), on a scratch database (`sb_bench_<random>`, dropped at
 * the end); this process only sends the requests, their bodies built before the clock starts.
 *
 * The ceiling, measured in the same run on the same table: the same number of new rows of the
 * same shape written by the database's own bulk paths, as the privileged login (no HTTP, no
 * validation, no idempotency check, no row-level security; the table's own constraints and
 * triggers still run): plain multi-row INSERTs of 1,000 rows from 4 connections, and one
 * `COPY ... FROM STDIN` through psql.
 *
 * Each row also reports CPU milliseconds per 1,000 events (`bench/support/cpu.ts`): the app
 * process's, and the PostgreSQL cluster's (every backend and background process, when the server
 * runs on this machine and its data directory is readable). On a shared machine those move far
 * less than throughput does.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx node bench/usage.ts
 *
 * BENCH_BATCHES (default 100) batches per row (20 ran for about a second: too short to be stable).
 * BENCH_CPU_PROF=<dir> runs the app under `node --cpu-prof` and writes its profile there on exit.
 */
import { execFileSync } from "node:child_process"
import { rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { type Array as Arr, ConfigProvider, Effect, Layer, Redacted } from "effect"
import { SqlClient } from "effect/sql"
import * as PgDatabase from "../packages/adapters/src/postgres/Database.ts"
import * as ServerConfig from "../packages/app/src/Config.ts"
import { servicesLayer } from "../packages/app/src/Layers.ts"
import {
  ApiKey,
  Authenticator,
  Customer,
  CustomerRepo,
  type Ids,
  Tenancy
} from "../packages/core/src/index.ts"
import { clusterCpuMillis, cpuMillis, postmasterPid } from "./support/cpu.ts"
import { on, serverUrl, start, withScratchDatabase } from "./support/scratch.ts"

const base = serverUrl("bench/usage.ts")
const batches = Number(process.env.BENCH_BATCHES ?? 100)
const batchSize = 1000
const profile = process.env.BENCH_CPU_PROF

// One instant for every batch, so a resent batch is the same events.
const now = Date.now()
const batch = (prefix: string) =>
  Array.from({ length: batchSize }, (_, i) => ({
    id: `${prefix}-${i.toString().padStart(4, "0")}`,
    metric: "api_calls",
    occurredAt: new Date(now - i * 1000).toISOString(),
    quantity: "1"
  }))
const body = (prefix: string) => JSON.stringify({ events: batch(prefix) })

/** A customer and an API key for it, written through the app's own services. */
const seed = (url: string) =>
  Effect.runPromise(
    Effect.gen(function* () {
      const config = yield* ServerConfig.load.pipe(
        Effect.provideService(
          ConfigProvider.ConfigProvider,
          ConfigProvider.fromEnv({ env: { DATABASE_URL: url, SEED_DEMO: "false" } })
        )
      )
      const id = crypto.randomUUID() as Ids.CustomerId
      return yield* Effect.gen(function* () {
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
        return { id, key: Redacted.value(created.plaintext) }
      }).pipe(Effect.provide(Layer.fresh(servicesLayer(config))))
    }).pipe(Effect.scoped, Effect.orDie)
  )

/** The cluster's CPU clock, when PostgreSQL runs on this machine and its data directory is readable. */
const postgresCpu = async (url: string): Promise<(() => number) | undefined> => {
  const directory = await on(
    url,
    Effect.flatMap(SqlClient.SqlClient, (sql) =>
      sql<{ setting: string }>`SELECT setting FROM pg_settings WHERE name = 'data_directory'`.pipe(
        Effect.map((rows) => rows[0]?.setting),
        Effect.orElseSucceed(() => undefined)
      )
    )
  )
  if (directory === undefined) return undefined
  const pid = Effect.runSync(Effect.option(Effect.try(() => postmasterPid(directory))))
  return pid._tag === "Some" ? () => clusterCpuMillis(pid.value) : undefined
}

await withScratchDatabase(base, async (url) => {
  const { id, key } = await seed(url)
  const pgCpu = await postgresCpu(url)
  const app = await start(
    [
      ...(profile === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${profile}`]),
      "bench/support/app-server.ts"
    ],
    { DATABASE_URL: url, PORT: "0", SEED_DEMO: "false" },
    /listening (\d+)/
  )
  const target = `http://127.0.0.1:${app.match[1]}/usage/events`
  const post = async (payload: string) => {
    const response = await fetch(target, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: payload
    })
    if (response.status !== 200) throw new Error(`${response.status}: ${await response.text()}`)
    await response.arrayBuffer()
  }

  const rows: Array<Record<string, string>> = []
  const rates: Array<number> = []
  const perThousand = (ms: number, events: number) => ((ms * 1000) / events).toFixed(1)
  const measure = async (what: string, events: number, run: () => Promise<void>, appPid?: number) => {
    const appBefore = appPid === undefined ? 0 : cpuMillis(appPid)
    const pgBefore = pgCpu?.() ?? 0
    const start = performance.now()
    await run()
    const ms = performance.now() - start
    // Connections the row closed (the ceilings') end in backends that exit a moment later.
    await new Promise((resolve) => setTimeout(resolve, 500))
    rates.push((events * 1000) / ms)
    rows.push({
      what,
      events: events.toLocaleString("en-US"),
      seconds: (ms / 1000).toFixed(2),
      "events/s": Math.round((events * 1000) / ms).toLocaleString("en-US"),
      "app CPU ms/1k": appPid === undefined ? "" : perThousand(cpuMillis(appPid) - appBefore, events),
      "PG CPU ms/1k": pgCpu === undefined ? "" : perThousand(pgCpu() - pgBefore, events)
    })
  }

  try {
    await post(body("warm-up"))
    const sequential = Array.from({ length: batches }, (_, b) => body(`seq-${b}`))
    await measure(
      `${batches} batches of ${batchSize} new events, one client`,
      batches * batchSize,
      async () => {
        for (const payload of sequential) await post(payload)
      },
      app.child.pid
    )
    const parallel = Array.from({ length: batches }, (_, b) => body(`par-${b}`))
    await measure(
      `${batches} batches of ${batchSize} new events, 4 clients`,
      batches * batchSize,
      async () => {
        await Promise.all(
          Array.from({ length: 4 }, async (_, c) => {
            for (let b = c; b < batches; b += 4) await post(parallel[b]!)
          })
        )
      },
      app.child.pid
    )
    await measure(
      `${batches} resends of a stored batch of ${batchSize} (all duplicates), one client`,
      batches * batchSize,
      async () => {
        for (let b = 0; b < batches; b++) await post(sequential[0]!)
      },
      app.child.pid
    )
  } finally {
    // SIGTERM exits the app cleanly, which is when `--cpu-prof` writes its profile.
    const exited = new Promise((resolve) => app.child.once("exit", resolve))
    app.child.kill("SIGTERM")
    await exited
  }

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
  await measure(
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
            PgDatabase.layer({ _tag: "Server", url: Redacted.make(url), maxConnections: 4 })
          )
        ) as Effect.Effect<void>
      )
  )
  const csv = join(tmpdir(), `sb_bench_usage_${process.pid}.csv`)
  writeFileSync(
    csv,
    Array.from({ length: batches }, (_, b) =>
      rowsOf(`copy-${b}`)
        .map((r) => `${r.customer_id},${r.event_id},${r.metric},${r.occurred_at},${r.quantity}`)
        .join("\n")
    ).join("\n")
  )
  await measure(
    `ceiling: COPY of ${batches * batchSize} rows (psql, one connection)`,
    batches * batchSize,
    async () => {
      execFileSync("psql", [
        url,
        "-qc",
        `\\copy usage_events (customer_id, event_id, metric, occurred_at, quantity) FROM '${csv}' CSV`
      ])
    }
  )
  rmSync(csv)
  console.log(
    `usage ingestion benchmark, Node ${process.version}, ${new Date().toISOString()}, PostgreSQL at ${new URL(base).host}`
  )
  console.table(rows)
  const [, parallel, , inserts, copy] = rates
  console.log(
    `4 clients over HTTP: ${Math.round(parallel!)} events/s = ${((100 * parallel!) / inserts!).toFixed(0)}% of the multi-row INSERT ceiling, ${((100 * parallel!) / copy!).toFixed(0)}% of COPY (target: >= 20,000 events/s and >= 50%)`
  )
})
