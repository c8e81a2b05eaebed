/**
 * The Lambda API handler flushes the counted credential uses (`auth.used`) at the end of each
 * invocation: Lambda freezes the container once the result is returned, and the recorder's
 * interval flush with it. On the PostgreSQL server in DATABASE_URL (a scratch database), with
 * AWS's HTTP API payload 2.0 sample event and an interval of one hour, so that only the
 * invocation's own flush can have written the record.
 */
import { assert, describe, it } from "@effect/vitest"
import { PgDatabase } from "@securebase/adapters"
import { Effect, Redacted } from "effect"
import { SqlClient } from "effect/sql"
import * as ApiHandler from "../../src/lambda/ApiHandler.ts"
import * as Container from "../../src/lambda/Container.ts"
import { scratchDatabase } from "../support/ServerProcesses.ts"
import { httpApiEvent } from "./Events.ts"

const databaseUrl = process.env.DATABASE_URL ?? ""

/** The `auth.used` events of a key, read as the privileged login (no tenant context). */
const usesOf = (url: string, keyId: string) =>
  Effect.scoped(
    Effect.provide(
      Effect.flatMap(
        SqlClient.SqlClient,
        (sql) => sql<{ customer_id: string; payload: { count: number; method: string; keyId: string } }>`
          SELECT customer_id::text, payload FROM audit_events
          WHERE action = 'auth.used' AND subject_id = ${keyId} ORDER BY seq`
      ),
      PgDatabase.layer({ _tag: "Server", url: Redacted.make(url), maxConnections: 1 })
    )
  )

/** A container and its API handler on `url`, released with the scope. */
const lambdaOn = (url: string) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const container = Container.make({
        env: () => ({ DATABASE_URL: url, SEED_DEMO: "true", AUTH_USE_FLUSH_INTERVAL: "1 hour" })
      })
      return { container, api: ApiHandler.make(container, { logRequests: false }) }
    }),
    ({ api, container }) => Effect.promise(() => api.dispose().then(() => container.dispose()))
  )

describe.runIf(databaseUrl !== "")("ApiHandler: credential uses flushed per invocation [server]", () => {
  it.live(
    "after one invocation the auth.used record exists, without waiting for the hour-long interval",
    () =>
      Effect.gen(function* () {
        const url = yield* scratchDatabase(databaseUrl)
        const { api, container } = yield* lambdaOn(url)
        // The cold start (an unauthenticated request) counts nothing, and its flush writes nothing.
        const health = yield* Effect.promise(() =>
          api.handler(httpApiEvent({ method: "GET", path: "/health" }))
        )
        assert.strictEqual(health.statusCode, 200)
        const tenant = (yield* Effect.promise(() => container.get())).tenants[1]!
        const keyId = tenant.apiKey.split("_")[2]!
        assert.deepStrictEqual(yield* usesOf(url, keyId), [])

        const bearer = { authorization: `Bearer ${tenant.apiKey}` }
        const first = yield* Effect.promise(() =>
          api.handler(httpApiEvent({ method: "GET", path: "/invoices", headers: bearer }))
        )
        assert.strictEqual(first.statusCode, 200)
        const afterOne = yield* usesOf(url, keyId)
        assert.strictEqual(afterOne.length, 1)
        assert.strictEqual(afterOne[0]!.customer_id, tenant.customer.id)
        assert.strictEqual(afterOne[0]!.payload.count, 1)
        assert.strictEqual(afterOne[0]!.payload.method, "api_key")
        assert.strictEqual(afterOne[0]!.payload.keyId, keyId)

        // Each invocation appends its own use: nothing is left pending for a frozen container.
        const second = yield* Effect.promise(() =>
          api.handler(httpApiEvent({ method: "GET", path: "/metrics", headers: bearer }))
        )
        assert.strictEqual(second.statusCode, 200)
        const afterTwo = yield* usesOf(url, keyId)
        assert.deepStrictEqual(
          afterTwo.map((u) => u.payload.count),
          [1, 1]
        )

        // A refused credential is no use: its invocation flushes nothing more.
        const refused = yield* Effect.promise(() =>
          api.handler(
            httpApiEvent({
              method: "GET",
              path: "/invoices",
              headers: { authorization: `Bearer ${tenant.apiKey.slice(0, -4)}aaaa` }
            })
          )
        )
        assert.strictEqual(refused.statusCode, 401)
        assert.strictEqual((yield* usesOf(url, keyId)).length, 2)
      }).pipe(Effect.scoped),
    120_000
  )
})
