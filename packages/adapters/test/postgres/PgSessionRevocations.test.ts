/**
 * The durable session deny list: a logout is a row in PostgreSQL (with its audit event), which the
 * tenant transaction of every instance reads, so it holds across processes and restarts whatever
 * the fast index knows. The row is the customer's alone (row-level security), cannot be deleted
 * while it matters, and is pruned once expired. The adapter also passes the deny-list contract.
 */
import { assert, describe } from "@effect/vitest"
import { AuditLog, AuthError, type Ids, SessionRevocations, Tenancy } from "@securebase/core"
import { Cause, DateTime, Duration, Effect, Exit, Layer } from "effect"
import { SqlClient } from "effect/sql"
import { MemorySessionRevocations } from "../../src/index.ts"
import * as PgAuditLog from "../../src/postgres/PgAuditLog.ts"
import * as PgSessionRevocations from "../../src/postgres/PgSessionRevocations.ts"
import * as PgTenancy from "../../src/postgres/PgTenancy.ts"
import * as Roles from "../../src/postgres/Roles.ts"
import { freshKeyId } from "../auth/SessionCacheContract.ts"
import {
  contractCustomerId,
  freshSessionId,
  sessionRevocationsContract
} from "../auth/SessionRevocationsContract.ts"
import * as Fixtures from "./support/Fixtures.ts"
import { pglite, suite, TestDatabase } from "./support/TestDatabase.ts"

const insertCustomer = (id: Ids.CustomerId) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const tenancy = yield* Tenancy.Tenancy
    yield* tenancy.runAs(
      id,
      sql`INSERT INTO customers (id, name, email, plan) VALUES (${id}, 'Acme', 'billing@acme.test', 'standard')`
    )
  })

const insertKey = (customerId: Ids.CustomerId, keyId = freshKeyId()) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const tenancy = yield* Tenancy.Tenancy
    yield* tenancy.runAs(
      customerId,
      sql`INSERT INTO api_keys (id, customer_id, name, mode, prefix, secret_hash, scopes, created_at)
        VALUES (${keyId}, ${customerId}, 'ci', 'live', ${`sb_live_${keyId}`}, ${"0".repeat(64)}, '{invoices:read}'::text[], now())`
    )
    return keyId
  })

/** The tenancy and audit log over the suite's database, and the deny list over `fast`. */
const world = (fast: Layer.Layer<SessionRevocations.SessionRevocations> = MemorySessionRevocations.layer) => {
  const base = Layer.merge(PgTenancy.layer, PgAuditLog.layer)
  return Layer.provideMerge(PgSessionRevocations.layer(fast), base)
}

const inWorld = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  fast?: Layer.Layer<SessionRevocations.SessionRevocations>
) =>
  Effect.provide(effect, world(fast)) as Effect.Effect<
    A,
    E,
    | Exclude<R, SessionRevocations.SessionRevocations | Tenancy.Tenancy | AuditLog.AuditLog>
    | SqlClient.SqlClient
  >

/** What the tenant check answers for a session principal. */
const check = (customerId: Ids.CustomerId, keyId: string, sessionId: string) =>
  Effect.gen(function* () {
    const tenancy = yield* Tenancy.Tenancy
    const exit = yield* Effect.exit(
      tenancy.runAs(customerId, Effect.void).pipe(
        Effect.provideService(Tenancy.CurrentPrincipal, {
          actor: `session:${sessionId}`,
          keyId: keyId as never,
          sessionId
        })
      )
    )
    return Exit.isSuccess(exit) ? "ok" : (Cause.squash(exit.cause) as { code: string }).code
  })

/** A session's end, a day after the (real) clock's now. */
const tomorrow = Effect.map(DateTime.now, (now) => DateTime.addDuration(now, Duration.hours(24)))

describe("PgSessionRevocations (over memory): the SessionRevocations contract", () => {
  // The contract's clock starts at the epoch; its customer exists in a fresh PGlite per test.
  sessionRevocationsContract(
    Layer.unwrap(
      Effect.as(Effect.provide(insertCustomer(contractCustomerId), PgTenancy.layer), world())
    ).pipe(
      Layer.provide(Layer.fresh(pglite)),
      Layer.orDie
    ) as Layer.Layer<SessionRevocations.SessionRevocations>
  )
})

