/**
 * Usage ingestion over HTTP on the real PostgreSQL in DATABASE_URL: `POST /usage/events` with
 * batches of 1,000 new events (sequentially, and from 4 clients at once), and resends of a stored
 * batch (every event a duplicate). The app runs in this process on an ephemeral port, on a
 * database of its own (`sb_bench_<random>`, dropped at the end).
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx node bench/usage.ts
 *
 * BENCH_BATCHES (default 20) batches per row.
 */
import { createServer } from "node:http"
import { NodeHttpServer } from "@effect/platform-node"
import { ConfigProvider, Context, Effect, Layer, Redacted } from "effect"
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
const batches = Number(process.env.BENCH_BATCHES ?? 20)
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
  const measure = async (what: string, events: number, run: () => Promise<void>) => {
    const start = performance.now()
    await run()
    const ms = performance.now() - start
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
  console.log(
    `usage ingestion benchmark, Node ${process.version}, ${new Date().toISOString()}, PostgreSQL at ${new URL(base).host}`
  )
  console.table(rows)
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
