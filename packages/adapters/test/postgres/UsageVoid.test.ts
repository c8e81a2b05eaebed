/**
 * Voiding a usage event on PostgreSQL (PGlite always, the server when DATABASE_URL is set): the
 * event is kept and marked, audited in the same transaction, left out of every read that prices,
 * refused where it must be, and reachable only through `usage_event_void` (the application role
 * never gains UPDATE on usage events). On the server, a void racing the billing transaction of its
 * month waits for the invoice and is then refused.
 */
import { assert } from "@effect/vitest"
import {
  AuditLog,
  BillableUsage,
  CustomerRepo,
  type Ids,
  InvoiceRepo,
  Tenancy,
  UsageEventRepo,
  UsageVoid
} from "@securebase/core"
import { DateTime, Deferred, Effect, Fiber, Schema } from "effect"
import { SqlClient } from "effect/sql"
import * as PgBillableUsage from "../../src/postgres/PgBillableUsage.ts"
import * as Roles from "../../src/postgres/Roles.ts"
import * as S from "../billing/Support.ts"
import * as Fixtures from "./support/Fixtures.ts"
import { suite, TestDatabase } from "./support/TestDatabase.ts"

const october = S.period("2026-10")
const reason = Schema.decodeSync(UsageVoid.VoidReason)
const operator = { actor: "operator:alice" }

/** A customer with two October events, `keep` and `wrong`. */
const customerWithTwoEvents = Effect.gen(function* () {
  const tenancy = yield* Tenancy.Tenancy
  const id = Fixtures.customerId()
  yield* tenancy.runAs(
    id,
    Effect.gen(function* () {
      yield* CustomerRepo.CustomerRepo.use((r) => r.insert(Fixtures.customer(id)))
      const repo = yield* UsageEventRepo.UsageEventRepo
      yield* repo.record(Fixtures.usageEvent(id, "keep", "10"))
      yield* repo.record(Fixtures.usageEvent(id, "wrong", "999999"))
    })
  )
  return id
}).pipe(Effect.orDie)

const voidAs = (customerId: Ids.CustomerId, id: string, why = "sent twice by a retry bug") =>
  UsageVoid.voidEvent({ customerId, eventId: id as Ids.UsageEventId, reason: reason(why) }).pipe(
    Effect.provideService(Tenancy.CurrentPrincipal, operator)
  )

const listed = (customerId: Ids.CustomerId) =>
  Effect.flatMap(Tenancy.Tenancy, (tenancy) =>
    tenancy.runAs(
      customerId,
      UsageEventRepo.UsageEventRepo.use((r) => r.listForPeriod(customerId, october))
    )
  ).pipe(Effect.map((events) => events.map((e) => e.id as string)))

const audited = (customerId: Ids.CustomerId) =>
  Effect.flatMap(Tenancy.Tenancy, (tenancy) =>
    tenancy.runAs(
      customerId,
      AuditLog.AuditLog.use((log) => log.list(customerId))
    )
  ).pipe(Effect.map((events) => events.filter((e) => e.action === "usage_event.voided")))