suite("PgSessionRevocations", (it) => {
  it.effect(
    "a logout was forgotten by a restart or another instance: now the tenant check refuses it there",
    () =>
      Effect.gen(function* () {
        const customerId = Fixtures.customerId()
        const { keyId, out, other } = yield* inWorld(
          Effect.gen(function* () {
            yield* insertCustomer(customerId)
            const keyId = yield* insertKey(customerId)
            const out = freshSessionId()
            const other = freshSessionId()
            const revocations = yield* SessionRevocations.SessionRevocations
            yield* revocations.revokeSession({ sessionId: out, customerId, keyId }, yield* tomorrow)
            return { keyId, out, other }
          })
        )
        // "Another instance, or this one restarted": a world whose fast index never heard of it.
        const [fastKnows, outcome, otherOutcome] = yield* inWorld(
          Effect.gen(function* () {
            const revocations = yield* SessionRevocations.SessionRevocations
            const fastKnows = yield* revocations.isRevoked({ sessionId: out, keyId, issuedAt: 0 })
            return [
              fastKnows,
              yield* check(customerId, keyId, out),
              yield* check(customerId, keyId, other)
            ] as const
          })
        )
        assert.isFalse(fastKnows, "the fresh fast index does not know the logout")
        assert.strictEqual(outcome, "AUTH.SESSION_REVOKED")
        assert.strictEqual(otherOutcome, "ok", "the key's other sessions go on")
      })
  )

  it.effect("a logout is audited once, in its transaction; revoking twice changes nothing", () =>
    inWorld(
      Effect.gen(function* () {
        const customerId = Fixtures.customerId()
        yield* insertCustomer(customerId)
        const keyId = yield* insertKey(customerId)
        const sessionId = freshSessionId()
        const revocations = yield* SessionRevocations.SessionRevocations
        const until = yield* tomorrow
        yield* revocations.revokeSession({ sessionId, customerId, keyId }, until)
        yield* revocations.revokeSession({ sessionId, customerId, keyId }, until)
        const audit = yield* AuditLog.AuditLog
        const events = yield* audit.list(customerId)
        const revoked = events.filter((e) => e.action === "session.revoked")
        assert.strictEqual(revoked.length, 1)
        assert.deepInclude(revoked[0]!, { actor: `session:${sessionId}`, subjectId: sessionId })
        const sql = yield* SqlClient.SqlClient
        const tenancy = yield* Tenancy.Tenancy
        const rows = yield* tenancy.runAs(
          customerId,
          sql<{ n: string }>`SELECT count(*)::text AS n FROM revoked_sessions WHERE session_id = ${sessionId}`
        )
        assert.strictEqual(rows[0]!.n, "1")
      })
    )
  )

  it.effect("expired rows are pruned when the customer next logs out; live ones stay", () =>
    inWorld(
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        const tenancy = yield* Tenancy.Tenancy
        const customerId = Fixtures.customerId()
        yield* insertCustomer(customerId)
        const keyId = yield* insertKey(customerId)
        const stale = freshSessionId()
        yield* tenancy.runAs(
          customerId,
          sql`INSERT INTO revoked_sessions (customer_id, session_id, key_id, revoked_at, expires_at)
            VALUES (${customerId}, ${stale}, ${keyId}, now() - interval '2 days', now() - interval '1 day')`
        )
        const revocations = yield* SessionRevocations.SessionRevocations
        const live = freshSessionId()
        const now = yield* DateTime.now
        yield* revocations.revokeSession(
          { sessionId: live, customerId, keyId },
          DateTime.addDuration(now, Duration.hours(24))
        )
        const rows = yield* tenancy.runAs(
          customerId,
          sql<{ session_id: string }>`SELECT session_id FROM revoked_sessions ORDER BY session_id`
        )
        assert.deepStrictEqual(
          rows.map((r) => r.session_id),
          [live]
        )
      })
    )
  )

  it.effect("the deny list is the tenant's own, and the application cannot undo a live revocation", () =>
    inWorld(
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        const tenancy = yield* Tenancy.Tenancy
        const db = yield* TestDatabase
        const [a, b] = [Fixtures.customerId(), Fixtures.customerId()]
        yield* insertCustomer(a)
        yield* insertCustomer(b)
        const keyId = yield* insertKey(a)
        const sessionId = freshSessionId()
        const revocations = yield* SessionRevocations.SessionRevocations
        const now = yield* DateTime.now
        yield* revocations.revokeSession(
          { sessionId, customerId: a, keyId },
          DateTime.addDuration(now, Duration.hours(1))
        )
        // Through the client in context, so that `asLogin` runs it on its own login.
        const count = Effect.flatMap(
          SqlClient.SqlClient,
          (client) => client<{ n: string }>`SELECT count(*)::text AS n FROM revoked_sessions`
        )
        assert.strictEqual((yield* tenancy.runAs(b, count))[0]!.n, "0", "another tenant sees nothing")
        assert.strictEqual((yield* db.asLogin(Roles.app, count))[0]!.n, "0", "no tenant, nothing")
        const deleted = yield* tenancy.runAs(a, sql`DELETE FROM revoked_sessions RETURNING 1`)
        assert.strictEqual(deleted.length, 0, "a live revocation cannot be deleted")
        const update = yield* Effect.exit(
          tenancy.runAs(a, sql`UPDATE revoked_sessions SET expires_at = now()`)
        )
        assert.isTrue(Exit.isFailure(update), "nor updated")
        const forged = yield* Effect.exit(
          tenancy.runAs(
            b,
            sql`INSERT INTO revoked_sessions (customer_id, session_id, key_id, revoked_at, expires_at)
              VALUES (${a}, ${freshSessionId()}, ${keyId}, now(), now() + interval '1 hour')`
          )
        )
        assert.isTrue(Exit.isFailure(forged), "nor written for another tenant")
        assert.strictEqual((yield* tenancy.runAs(a, count))[0]!.n, "1")
      })
    )
  )

  it.effect("the fast index failing does not fail a logout: it is already in force", () =>
    Effect.gen(function* () {
      const broken = Layer.succeed(
        SessionRevocations.SessionRevocations,
        SessionRevocations.SessionRevocations.of({
          revokeSession: () =>
            Effect.fail(
              new AuthError.AuthBackendUnavailable({
                backend: "dynamodb",
                operation: "PutItem",
                cause: "down"
              })
            ),
          revokeKey: () => Effect.void,
          isRevoked: () => Effect.succeed(false)
        })
      )
      const customerId = Fixtures.customerId()
      const outcome = yield* inWorld(
        Effect.gen(function* () {
          yield* insertCustomer(customerId)
          const keyId = yield* insertKey(customerId)
          const sessionId = freshSessionId()
          const revocations = yield* SessionRevocations.SessionRevocations
          yield* revocations.revokeSession({ sessionId, customerId, keyId }, yield* tomorrow)
          return yield* check(customerId, keyId, sessionId)
        }),
        broken
      )
      assert.strictEqual(outcome, "AUTH.SESSION_REVOKED")
    })
  )

  it.effect("a logout by a credential revoked meanwhile is refused as such, never a 503", () =>
    inWorld(
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        const tenancy = yield* Tenancy.Tenancy
        const customerId = Fixtures.customerId()
        yield* insertCustomer(customerId)
        const keyId = yield* insertKey(customerId)
        yield* tenancy.runAs(customerId, sql`UPDATE api_keys SET revoked_at = now() WHERE id = ${keyId}`)
        const sessionId = freshSessionId()
        const revocations = yield* SessionRevocations.SessionRevocations
        const error = yield* Effect.flip(
          revocations.revokeSession({ sessionId, customerId, keyId }, yield* tomorrow).pipe(
            Effect.provideService(Tenancy.CurrentPrincipal, {
              actor: `session:${sessionId}`,
              keyId,
              sessionId
            })
          )
        )
        assert.strictEqual(error._tag, "AuthenticationFailed")
        assert.strictEqual(error._tag === "AuthenticationFailed" && error.reason._tag, "SessionRevoked")
      })
    )
  )
})
