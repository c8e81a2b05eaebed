/**
 * `PgTenancy.runAs` with a credentialed `CurrentPrincipal`: the statement that opens the tenant
 * transaction also checks, in the database, that the credential may still act. Whatever a cache
 * believed, a revoked or expired key, a logged-out session, a session of a revoked key, a key
 * presented for another customer and a suspended, closed or deleted customer are refused, and the
 * refused transaction runs nothing.
 */
import { assert } from "@effect/vitest"
import { type ApiKey, type Ids, Tenancy } from "@securebase/core"
import { Cause, DateTime, Effect, Exit } from "effect"
import { SqlClient } from "effect/sql"
import { TestClock } from "effect/testing"
import * as PgTenancy from "../../src/postgres/PgTenancy.ts"
import * as Roles from "../../src/postgres/Roles.ts"
import * as Fixtures from "./support/Fixtures.ts"
import { suite, TestDatabase } from "./support/TestDatabase.ts"

const base32 = "abcdefghijklmnopqrstuvwxyz234567"
const newKeyId = () =>
  Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => base32[b % 32]).join("") as ApiKey.ApiKeyId
const newSessionId = () => Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64url")

/** A customer (active unless said otherwise) with one key, written directly as that customer. */
const seed = (options: { readonly status?: string; readonly keyExpiresAt?: string } = {}) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const tenancy = yield* PgTenancy.make
    const customerId = Fixtures.customerId()
    const keyId = newKeyId()
    yield* tenancy.runAs(
      customerId,
      Effect.gen(function* () {
        yield* sql`INSERT INTO customers (id, name, email, plan, status)
          VALUES (${customerId}, 'Acme', 'billing@acme.test', 'standard', ${options.status ?? "active"})`
        yield* sql`INSERT INTO api_keys (id, customer_id, name, mode, prefix, secret_hash, scopes, created_at, expires_at)
          VALUES (${keyId}, ${customerId}, 'ci', 'live', ${`sb_live_${keyId}`}, ${"0".repeat(64)},
            '{invoices:read}'::text[], now(), ${options.keyExpiresAt ?? null})`
      })
    )
    return { customerId, keyId }
  })

/** What `runAs` answers for `principal` acting as `customerId`, and whether its effect ran. */
const attempt = (customerId: Ids.CustomerId, principal: Tenancy.Principal | undefined) =>
  Effect.gen(function* () {
    const tenancy = yield* PgTenancy.make
    const sql = yield* SqlClient.SqlClient
    let ran = false
    const exit = yield* Effect.exit(
      tenancy
        .runAs(
          customerId,
          Effect.map(sql<{ role: string }>`SELECT current_user AS role`, (rows) => {
            ran = true
            return rows[0]!.role
          })
        )
        .pipe(Effect.provideService(Tenancy.CurrentPrincipal, principal))
    )
    const code = Exit.isFailure(exit) ? (Cause.squash(exit.cause) as { code?: string }).code : "ok"
    return { code, ran, role: Exit.isSuccess(exit) ? exit.value : undefined }
  })

const asKey = (keyId: ApiKey.ApiKeyId): Tenancy.Principal => ({ actor: `api_key:${keyId}`, keyId })
const asSession = (keyId: ApiKey.ApiKeyId, sessionId: string): Tenancy.Principal => ({
  actor: `session:${sessionId}`,
  keyId,
  sessionId
})