suite("UsageVoid", (it, kind) => {
  it.effect("a voided event is kept and marked, audited, and left out of every read that prices", () =>
    Effect.gen(function* () {
      const id = yield* customerWithTwoEvents
      const voided = yield* voidAs(id, "wrong")
      assert.deepStrictEqual(
        {
          eventId: voided.eventId,
          metric: voided.metric,
          quantity: voided.quantity,
          period: voided.period,
          voidedBy: voided.voidedBy,
          reason: voided.reason
        },
        {
          eventId: "wrong",
          metric: "api_calls",
          quantity: "999999",
          period: "2026-10",
          voidedBy: "operator:alice",
          reason: "sent twice by a retry bug"
        }
      )
      assert.deepStrictEqual(yield* listed(id), ["keep"])
      const batch = yield* Effect.flatMap(Tenancy.Tenancy, (t) =>
        t.runAsWorker(BillableUsage.BillableUsage.use((u) => u.closeAndRead([id], october)))
      )
      assert.deepStrictEqual(
        (batch.get(id) ?? []).map((e) => e.id as string),
        ["keep"]
      )
      // Still stored, with who, when and why.
      const sql = yield* SqlClient.SqlClient
      const rows = yield* sql<{ voided_by: string; void_reason: string; voided: boolean }>`
        SELECT voided_by, void_reason, voided_at IS NOT NULL AS voided FROM usage_events
        WHERE customer_id = ${id} AND event_id = 'wrong'`
      assert.deepStrictEqual(
        rows.map((r) => ({ ...r })),
        [{ voided_by: "operator:alice", void_reason: "sent twice by a retry bug", voided: true }]
      )
      // Audited, in the customer's chain, which still verifies.
      const events = yield* audited(id)
      assert.strictEqual(events.length, 1)
      assert.deepInclude(events[0]!, {
        actor: "operator:alice",
        subjectType: "usage_event",
        subjectId: "wrong"
      })
      assert.deepInclude(events[0]!.payload as object, {
        metric: "api_calls",
        quantity: "999999",
        period: "2026-10",
        reason: "sent twice by a retry bug",
        occurredAt: DateTime.formatIso(Fixtures.at)
      })
      const verification = yield* Effect.flatMap(Tenancy.Tenancy, (t) =>
        t.runAs(
          id,
          AuditLog.AuditLog.use((log) => log.verify(id))
        )
      )
      assert.strictEqual(verification._tag, "ChainIntact")
      // A resend of the voided event is a duplicate: it does not come back.
      const resent = yield* Effect.flatMap(Tenancy.Tenancy, (t) =>
        t.runAs(
          id,
          UsageEventRepo.UsageEventRepo.use((r) => r.record(Fixtures.usageEvent(id, "wrong", "999999")))
        )
      )
      assert.strictEqual(resent, "duplicate")
      assert.deepStrictEqual(yield* listed(id), ["keep"])
    }).pipe(Effect.provide([S.layers, PgBillableUsage.layer]))
  )

  it.effect("the void and its audit event commit or roll back together", () =>
    Effect.gen(function* () {
      const id = yield* customerWithTwoEvents
      const tenancy = yield* Tenancy.Tenancy
      const failed = yield* Effect.flip(
        tenancy.runAs(
          id,
          Effect.andThen(
            UsageEventRepo.UsageEventRepo.use((r) =>
              r.voidEvent({
                customerId: id,
                eventId: "wrong",
                reason: reason("test"),
                actor: "operator:alice"
              })
            ),
            Effect.fail("later step failed" as const)
          )
        )
      )
      assert.strictEqual(failed, "later step failed")
      assert.deepStrictEqual(yield* listed(id), ["keep", "wrong"])
      assert.strictEqual((yield* audited(id)).length, 0)
    }).pipe(Effect.provide(S.layers))
  )

  it.effect(
    "refused, with nothing changed or audited: unknown, another tenant's, already voided, invoiced period",
    () =>
      Effect.gen(function* () {
        const id = yield* customerWithTwoEvents
        const other = yield* customerWithTwoEvents
        const refusal = (customerId: Ids.CustomerId, event: string) =>
          Effect.map(Effect.flip(voidAs(customerId, event)), (e) =>
            e._tag === "UsageEventVoidRefused" ? `${e.code} ${e.period ?? "-"}` : e._tag
          )
        assert.strictEqual(yield* refusal(id, "nope"), "USAGE.EVENT_NOT_FOUND -")
        // The other tenant's "wrong" is invisible from this tenant: its own "wrong" is voided instead,
        // and the other tenant's stays live.
        yield* voidAs(id, "wrong")
        assert.deepStrictEqual(yield* listed(other), ["keep", "wrong"])
        assert.strictEqual(yield* refusal(id, "wrong"), "USAGE.EVENT_ALREADY_VOIDED 2026-10")
        // October invoiced: its usage is what the invoice says.
        const tenancy = yield* Tenancy.Tenancy
        yield* tenancy.runAs(
          id,
          Effect.flatMap(Fixtures.draftInvoice(id), (invoice) =>
            InvoiceRepo.InvoiceRepo.use((r) => r.insert(invoice))
          )
        )
        assert.strictEqual(yield* refusal(id, "keep"), "USAGE.PERIOD_INVOICED 2026-10")
        assert.deepStrictEqual(yield* listed(id), ["keep"])
        assert.strictEqual((yield* audited(id)).length, 1, "only the one void that happened")
        assert.strictEqual((yield* audited(other)).length, 0)
      }).pipe(Effect.provide(S.layers))
  )

  it.effect(
    "no anonymous voids: without a CurrentPrincipal the operation dies before touching anything",
    () =>
      Effect.gen(function* () {
        const id = yield* customerWithTwoEvents
        const exit = yield* Effect.exit(
          UsageVoid.voidEvent({ customerId: id, eventId: "wrong" as Ids.UsageEventId, reason: reason("x") })
        )
        assert.isTrue(exit._tag === "Failure")
        assert.deepStrictEqual(yield* listed(id), ["keep", "wrong"])
      }).pipe(Effect.provide(S.layers))
  )

  it.effect(
    "the app role cannot UPDATE usage events or insert one voided; only the app may call the function",
    () =>
      Effect.gen(function* () {
        const id = yield* customerWithTwoEvents
        const db = yield* TestDatabase
        const asApp = <A>(f: (sql: SqlClient.SqlClient) => Effect.Effect<A, unknown>) =>
          Effect.flip(
            db.asLogin(
              Roles.app,
              Effect.flatMap(SqlClient.SqlClient, (sql) =>
                sql.withTransaction(
                  Effect.andThen(sql`SELECT set_config('app.customer_id', ${id}, true)`, f(sql))
                )
              )
            )
          )
        const denied = (e: unknown) => (e as { reason?: { _tag?: string } }).reason?._tag
        assert.strictEqual(
          denied(yield* asApp((sql) => sql`UPDATE usage_events SET quantity = 0 WHERE event_id = 'wrong'`)),
          "AuthorizationError",
          "no UPDATE on usage_events"
        )
        assert.strictEqual(
          denied(
            yield* asApp(
              (sql) => sql`UPDATE usage_events SET voided_at = now(), voided_by = 'x', void_reason = 'x'
              WHERE event_id = 'wrong'`
            )
          ),
          "AuthorizationError",
          "no column-level UPDATE either"
        )
        assert.strictEqual(
          denied(
            yield* asApp(
              (sql) => sql`INSERT INTO usage_events (customer_id, event_id, metric, occurred_at, quantity,
              voided_at, voided_by, void_reason)
              VALUES (${id}, 'born-voided', 'api_calls', now(), 1, now(), 'x', 'x')`
            )
          ),
          "AuthorizationError",
          "an event is born unvoided"
        )
        // The worker (and anyone else) may not call the function.
        const worker = yield* Effect.flip(
          db.asLogin(
            Roles.worker,
            Effect.flatMap(
              SqlClient.SqlClient,
              (sql) => sql`SELECT * FROM usage_event_void('wrong', 'x', 'worker:billing')`
            )
          )
        )
        assert.strictEqual(denied(worker), "AuthorizationError", "the worker may not void")
        // The app without a tenant context: refused by the function itself.
        const anonymous = yield* Effect.flip(
          db.asLogin(
            Roles.app,
            Effect.flatMap(
              SqlClient.SqlClient,
              (sql) => sql`SELECT * FROM usage_event_void('wrong', 'x', 'x')`
            )
          )
        )
        assert.strictEqual(denied(anonymous), "AuthorizationError", "no void outside a tenant")
        assert.deepStrictEqual(yield* listed(id), ["keep", "wrong"])
      }).pipe(Effect.provide(S.layers))
  )

  if (kind === "server") {
    it.effect(
      "a billing read of a month waits for a void in progress there, then reads the event as voided",
      () =>
        Effect.gen(function* () {
          const id = yield* customerWithTwoEvents
          const tenancy = yield* Tenancy.Tenancy
          const sql = yield* SqlClient.SqlClient
          const voided = yield* Deferred.make<void>()
          const commit = yield* Deferred.make<void>()
          // The operator's transaction: voids, then stays open until told to commit.
          const operatorTx = yield* Effect.forkChild(
            tenancy.runAs(
              id,
              Effect.gen(function* () {
                yield* UsageEventRepo.UsageEventRepo.use((r) =>
                  r.voidEvent({
                    customerId: id,
                    eventId: "wrong",
                    reason: reason("dup"),
                    actor: "operator:alice"
                  })
                )
                yield* Deferred.succeed(voided, undefined)
                yield* Deferred.await(commit)
              })
            )
          )
          yield* Deferred.await(voided)
          const reading = yield* Effect.forkChild(
            tenancy.runAsWorker(BillableUsage.BillableUsage.use((u) => u.closeAndRead([id], october)))
          )
          const waiting = sql<{ n: number }>`
            SELECT count(*)::int AS n FROM pg_stat_activity
            WHERE wait_event_type = 'Lock' AND query LIKE '%lock_usage_periods%'
              AND datname = current_database() AND pid <> pg_backend_pid()`
          for (let i = 0; i < 600; i++) {
            if ((yield* waiting)[0]!.n > 0 || reading.pollUnsafe() !== undefined) break
            yield* Effect.sleep("50 millis")
          }
          assert.isUndefined(reading.pollUnsafe(), "the billing read did not wait for the void")
          yield* Deferred.succeed(commit, undefined)
          yield* Fiber.join(operatorTx)
          const usage = yield* Fiber.join(reading)
          assert.deepStrictEqual(
            (usage.get(id) ?? []).map((e) => e.id as string),
            ["keep"]
          )
        }).pipe(Effect.provide([S.layers, PgBillableUsage.layer])),
      60_000
    )

    it.effect(
      "a void racing the billing transaction of its month waits for the invoice, then is refused",
      () =>
        Effect.gen(function* () {
          const id = yield* customerWithTwoEvents
          const tenancy = yield* Tenancy.Tenancy
          const sql = yield* SqlClient.SqlClient
          const read = yield* Deferred.make<void>()
          const commit = yield* Deferred.make<void>()
          // The billing transaction of October: reads the month (taking its lock, shared), waits,
          // then stores the invoice priced from what it read and commits.
          const billing = yield* Effect.forkChild(
            tenancy.runAsWorker(
              Effect.gen(function* () {
                const usage = yield* BillableUsage.BillableUsage.use((u) => u.closeAndRead([id], october))
                assert.strictEqual(usage.get(id)?.length, 2)
                yield* Deferred.succeed(read, undefined)
                yield* Deferred.await(commit)
                const invoice = yield* Fixtures.draftInvoice(id)
                yield* InvoiceRepo.InvoiceRepo.use((r) => r.insert(invoice))
              })
            )
          )
          yield* Deferred.await(read)
          // Meanwhile the operator voids one of those events, on another connection.
          const racing = yield* Effect.forkChild(Effect.result(voidAs(id, "wrong")))
          const waiting = sql<{ n: number }>`
            SELECT count(*)::int AS n FROM pg_stat_activity
            WHERE wait_event_type = 'Lock' AND query LIKE 'SELECT * FROM usage_event_void%'
              AND datname = current_database() AND pid <> pg_backend_pid()`
          // Until the void is seen waiting for the lock, or has finished (which it must not: that
          // is the race this guards against).
          for (let i = 0; i < 600; i++) {
            if ((yield* waiting)[0]!.n > 0 || racing.pollUnsafe() !== undefined) break
            yield* Effect.sleep("50 millis")
          }
          assert.isUndefined(racing.pollUnsafe(), "the void did not wait for the billing transaction")
          yield* Deferred.succeed(commit, undefined)
          yield* Fiber.join(billing)
          const outcome = yield* Fiber.join(racing)
          assert.strictEqual(outcome._tag, "Failure")
          if (outcome._tag === "Failure") {
            assert.strictEqual(
              (outcome.failure as UsageVoid.UsageEventVoidRefused).code,
              "USAGE.PERIOD_INVOICED"
            )
          }
          assert.deepStrictEqual(yield* listed(id), ["keep", "wrong"])
        }).pipe(Effect.provide([S.layers, PgBillableUsage.layer])),
      60_000
    )
  }
})
