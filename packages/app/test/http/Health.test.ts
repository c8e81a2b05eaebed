/**
 * `GET /health` on the PostgreSQL server in DATABASE_URL (a scratch database): 200 while the
 * database answers, with the report the `Health` schema describes; 503 `Unhealthy` with the same
 * report shape while it refuses connections; 200 again once it is back.
 */
import { assert, describe, it } from "@effect/vitest"
import { PgDatabase } from "@securebase/adapters"
import { Context, Effect, Layer, Redacted } from "effect"
import { SqlClient } from "effect/sql"
import { scratchDatabase } from "../support/ServerProcesses.ts"
import { call, TestServer } from "../support/TestServer.ts"

const databaseUrl = process.env.DATABASE_URL ?? ""

/** Runs `statement` on the server's maintenance database. */
const onServer = (statement: string) =>
  Effect.scoped(
    Effect.provide(
      Effect.flatMap(SqlClient.SqlClient, (sql) => sql.unsafe(statement)),
      PgDatabase.layer({ _tag: "Server", url: Redacted.make(databaseUrl), maxConnections: 1 })
    )
  ).pipe(Effect.orDie)

describe.runIf(databaseUrl !== "")("GET /health [server]", () => {
  it.live(
    "200 with the schema's bytes while the database answers, 503 Unhealthy while it refuses, 200 once it is back",
    () =>
      Effect.gen(function* () {
        const url = yield* scratchDatabase(databaseUrl)
        const name = new URL(url).pathname.slice(1)
        const server = Context.get(yield* Layer.build(TestServer.layer({ DATABASE_URL: url })), TestServer)

        const up = yield* call(server.url, "GET", "/health")
        assert.strictEqual(up.status, 200)
        assert.strictEqual(up.headers.get("content-type"), "application/json")
        assert.deepStrictEqual(Object.keys(up.body), ["status", "database", "profile", "version", "time"])
        assert.strictEqual(up.body.status, "ok")
        assert.deepStrictEqual(Object.keys(up.body.database), ["status", "kind", "latencyMs"])
        assert.deepInclude(up.body.database, { status: "up", kind: "postgres" })
        assert.strictEqual(new Date(up.body.time).toISOString(), up.body.time)
        // Compact JSON, as the endpoint's schema encoding writes it.
        assert.strictEqual(new TextDecoder().decode(up.bytes), JSON.stringify(up.body))

        // The database refuses new connections and drops the app's: the next ping fails.
        yield* onServer(`ALTER DATABASE ${name} WITH ALLOW_CONNECTIONS false`)
        yield* onServer(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${name}' AND pid <> pg_backend_pid()`
        )
        yield* Effect.sleep("1100 millis")
        const down = yield* call(server.url, "GET", "/health")
        yield* onServer(`ALTER DATABASE ${name} WITH ALLOW_CONNECTIONS true`)
        assert.strictEqual(down.status, 503)
        assert.strictEqual(down.body._tag, "Unhealthy")
        assert.strictEqual(down.body.status, "degraded")
        assert.deepInclude(down.body.database, { status: "down", kind: "postgres" })

        yield* Effect.sleep("1100 millis")
        const back = yield* call(server.url, "GET", "/health")
        assert.strictEqual(back.status, 200)
        assert.strictEqual(back.body.status, "ok")
      }).pipe(Effect.scoped),
    180_000
  )
})
