/**
 * `InvoiceRepo.listPageAs`: `GET /invoices` as ONE statement (migration 0023's `app_invoice_page`)
 * instead of a transaction of four. It must be `runAs` + `listPage` in everything but the round
 * trips: the same page, the same refusals of a revoked, expired or foreign credential and an
 * inactive customer (no row read for a refused one), another tenant's rows never in it, and a
 * pooled connection that carries no role, tenant or actor to its next use.
 */
import { assert } from "@effect/vitest"
import { type ApiKey, type Ids, type InvoiceRepo, Period, Tenancy } from "@securebase/core"
import { Cause, DateTime, Effect, Exit, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { TestClock } from "effect/testing"
import * as PgInvoiceRepo from "../../src/postgres/PgInvoiceRepo.ts"
import * as PgTenancy from "../../src/postgres/PgTenancy.ts"
import * as Roles from "../../src/postgres/Roles.ts"
import * as Fixtures from "./support/Fixtures.ts"
import { suite, TestDatabase } from "./support/TestDatabase.ts"

const base32 = "abcdefghijklmnopqrstuvwxyz234567"
const newKeyId = () =>
  Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => base32[b % 32]).join("") as ApiKey.ApiKeyId
const newSessionId = () => Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64url")
const asKey = (keyId: ApiKey.ApiKeyId): Tenancy.Principal => ({ actor: `api_key:${keyId}`, keyId })
const asSession = (keyId: ApiKey.ApiKeyId, sessionId: string): Tenancy.Principal => ({
  actor: `session:${sessionId}`,
  keyId,
  sessionId
})

/** A customer with one key and three invoices (2026-08 to 2026-10), written as that customer. */
const seed = (options: { readonly status?: string; readonly keyExpiresAt?: string } = {}) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const tenancy = yield* PgTenancy.make
    const repo = yield* PgInvoiceRepo.make
    const customerId = Fixtures.customerId()
    const keyId = newKeyId()
    yield* tenancy.runAs(
      customerId,
      Effect.gen(function* () {
        yield* sql`INSERT INTO customers (id, name, email, plan, status)
          VALUES (${customerId}, 'Acme', 'billing@acme.test', 'standard', 'active')`
        yield* sql`INSERT INTO api_keys (id, customer_id, name, mode, prefix, secret_hash, scopes, created_at, expires_at)
          VALUES (${keyId}, ${customerId}, 'ci', 'live', ${`sb_live_${keyId}`}, ${"0".repeat(64)},
            '{invoices:read}'::text[], now(), ${options.keyExpiresAt ?? null})`
        for (const period of ["2026-08", "2026-09", "2026-10"])
          yield* repo.insert(yield* Fixtures.draftInvoice(customerId, period))
        if (options.status !== undefined)
          yield* sql`UPDATE customers SET status = ${options.status} WHERE id = ${customerId}`
      })
    )
    return { customerId, keyId }
  })

/** `listPageAs` for `principal`: the page, or the refusal's code. */
const readAs = (customerId: Ids.CustomerId, principal: Tenancy.Principal | undefined, page = { limit: 10 }) =>
  Effect.gen(function* () {
    const repo = yield* PgInvoiceRepo.make
    const exit = yield* Effect.exit(
      repo.listPageAs(customerId, page).pipe(Effect.provideService(Tenancy.CurrentPrincipal, principal))
    )
    return Exit.isSuccess(exit)
      ? { code: "ok", periods: exit.value.map((s) => s.period as string) }
      : { code: (Cause.squash(exit.cause) as { code?: string }).code, periods: [] }
  })