suite("PgTenancy: the request's credential is checked in its own transaction", (it) => {
  it.effect("a good key or session acts, as the app role, under row-level security", () =>
    Effect.gen(function* () {
      const { customerId, keyId } = yield* seed()
      for (const principal of [asKey(keyId), asSession(keyId, newSessionId())]) {
        const r = yield* attempt(customerId, principal)
        assert.deepStrictEqual(r, { code: "ok", ran: true, role: Roles.app })
      }
    })
  )

  it.effect(
    "a revoked key kept acting wherever a cache still held it: now it is refused at once, and nothing runs",
    () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        const tenancy = yield* PgTenancy.make
        const { customerId, keyId } = yield* seed()
        yield* tenancy.runAs(customerId, sql`UPDATE api_keys SET revoked_at = now() WHERE id = ${keyId}`)
        assert.deepStrictEqual(yield* attempt(customerId, asKey(keyId)), {
          code: "AUTH.KEY_REVOKED",
          ran: false,
          role: undefined
        })
        // Its sessions die with it.
        const r = yield* attempt(customerId, asSession(keyId, newSessionId()))
        assert.deepStrictEqual([r.code, r.ran], ["AUTH.SESSION_REVOKED", false])
      })
  )

  it.effect("a logged-out session is refused; the key and its other sessions still act", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const tenancy = yield* PgTenancy.make
      const { customerId, keyId } = yield* seed()
      const out = newSessionId()
      yield* tenancy.runAs(
        customerId,
        sql`INSERT INTO revoked_sessions (customer_id, session_id, key_id, revoked_at, expires_at)
          VALUES (${customerId}, ${out}, ${keyId}, now(), now() + interval '1 day')`
      )
      const r = yield* attempt(customerId, asSession(keyId, out))
      assert.deepStrictEqual([r.code, r.ran], ["AUTH.SESSION_REVOKED", false])
      assert.strictEqual((yield* attempt(customerId, asSession(keyId, newSessionId()))).code, "ok")
      assert.strictEqual((yield* attempt(customerId, asKey(keyId))).code, "ok")
    })
  )

  it.effect("a suspended, closed or deleted customer's keys and sessions are refused", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      for (const status of ["suspended", "closed"]) {
        const { customerId, keyId } = yield* seed({ status })
        for (const principal of [asKey(keyId), asSession(keyId, newSessionId())]) {
          const r = yield* attempt(customerId, principal)
          assert.deepStrictEqual([r.code, r.ran], ["AUTH.CUSTOMER_INACTIVE", false], status)
        }
      }
      // Deleted: the key row goes with the customer, so the key is the first to be refused.
      const { customerId, keyId } = yield* seed()
      const tenancy = yield* PgTenancy.make
      yield* tenancy.runAs(
        customerId,
        Effect.andThen(
          sql`DELETE FROM api_keys WHERE customer_id = ${customerId}`,
          sql`DELETE FROM customers WHERE id = ${customerId}`
        )
      )
      assert.strictEqual((yield* attempt(customerId, asKey(keyId))).code, "AUTH.KEY_REVOKED")
    })
  )

  it.effect("a session whose key is still good but whose customer went away: CustomerInactive", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const tenancy = yield* PgTenancy.make
      const { customerId, keyId } = yield* seed()
      yield* tenancy.runAs(
        customerId,
        sql`UPDATE customers SET status = 'suspended' WHERE id = ${customerId}`
      )
      const r = yield* attempt(customerId, asSession(keyId, newSessionId()))
      assert.deepStrictEqual([r.code, r.ran], ["AUTH.CUSTOMER_INACTIVE", false])
      // Reinstated, it acts again.
      yield* tenancy.runAs(customerId, sql`UPDATE customers SET status = 'active' WHERE id = ${customerId}`)
      assert.strictEqual((yield* attempt(customerId, asKey(keyId))).code, "ok")
    })
  )

  it.effect("an API key past its expiry is refused by the application's clock", () =>
    Effect.gen(function* () {
      const { customerId, keyId } = yield* seed({ keyExpiresAt: "2026-06-01T00:00:00Z" })
      yield* TestClock.setTime(DateTime.toEpochMillis(DateTime.makeUnsafe("2026-05-31T23:59:59Z")))
      assert.strictEqual((yield* attempt(customerId, asKey(keyId))).code, "ok")
      yield* TestClock.setTime(DateTime.toEpochMillis(DateTime.makeUnsafe("2026-06-01T00:00:00Z")))
      const r = yield* attempt(customerId, asKey(keyId))
      assert.deepStrictEqual([r.code, r.ran], ["AUTH.KEY_EXPIRED", false])
    }).pipe(Effect.provide(TestClock.layer()))
  )

  it.effect("a key presented for another customer's tenant is refused, never a way in", () =>
    Effect.gen(function* () {
      const mine = yield* seed()
      const theirs = yield* seed()
      const r = yield* attempt(theirs.customerId, asKey(mine.keyId))
      assert.deepStrictEqual([r.code, r.ran], ["AUTH.KEY_REVOKED", false])
    })
  )

  it.effect("no principal, or one without a credential (operator, CLI), is not checked", () =>
    Effect.gen(function* () {
      const { customerId } = yield* seed({ status: "suspended" })
      assert.strictEqual((yield* attempt(customerId, undefined)).code, "ok")
      assert.strictEqual((yield* attempt(customerId, { actor: "cli:bill" })).code, "ok")
    })
  )

  it.effect(
    "a nested runAs joins the already-checked transaction (a key may revoke itself); the next one is refused",
    () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        const tenancy = yield* PgTenancy.make
        const { customerId, keyId } = yield* seed()
        const principal = asKey(keyId)
        // The key revokes itself inside its own transaction: the transaction was already checked.
        yield* tenancy
          .runAs(
            customerId,
            Effect.andThen(
              sql`UPDATE api_keys SET revoked_at = now() WHERE id = ${keyId}`,
              tenancy.runAs(customerId, sql`SELECT 1`)
            )
          )
          .pipe(Effect.provideService(Tenancy.CurrentPrincipal, principal))
        assert.strictEqual((yield* attempt(customerId, principal)).code, "AUTH.KEY_REVOKED")
      })
  )

  it.effect("the check is only the application role's: other logins may not call app_enter_tenant", () =>
    Effect.gen(function* () {
      const db = yield* TestDatabase
      const { customerId, keyId } = yield* seed()
      const exit = yield* Effect.exit(
        db.asLogin(
          Roles.worker,
          Effect.flatMap(
            SqlClient.SqlClient,
            (sql) => sql`SELECT app_enter_tenant(${customerId}::uuid, ${keyId}::text, NULL, now())`
          )
        )
      )
      assert.isTrue(Exit.isFailure(exit))
    })
  )
})
