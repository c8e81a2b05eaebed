/**
 * Tenancy under concurrency. On the server the transactions run over a real pool (8 connections,
 * see support/TestDatabase.ts), interleaved; on PGlite they are serialized by its one connection,
 * which must give the same answers.
 */
import { assert } from "@effect/vitest"
import { AuditEvent, AuditLog, CustomerRepo, Tenancy } from "@securebase/core"
import { Effect, Schema } from "effect"
import { SqlClient } from "effect/sql"
import * as Roles from "../../src/postgres/Roles.ts"
import * as Fixtures from "./support/Fixtures.ts"
import { suite } from "./support/TestDatabase.ts"

const onboard = Effect.gen(function* () {
  const tenancy = yield* Tenancy.Tenancy
  const id = Fixtures.customerId()
  yield* tenancy.runAs(id, (yield* CustomerRepo.CustomerRepo).insert(Fixtures.customer(id)))
  return id
})

suite("Tenancy under concurrency", (it, kind) => {
  it.effect("many concurrent tenant transactions each see only their own tenant and rows", () =>
    Effect.gen(function* () {
      const tenancy = yield* Tenancy.Tenancy
      const sql = yield* SqlClient.SqlClient
      const ids = yield* Effect.forEach(Array.from({ length: 8 }), () => onboard)
      const jobs = Array.from({ length: 64 }, (_, i) => ids[i % ids.length]!)
      const seen = yield* Effect.forEach(
        jobs,
        (id, i) =>
          tenancy.runAs(
            id,
            Effect.gen(function* () {
              yield* sql`INSERT INTO support_tickets (id, customer_id, subject, description, first_response_due_at)
                         VALUES (gen_random_uuid(), ${id}, ${`Ticket ${i}`}, 'Details', now())`
              // On the server, hold the transaction open so others interleave with it on the other
              // connections (PGlite has one connection: nothing can interleave, and its sleep is slow).
              if (kind === "server") yield* sql`SELECT pg_sleep(0.005)`
              const [row] = yield* sql<{ tenant: string; role: string; foreign: string }>`
                SELECT current_setting('app.customer_id') AS tenant, current_user AS role,
                       (SELECT count(*) FROM support_tickets WHERE customer_id <> ${id})::text AS foreign`
              return { id, ...row! }
            })
          ),
        { concurrency: 16 }
      )
      for (const s of seen) {
        assert.deepStrictEqual([s.tenant, s.role, s.foreign], [s.id, Roles.app, "0"])
      }
      const counts = yield* Effect.forEach(ids, (id) =>
        tenancy.runAs(
          id,
          Effect.map(sql<{ n: string }>`SELECT count(*)::text AS n FROM support_tickets`, (r) =>
            Number(r[0]!.n)
          )
        )
      )
      assert.deepStrictEqual(
        counts,
        ids.map(() => 64 / 8)
      )
    }).pipe(Effect.provide(Fixtures.adapters))
  )

  it.effect("the tenant setting and role never leak to the next use of a pooled connection", () =>
    Effect.gen(function* () {
      const tenancy = yield* Tenancy.Tenancy
      const sql = yield* SqlClient.SqlClient
      const id = yield* onboard
      const probe = sql<{ pid: number; tenant: string | null; role: string; visible: string }>`
        SELECT pg_backend_pid() AS pid, nullif(current_setting('app.customer_id', true), '') AS tenant,
               current_user AS role, (SELECT count(*) FROM customers)::text AS visible`
      const results = yield* Effect.forEach(
        Array.from({ length: 48 }, (_, i) => i),
        (i) =>
          i % 2 === 0
            ? Effect.map(tenancy.runAs(id, probe), (rows) => ({ tenant: true, row: rows[0]! }))
            : Effect.map(probe, (rows) => ({ tenant: false, row: rows[0]! })),
        { concurrency: 12 }
      )
      const inside = results.filter((r) => r.tenant)
      const outside = results.filter((r) => !r.tenant)
      for (const r of inside)
        assert.deepStrictEqual([r.row.tenant, r.row.role, r.row.visible], [id, Roles.app, "1"])
      for (const r of outside) {
        assert.isNull(r.row.tenant)
        assert.notStrictEqual(r.row.role, Roles.app)
      }
      // The point of the test: plain statements ran on connections that had just carried a tenant.
      const tenantPids = new Set(inside.map((r) => r.row.pid))
      assert.isTrue(outside.some((r) => tenantPids.has(r.row.pid)))
    }).pipe(Effect.provide(Fixtures.adapters))
  )

  it.effect("concurrent appends to one customer's audit chain serialize into one unbroken chain", () =>
    Effect.gen(function* () {
      const tenancy = yield* Tenancy.Tenancy
      const audit = yield* AuditLog.AuditLog
      const id = yield* onboard
      const action = Schema.decodeSync(AuditEvent.AuditAction)("api_key.created")
      yield* Effect.forEach(
        Array.from({ length: 24 }, (_, i) => i),
        (i) =>
          tenancy
            .runAs(
              id,
              audit.append(
                new AuditEvent.NewAuditEvent({
                  customerId: id,
                  action,
                  subjectType: null,
                  subjectId: null,
                  payload: { i }
                })
              )
            )
            .pipe(Effect.provideService(Tenancy.CurrentPrincipal, { actor: `operator:${i}` })),
        { concurrency: 12 }
      )
      const events = yield* tenancy.runAs(id, audit.list(id))
      assert.deepStrictEqual(
        events.map((e) => e.seq),
        Array.from({ length: 24 }, (_, i) => i + 1)
      )
      assert.deepStrictEqual(
        yield* tenancy.runAs(id, audit.verify(id)),
        new AuditEvent.ChainIntact({ customerId: id, events: 24, head: events[23]!.hash })
      )
      // Each append carried its own transaction's principal.
      assert.sameMembers(
        events.map((e) => e.actor),
        Array.from({ length: 24 }, (_, i) => `operator:${i}`)
      )
    }).pipe(Effect.provide(Fixtures.adapters))
  )
})