suite("InvoiceRepo.listPageAs", (it, kind) => {
  it.effect("the same page as runAs + listPage, for a key or a session, with filters and a cursor", () =>
    Effect.gen(function* () {
      const tenancy = yield* PgTenancy.make
      const repo = yield* PgInvoiceRepo.make
      const { customerId, keyId } = yield* seed()
      const pages: ReadonlyArray<InvoiceRepo.ListPage> = [
        { limit: 10 },
        { limit: 2 },
        { limit: 10, status: "draft" },
        { limit: 10, status: "issued" },
        { limit: 10, period: Schema.decodeSync(Period.Period)("2026-09") }
      ]
      for (const principal of [asKey(keyId), asSession(keyId, newSessionId())]) {
        for (const page of pages) {
          const expected = yield* tenancy.runAs(customerId, repo.listPage(customerId, page))
          const read = yield* repo
            .listPageAs(customerId, page)
            .pipe(Effect.provideService(Tenancy.CurrentPrincipal, principal))
          assert.deepStrictEqual(read, expected)
        }
      }
      const [first] = yield* tenancy.runAs(customerId, repo.listPage(customerId, { limit: 1 }))
      const after = { period: first!.period, id: first!.id }
      const rest = yield* repo
        .listPageAs(customerId, { limit: 10, after })
        .pipe(Effect.provideService(Tenancy.CurrentPrincipal, asKey(keyId)))
      assert.deepStrictEqual(
        rest.map((s) => s.period),
        ["2026-09", "2026-08"]
      )
    })
  )

  it.effect("a revoked key, a logged-out session, a foreign key and an inactive customer read nothing", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const tenancy = yield* PgTenancy.make
      const mine = yield* seed()
      const theirs = yield* seed()
      assert.deepStrictEqual(yield* readAs(theirs.customerId, asKey(mine.keyId)), {
        code: "AUTH.KEY_REVOKED",
        periods: []
      })
      const out = newSessionId()
      yield* tenancy.runAs(
        mine.customerId,
        sql`INSERT INTO revoked_sessions (customer_id, session_id, key_id, revoked_at, expires_at)
          VALUES (${mine.customerId}, ${out}, ${mine.keyId}, now(), now() + interval '1 day')`
      )
      assert.strictEqual(
        (yield* readAs(mine.customerId, asSession(mine.keyId, out))).code,
        "AUTH.SESSION_REVOKED"
      )
      assert.strictEqual((yield* readAs(mine.customerId, asKey(mine.keyId))).periods.length, 3)
      // Revoked by any instance: the very next read is refused, whatever a cache holds.
      yield* tenancy.runAs(
        mine.customerId,
        sql`UPDATE api_keys SET revoked_at = now() WHERE id = ${mine.keyId}`
      )
      assert.deepStrictEqual(yield* readAs(mine.customerId, asKey(mine.keyId)), {
        code: "AUTH.KEY_REVOKED",
        periods: []
      })
      const suspended = yield* seed({ status: "suspended" })
      for (const principal of [asKey(suspended.keyId), asSession(suspended.keyId, newSessionId()), undefined])
        assert.deepStrictEqual(yield* readAs(suspended.customerId, principal), {
          code: "AUTH.CUSTOMER_INACTIVE",
          periods: []
        })
    })
  )

  it.effect("an API key past its expiry is refused by the application's clock", () =>
    Effect.gen(function* () {
      const { customerId, keyId } = yield* seed({ keyExpiresAt: "2026-06-01T00:00:00Z" })
      yield* TestClock.setTime(DateTime.toEpochMillis(DateTime.makeUnsafe("2026-05-31T23:59:59Z")))
      assert.strictEqual((yield* readAs(customerId, asKey(keyId))).code, "ok")
      yield* TestClock.setTime(DateTime.toEpochMillis(DateTime.makeUnsafe("2026-06-01T00:00:00Z")))
      assert.strictEqual((yield* readAs(customerId, asKey(keyId))).code, "AUTH.KEY_EXPIRED")
    }).pipe(Effect.provide(TestClock.layer()))
  )

  it.effect(
    "the pooled connection carries no role, tenant or actor to its next use, accepted or refused",
    () =>
      Effect.gen(function* () {
        const db = yield* TestDatabase
        const good = yield* seed()
        const suspended = yield* seed({ status: "suspended" })
        // One connection: what the next statement on it sees is what the read left behind. On the
        // server a login as the application role; PGlite's one session is its superuser (a login
        // role there is a transaction of its own, which would hold the settings until it ends).
        const login = kind === "server" ? Roles.app : undefined
        const after = yield* db.asLogin(
          login,
          Effect.gen(function* () {
            const sql = yield* SqlClient.SqlClient
            const session = Effect.map(
              sql<{ role: string; customer: string; actor: string; invoices: string }>`
              SELECT current_user AS role, coalesce(current_setting('app.customer_id', true), '') AS customer,
                coalesce(current_setting('app.actor', true), '') AS actor,
                (SELECT count(*) FROM invoices)::text AS invoices`,
              (rows) => rows[0]!
            )
            const accepted = yield* readAs(good.customerId, asKey(good.keyId))
            const afterAccepted = yield* session
            const refused = yield* readAs(suspended.customerId, asKey(suspended.keyId))
            const afterRefused = yield* session
            return { accepted: accepted.periods.length, refused: refused.code, afterAccepted, afterRefused }
          })
        )
        assert.strictEqual(after.accepted, 3)
        assert.strictEqual(after.refused, "AUTH.CUSTOMER_INACTIVE")
        for (const session of [after.afterAccepted, after.afterRefused]) {
          assert.deepStrictEqual([session.customer, session.actor], ["", ""])
          if (login === Roles.app) assert.deepStrictEqual([session.role, session.invoices], [Roles.app, "0"])
          else assert.notStrictEqual(session.role, Roles.app)
        }
      })
  )

  it.effect("inside a transaction it dies: that transaction already carries its tenant", () =>
    Effect.gen(function* () {
      const tenancy = yield* PgTenancy.make
      const repo = yield* PgInvoiceRepo.make
      const { customerId } = yield* seed()
      const exit = yield* Effect.exit(tenancy.runAs(customerId, repo.listPageAs(customerId, { limit: 1 })))
      assert.isTrue(Exit.hasDies(exit))
    })
  )
})
