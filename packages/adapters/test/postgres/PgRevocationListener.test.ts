/**
 * An instance's in-memory key cache kept verifying a key revoked on another instance for up to
 * 4 h: `PgRevocationListener` now evicts it when PostgreSQL announces the change (LISTEN/NOTIFY,
 * real server), including changes made in plain SQL, and drops the whole cache after a lost
 * connection, whose notifications are gone. On the embedded PGlite it does nothing.
 *
 * Notifications arrive asynchronously (at the other side's commit), so each check polls, bounded
 * by a generous deadline, and never asserts on elapsed time.
 */
import { assert } from "@effect/vitest"
import { type ApiKey, type Ids, SessionCache, SessionRevocations, Tenancy } from "@securebase/core"
import { DateTime, Duration, Effect, Layer, Option, Schedule } from "effect"
import { SqlClient } from "effect/sql"
import { MemorySessionCache, MemorySessionRevocations } from "../../src/index.ts"
import * as PgRevocationListener from "../../src/postgres/PgRevocationListener.ts"
import * as PgTenancy from "../../src/postgres/PgTenancy.ts"
import { freshKeyId } from "../auth/SessionCacheContract.ts"
import { freshSessionId } from "../auth/SessionRevocationsContract.ts"
import * as Fixtures from "./support/Fixtures.ts"
import { suite } from "./support/TestDatabase.ts"

/** A customer with `keys` keys, written as that customer. */
const seed = (keys: number) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const tenancy = yield* Tenancy.Tenancy
    const customerId = Fixtures.customerId()
    const keyIds = Array.from({ length: keys }, () => freshKeyId())
    yield* tenancy.runAs(
      customerId,
      Effect.gen(function* () {
        yield* sql`INSERT INTO customers (id, name, email, plan) VALUES (${customerId}, 'Acme', 'b@acme.test', 'standard')`
        for (const id of keyIds)
          yield* sql`INSERT INTO api_keys (id, customer_id, name, mode, prefix, secret_hash, scopes, created_at)
            VALUES (${id}, ${customerId}, 'ci', 'live', ${`sb_live_${id}`}, ${"0".repeat(64)}, '{invoices:read}'::text[], now())`
      })
    )
    return { customerId, keyIds }
  })

const entry = (customerId: Ids.CustomerId, keyId: ApiKey.ApiKeyId) =>
  new SessionCache.CachedKey({
    keyId,
    customerId,
    plan: "standard",
    mode: "live",
    scopes: ["invoices:read"],
    secretHash: "0".repeat(64) as ApiKey.SecretHash
  })

const cached = (keyId: ApiKey.ApiKeyId) =>
  Effect.map(
    Effect.flatMap(SessionCache.SessionCache, (cache) => cache.get(keyId)),
    Option.isSome
  )

/** Polls `condition` every 20 ms until it holds; fails after 20 s. */
const eventually = <E, R>(condition: Effect.Effect<boolean, E, R>, what: string) =>
  condition.pipe(
    Effect.flatMap((ok) => (ok ? Effect.void : Effect.fail("not yet" as const))),
    Effect.retry(Schedule.spaced("20 millis")),
    Effect.timeoutOrElse({
      duration: Duration.seconds(20),
      orElse: () => Effect.die(new Error(`timed out waiting until ${what}`))
    })
  )

/** This "instance": its own cache and fast deny list, and the listener feeding them. */
const instance = () => {
  const fast = Layer.mergeAll(MemorySessionCache.layer, MemorySessionRevocations.layer)
  return Layer.merge(fast, PgRevocationListener.layer().pipe(Layer.provide(fast)))
}

