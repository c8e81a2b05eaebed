/**
 * Logout and refusals after authentication, over real HTTP on the embedded PGlite: a session
 * logged out is refused; changes made behind the authenticator's back (an operator's SQL) are
 * refused at once although this process's cache still vouches for the key, because every tenant
 * transaction re-checks the request's credential in the database.
 */
import { assert, describe, layer } from "@effect/vitest"
import { Effect } from "effect"
import { SqlClient } from "effect/sql"
import { call, TestServer } from "../support/TestServer.ts"

const send = (method: string, path: string, token?: string) =>
  TestServer.use((s) => call(s.url, method, path, token === undefined ? {} : { token }))
const verdict = (path: string, token: string) =>
  Effect.map(send("GET", path, token), (r) => (r.status === 200 ? "ok" : `${r.status} ${r.body.code}`))
const exchange = (key: string) =>
  Effect.map(send("POST", "/auth/authenticate", key), (r) => {
    assert.strictEqual(r.status, 200)
    return r.body.token as string
  })
/** Runs SQL as the test's privileged login, as an operator would. */
const operator = (statement: (sql: SqlClient.SqlClient) => Effect.Effect<unknown, unknown>) =>
  TestServer.use((s) =>
    Effect.provide(Effect.flatMap(SqlClient.SqlClient, statement), s.services).pipe(Effect.orDie)
  )

layer(TestServer.layer(), { timeout: 300_000, excludeTestServices: true })("auth over the API", (it) => {
  describe("POST /auth/logout", () => {
    it.effect("ends the session presented (204), for good; the key and its other sessions go on", () =>
      Effect.gen(function* () {
        const key = yield* TestServer.use((s) => Effect.succeed(s.tenants[0]!.apiKey))
        const out = yield* exchange(key)
        const other = yield* exchange(key)
        assert.strictEqual(yield* verdict("/invoices", out), "ok")
        const r = yield* send("POST", "/auth/logout", out)
        assert.strictEqual(r.status, 204)
        assert.strictEqual(r.bytes.length, 0)
        assert.strictEqual(yield* verdict("/invoices", out), "401 AUTH.SESSION_REVOKED")
        const again = yield* send("POST", "/auth/logout", out)
        assert.deepStrictEqual([again.status, again.body.code], [401, "AUTH.SESSION_REVOKED"])
        assert.strictEqual(yield* verdict("/invoices", other), "ok")
        assert.strictEqual(yield* verdict("/invoices", key), "ok")
      })
    )

    it.effect("an API key is not a session (400, and the key stays valid); no credential is 401", () =>
      Effect.gen(function* () {
        const key = yield* TestServer.use((s) => Effect.succeed(s.tenants[0]!.apiKey))
        const withKey = yield* send("POST", "/auth/logout", key)
        assert.deepStrictEqual([withKey.status, withKey.body.code], [400, "AUTH.SESSION_REQUIRED"])
        assert.strictEqual(yield* verdict("/invoices", key), "ok")
        const anonymous = yield* send("POST", "/auth/logout")
        assert.strictEqual(anonymous.status, 401)
      })
    )
  })

  describe("changes made behind the authenticator's back", () => {
    it.effect("a key revoked in SQL kept working from the cache: refused at once, its sessions too", () =>
      Effect.gen(function* () {
        const key = yield* TestServer.use((s) => Effect.succeed(s.tenants[1]!.apiKey))
        const session = yield* exchange(key)
        assert.strictEqual(yield* verdict("/metrics", key), "ok", "cached now")
        const keyId = key.split("_")[2]!
        yield* operator((sql) =>
          sql.withTransaction(
            Effect.andThen(
              sql`SELECT set_config('app.api_key_id', ${keyId}, true)`,
              sql`UPDATE api_keys SET revoked_at = now() WHERE id = ${keyId}`
            )
          )
        )
        for (const path of ["/metrics", "/invoices", "/api-keys", "/compliance/status"])
          assert.strictEqual(yield* verdict(path, key), "401 AUTH.KEY_REVOKED", path)
        assert.strictEqual(yield* verdict("/invoices", session), "401 AUTH.SESSION_REVOKED")
      })
    )

    it.effect(
      "a customer suspended in SQL: its key and session are refused at once; reinstated, they work",
      () =>
        Effect.gen(function* () {
          const tenant = yield* TestServer.use((s) => Effect.succeed(s.tenants[2]!))
          const session = yield* exchange(tenant.apiKey)
          assert.strictEqual(yield* verdict("/invoices", tenant.apiKey), "ok")
          const setStatus = (status: string) =>
            operator((sql) =>
              sql.withTransaction(
                Effect.andThen(
                  sql`SELECT set_config('app.customer_id', ${tenant.customer.id}, true)`,
                  sql`UPDATE customers SET status = ${status} WHERE id = ${tenant.customer.id}`
                )
              )
            )
          yield* setStatus("suspended")
          assert.strictEqual(yield* verdict("/invoices", tenant.apiKey), "401 AUTH.CUSTOMER_INACTIVE")
          assert.strictEqual(yield* verdict("/support/tickets", session), "401 AUTH.CUSTOMER_INACTIVE")
          yield* setStatus("active")
          assert.strictEqual(yield* verdict("/invoices", tenant.apiKey), "ok")
          assert.strictEqual(yield* verdict("/support/tickets", session), "ok")
        })
    )
  })
})