suite("PgRevocationListener", (it, kind) => {
  if (kind === "pglite") {
    it.effect("on the embedded PGlite (one process) it does nothing, and starts at once", () =>
      Effect.gen(function* () {
        const cache = yield* SessionCache.SessionCache
        const customerId = Fixtures.customerId()
        const keyId = freshKeyId()
        yield* cache.put(entry(customerId, keyId), Duration.hours(1))
        assert.isTrue(yield* cached(keyId))
      }).pipe(Effect.provide(instance()))
    )
    return
  }

  it.effect(
    "a key revoked by another connection (or in plain SQL) is evicted from this cache, and its sessions denied",
    () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        const tenancy = yield* Tenancy.Tenancy
        const cache = yield* SessionCache.SessionCache
        const revocations = yield* SessionRevocations.SessionRevocations
        const { customerId, keyIds } = yield* seed(2)
        const [revoked, kept] = keyIds as [ApiKey.ApiKeyId, ApiKey.ApiKeyId]
        for (const id of keyIds) yield* cache.put(entry(customerId, id), Duration.hours(4))
        const before = yield* DateTime.now
        yield* tenancy.runAs(customerId, sql`UPDATE api_keys SET revoked_at = now() WHERE id = ${revoked}`)
        yield* eventually(
          Effect.map(cached(revoked), (hit) => !hit),
          "the revoked key is evicted"
        )
        assert.isTrue(yield* cached(kept), "the customer's other key stays cached")
        const issuedAt = Math.floor(DateTime.toEpochMillis(before) / 1000) - 1
        assert.isTrue(
          yield* revocations.isRevoked({ sessionId: freshSessionId(), keyId: revoked, issuedAt }),
          "its earlier sessions are on the fast deny list"
        )
        // The tombstone: a lookup that read the key before the revocation cannot put it back.
        yield* cache.put(entry(customerId, revoked), Duration.hours(4))
        assert.isFalse(yield* cached(revoked))
      }).pipe(Effect.provide(Layer.merge(instance(), PgTenancy.layer)))
  )

  it.effect("a customer suspended in SQL loses every cached key at once; other customers keep theirs", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const tenancy = yield* Tenancy.Tenancy
      const cache = yield* SessionCache.SessionCache
      const suspended = yield* seed(3)
      const other = yield* seed(1)
      for (const id of suspended.keyIds) yield* cache.put(entry(suspended.customerId, id), Duration.hours(4))
      yield* cache.put(entry(other.customerId, other.keyIds[0]!), Duration.hours(4))
      yield* tenancy.runAs(
        suspended.customerId,
        sql`UPDATE customers SET status = 'suspended' WHERE id = ${suspended.customerId}`
      )
      for (const id of suspended.keyIds)
        yield* eventually(
          Effect.map(cached(id), (hit) => !hit),
          `key ${id} is evicted`
        )
      assert.isTrue(yield* cached(other.keyIds[0]!))
    }).pipe(Effect.provide(Layer.merge(instance(), PgTenancy.layer)))
  )

  it.effect("a session revoked elsewhere lands on this instance's fast deny list", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const tenancy = yield* Tenancy.Tenancy
      const revocations = yield* SessionRevocations.SessionRevocations
      const { customerId, keyIds } = yield* seed(1)
      const sessionId = freshSessionId()
      yield* tenancy.runAs(
        customerId,
        sql`INSERT INTO revoked_sessions (customer_id, session_id, key_id, revoked_at, expires_at)
          VALUES (${customerId}, ${sessionId}, ${keyIds[0]!}, now(), now() + interval '1 day')`
      )
      yield* eventually(
        revocations.isRevoked({ sessionId, keyId: keyIds[0]!, issuedAt: 0 }),
        "the session is denied"
      )
    }).pipe(Effect.provide(Layer.merge(instance(), PgTenancy.layer)))
  )

  it.effect(
    "a lost connection is re-established and the cache dropped (what was announced meanwhile is lost); garbage is skipped",
    () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        const tenancy = yield* Tenancy.Tenancy
        const cache = yield* SessionCache.SessionCache
        const { customerId, keyIds } = yield* seed(2)
        const [first, second] = keyIds as [ApiKey.ApiKeyId, ApiKey.ApiKeyId]
        yield* cache.put(entry(customerId, first), Duration.hours(4))
        // Kill the listening backend, as a network failover or an idle-connection reaper would.
        const killed = yield* sql<{ n: string }>`
        SELECT count(pg_terminate_backend(pid))::text AS n FROM pg_stat_activity
        WHERE datname = current_database() AND query ILIKE 'LISTEN%' AND pid <> pg_backend_pid()`
        assert.strictEqual(killed[0]!.n, "1", "one listener was connected")
        yield* eventually(
          Effect.map(cached(first), (hit) => !hit),
          "the cache is dropped after reconnecting"
        )
        // Listening again: garbage is skipped, and the next real change still evicts.
        yield* sql`SELECT pg_notify(${PgRevocationListener.channel}, 'not json')`
        yield* cache.put(entry(customerId, second), Duration.hours(4))
        yield* tenancy.runAs(customerId, sql`UPDATE api_keys SET revoked_at = now() WHERE id = ${second}`)
        yield* eventually(
          Effect.map(cached(second), (hit) => !hit),
          "a change after the reconnect is applied"
        )
      }).pipe(Effect.provide(Layer.merge(instance(), PgTenancy.layer)))
  )
})
