import { assert } from "@effect/vitest"
import { AuditEvent, AuditLog, CustomerRepo, type Ids, InvoiceRepo, Tenancy } from "@securebase/core"
import { DateTime, Effect, Schema } from "effect"
import { SqlClient } from "effect/sql"
import type { SqlError } from "effect/sql/SqlError"
import * as Roles from "../../src/postgres/Roles.ts"
import * as Fixtures from "./support/Fixtures.ts"
import { suite, TestDatabase } from "./support/TestDatabase.ts"

const event = (customerId: Ids.CustomerId, n: number) =>
  new AuditEvent.NewAuditEvent({
    customerId,
    action: Schema.decodeSync(AuditEvent.AuditAction)("support_ticket.opened"),
    subjectType: "support_ticket",
    subjectId: `ticket-${n}`,
    payload: { n, total: "1234.56", lines: [1, 2, { nested: true }] }
  })

/** The v2 hash function applied to a row's own columns: what a forger with the public function runs. */
const rehash = `audit_event_hash_v2(customer_id, seq, action, actor, db_role, subject_type, subject_id,
  payload, occurred_at, prev_hash)`

/** A customer with `count` audit events, appended one transaction each. */
const withChain = (count: number) =>
  Effect.gen(function* () {
    const tenancy = yield* Tenancy.Tenancy
    const audit = yield* AuditLog.AuditLog
    const id = Fixtures.customerId()
    yield* tenancy.runAs(id, (yield* CustomerRepo.CustomerRepo).insert(Fixtures.customer(id)))
    for (let n = 1; n <= count; n++) yield* tenancy.runAs(id, audit.append(event(id, n)))
    return id
  })

/** The reason tag of a failed statement, or "succeeded". */
const outcome = <A, R>(effect: Effect.Effect<A, SqlError | unknown, R>) =>
  Effect.match(effect, {
    onFailure: (e) => ((e as SqlError)._tag === "SqlError" ? (e as SqlError).reason._tag : String(e)),
    onSuccess: () => "succeeded"
  })

/** Runs statements as the superuser with triggers disabled: the one way left to edit the log. */
const tamper = (...statements: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    yield* sql.withTransaction(
      Effect.gen(function* () {
        yield* sql.unsafe("SET LOCAL session_replication_role = replica")
        for (const s of statements) yield* sql.unsafe(s)
      })
    )
  })

suite("PgAuditLog", (it) => {
  it.effect("appends a hash chain: consecutive positions, each event pointing at the previous hash", () =>
    Effect.gen(function* () {
      const tenancy = yield* Tenancy.Tenancy
      const audit = yield* AuditLog.AuditLog
      const id = yield* withChain(3)
      const events = yield* tenancy.runAs(id, audit.list(id))
      assert.deepStrictEqual(
        events.map((e) => e.seq),
        [1, 2, 3]
      )
      assert.strictEqual(events[0]!.prevHash, AuditEvent.genesisHash)
      assert.strictEqual(events[1]!.prevHash, events[0]!.hash)
      assert.strictEqual(events[2]!.prevHash, events[1]!.hash)
      assert.strictEqual(new Set(events.map((e) => e.hash)).size, 3)
      assert.deepStrictEqual(events[2]!.payload, event(id, 3).payload)
      const verified = yield* tenancy.runAs(id, audit.verify(id))
      assert.deepStrictEqual(
        verified,
        new AuditEvent.ChainIntact({ customerId: id, events: 3, head: events[2]!.hash })
      )
    }).pipe(Effect.provide(Fixtures.adapters))
  )

  it.effect("an audit event commits or rolls back with the change it records", () =>
    Effect.gen(function* () {
      const tenancy = yield* Tenancy.Tenancy
      const audit = yield* AuditLog.AuditLog
      const customers = yield* CustomerRepo.CustomerRepo
      const id = Fixtures.customerId()
      const failed = yield* Effect.flip(
        tenancy.runAs(
          id,
          Effect.gen(function* () {
            yield* customers.insert(Fixtures.customer(id))
            yield* audit.append(event(id, 1))
            return yield* Effect.fail("payment provider said no" as const)
          })
        )
      )
      assert.strictEqual(failed, "payment provider said no")
      const worker = yield* tenancy.runAsWorker(
        Effect.all([audit.list(id), Effect.flip(customers.findById(id))])
      )
      assert.deepStrictEqual(worker[0], [])
      assert.strictEqual(worker[1]._tag, "NotFound")
    }).pipe(Effect.provide(Fixtures.adapters))
  )

  it.effect(
    "appending to another customer's chain is TenantAccessDenied; the worker appends a billing action about that customer's invoice",
    () =>
      Effect.gen(function* () {
        const tenancy = yield* Tenancy.Tenancy
        const audit = yield* AuditLog.AuditLog
        const a = yield* withChain(1)
        const b = yield* withChain(1)
        const error = yield* Effect.flip(tenancy.runAs(a, audit.append(event(b, 2))))
        assert.strictEqual(error._tag, "TenantAccessDenied")
        const invoice = yield* Fixtures.draftInvoice(b)
        yield* tenancy.runAsWorker((yield* InvoiceRepo.InvoiceRepo).insert(invoice))
        const appended = yield* tenancy.runAsWorker(
          audit.append(
            new AuditEvent.NewAuditEvent({
              customerId: b,
              action: Schema.decodeSync(AuditEvent.AuditAction)("invoice.issued"),
              subjectType: "invoice",
              subjectId: invoice.id,
              payload: {}
            })
          )
        )
        assert.strictEqual(appended.seq, 2)
        assert.strictEqual(appended.actor, "worker:billing")
        assert.deepStrictEqual(
          yield* tenancy.runAs(a, audit.list(b)),
          [],
          "a tenant cannot read another's chain"
        )
      }).pipe(Effect.provide(Fixtures.adapters))
  )

  it.effect(
    "UPDATE, DELETE and TRUNCATE of audit events are refused for the app, the worker and the owner",
    () =>
      Effect.gen(function* () {
        const tenancy = yield* Tenancy.Tenancy
        const db = yield* TestDatabase
        const sql = yield* SqlClient.SqlClient
        const id = yield* withChain(2)
        const before = yield* tenancy.runAs(id, (yield* AuditLog.AuditLog).list(id))
        const update = sql`UPDATE audit_events SET actor = 'mallory' WHERE customer_id = ${id}`
        const remove = sql`DELETE FROM audit_events WHERE customer_id = ${id}`
        const truncate = sql`TRUNCATE audit_events`
        const asApp = yield* Effect.all([update, remove, truncate].map((s) => outcome(tenancy.runAs(id, s))))
        const asWorker = yield* Effect.all(
          [update, remove, truncate].map((s) => outcome(tenancy.runAsWorker(s)))
        )
        // The owner holds every privilege on its table; the append-only triggers refuse it anyway.
        const asOwner = yield* db.asLogin(
          Roles.owner,
          Effect.gen(function* () {
            const owner = yield* SqlClient.SqlClient
            const inTenant = (s: typeof update) =>
              outcome(
                owner.withTransaction(
                  Effect.andThen(owner`SELECT set_config('app.customer_id', ${id}, true)`, s)
                )
              )
            return yield* Effect.all([
              inTenant(owner`UPDATE audit_events SET actor = 'mallory' WHERE customer_id = ${id}`),
              inTenant(owner`DELETE FROM audit_events WHERE customer_id = ${id}`),
              inTenant(owner`TRUNCATE audit_events`)
            ])
          })
        )
        const denied = ["AuthorizationError", "AuthorizationError", "AuthorizationError"]
        assert.deepStrictEqual(asApp, denied)
        assert.deepStrictEqual(asWorker, denied)
        assert.deepStrictEqual(asOwner, denied)
        const audit = yield* AuditLog.AuditLog
        const events = yield* tenancy.runAs(id, audit.list(id))
        assert.strictEqual(events.length, 2)
        assert.deepStrictEqual(events, before)
      }).pipe(Effect.provide(Fixtures.adapters))
  )

  it.effect("a superuser's edit of an event's content is reported at that event", () =>
    Effect.gen(function* () {
      const tenancy = yield* Tenancy.Tenancy
      const audit = yield* AuditLog.AuditLog
      const id = yield* withChain(5)
      const other = yield* withChain(2)
      const third = (yield* tenancy.runAs(id, audit.list(id)))[2]!
      yield* tamper(`UPDATE audit_events SET payload = '{"n": 3, "total": "0.01"}' WHERE id = '${third.id}'`)
      assert.deepStrictEqual(
        yield* tenancy.runAs(id, audit.verify(id)),
        new AuditEvent.ChainBroken({ customerId: id, seq: 3, eventId: third.id, reason: "hash-mismatch" })
      )
      assert.strictEqual((yield* tenancy.runAs(other, audit.verify(other)))._tag, "ChainIntact")
    }).pipe(Effect.provide(Fixtures.adapters))
  )

  it.effect("an edit whose hash was recomputed is reported at the next event", () =>
    Effect.gen(function* () {
      const tenancy = yield* Tenancy.Tenancy
      const audit = yield* AuditLog.AuditLog
      const id = yield* withChain(5)
      const events = yield* tenancy.runAs(id, audit.list(id))
      yield* tamper(
        `UPDATE audit_events SET actor = 'mallory' WHERE id = '${events[2]!.id}'`,
        `UPDATE audit_events SET hash = ${rehash} WHERE id = '${events[2]!.id}'`
      )
      assert.deepStrictEqual(
        yield* tenancy.runAs(id, audit.verify(id)),
        new AuditEvent.ChainBroken({
          customerId: id,
          seq: 4,
          eventId: events[3]!.id,
          reason: "prev-hash-mismatch"
        })
      )
    }).pipe(Effect.provide(Fixtures.adapters))
  )

  it.effect("a deleted event is reported where the chain no longer links, even when re-linked", () =>
    Effect.gen(function* () {
      const tenancy = yield* Tenancy.Tenancy
      const audit = yield* AuditLog.AuditLog
      const id = yield* withChain(5)
      const events = yield* tenancy.runAs(id, audit.list(id))
      yield* tamper(`DELETE FROM audit_events WHERE id = '${events[2]!.id}'`)
      assert.deepStrictEqual(
        yield* tenancy.runAs(id, audit.verify(id)),
        new AuditEvent.ChainBroken({
          customerId: id,
          seq: 4,
          eventId: events[3]!.id,
          reason: "prev-hash-mismatch"
        })
      )
      // A careful forger re-links event 4 to event 2 and re-hashes it: the position still gives it away.
      yield* tamper(
        `UPDATE audit_events SET prev_hash = decode('${events[1]!.hash}', 'hex') WHERE id = '${events[3]!.id}'`,
        `UPDATE audit_events SET hash = ${rehash} WHERE id = '${events[3]!.id}'`
      )
      assert.deepStrictEqual(
        yield* tenancy.runAs(id, audit.verify(id)),
        new AuditEvent.ChainBroken({ customerId: id, seq: 4, eventId: events[3]!.id, reason: "sequence-gap" })
      )
    }).pipe(Effect.provide(Fixtures.adapters))
  )

  it.effect("a caller cannot choose its own position or hashes: the trigger assigns them", () =>
    Effect.gen(function* () {
      const tenancy = yield* Tenancy.Tenancy
      const audit = yield* AuditLog.AuditLog
      const sql = yield* SqlClient.SqlClient
      const id = yield* withChain(1)
      yield* tenancy.runAs(
        id,
        sql`INSERT INTO audit_events (customer_id, seq, action, actor, occurred_at, prev_hash, hash)
            VALUES (${id}, 42, 'forged.event', 'mallory', now(), decode(repeat('ab', 32), 'hex'), decode(repeat('cd', 32), 'hex'))`
      )
      const events = yield* tenancy.runAs(id, audit.list(id))
      assert.strictEqual(events[1]!.seq, 2)
      assert.strictEqual(events[1]!.prevHash, events[0]!.hash)
      assert.strictEqual((yield* tenancy.runAs(id, audit.verify(id)))._tag, "ChainIntact")
    }).pipe(Effect.provide(Fixtures.adapters))
  )

  // Regression (issue 10): the app role could insert a back-dated event with any actor.
  it.effect(
    "a back-dated event with a foreign actor gets the database's time, the transaction's actor and role",
    () =>
      Effect.gen(function* () {
        const tenancy = yield* Tenancy.Tenancy
        const audit = yield* AuditLog.AuditLog
        const sql = yield* SqlClient.SqlClient
        const id = yield* withChain(1)
        const [now] = yield* tenancy
          .runAs(
            id,
            Effect.gen(function* () {
              yield* sql`INSERT INTO audit_events (customer_id, action, actor, db_role, hash_version, occurred_at,
                           recorded_at, prev_hash, hash)
                         VALUES (${id}, 'api_key.created', 'worker:billing', 'securebase_worker', 1,
                           '2001-01-01T00:00:00Z', '2001-01-01T00:00:00Z', decode(repeat('ab', 32), 'hex'),
                           decode(repeat('cd', 32), 'hex'))`
              return yield* sql<{ now: Date }>`SELECT now() AS now`
            })
          )
          .pipe(Effect.provideService(Tenancy.CurrentPrincipal, { actor: "api_key:abcdefghijklmnop" }))
        const forged = (yield* tenancy.runAs(id, audit.list(id)))[1]!
        assert.strictEqual(forged.actor, "api_key:abcdefghijklmnop")
        assert.strictEqual(forged.dbRole, Roles.app)
        assert.strictEqual(DateTime.toEpochMillis(forged.occurredAt), now!.now.getTime())
        const [row] = yield* sql<{ version: number; recorded: Date }>`
          SELECT hash_version AS version, recorded_at AS recorded FROM audit_events WHERE id = ${forged.id}`
        assert.strictEqual(row!.version, 2)
        assert.isAbove(row!.recorded.getFullYear(), 2001)
        assert.strictEqual((yield* tenancy.runAs(id, audit.verify(id)))._tag, "ChainIntact")
        // With no principal, the event names the database role that wrote it.
        const anonymous = yield* tenancy.runAs(id, audit.append(event(id, 3)))
        assert.strictEqual(anonymous.actor, `role:${Roles.app}`)
      }).pipe(Effect.provide(Fixtures.adapters))
  )

  it.effect(
    "the app may not act as the worker or as a database role, nor append the worker's billing actions",
    () =>
      Effect.gen(function* () {
        const tenancy = yield* Tenancy.Tenancy
        const audit = yield* AuditLog.AuditLog
        const id = yield* withChain(1)
        const as = (actor: string) =>
          Effect.flip(
            tenancy
              .runAs(id, audit.append(event(id, 2)))
              .pipe(Effect.provideService(Tenancy.CurrentPrincipal, { actor }))
          ).pipe(Effect.map((e) => e._tag))
        assert.deepStrictEqual(
          yield* Effect.all([
            as("worker:billing"),
            as(`role:${Roles.worker}`),
            as("api_key:x\nforged"),
            as("nocolon")
          ]),
          ["TenantAccessDenied", "TenantAccessDenied", "TenantAccessDenied", "TenantAccessDenied"]
        )
        for (const action of Object.keys(AuditEvent.workerActions)) {
          const refused = yield* Effect.flip(
            tenancy.runAs(
              id,
              audit.append(
                new AuditEvent.NewAuditEvent({
                  ...event(id, 2),
                  action: Schema.decodeSync(AuditEvent.AuditAction)(action)
                })
              )
            )
          )
          assert.strictEqual(refused._tag, "TenantAccessDenied", action)
        }
        assert.strictEqual((yield* tenancy.runAs(id, audit.list(id))).length, 1)
      }).pipe(Effect.provide(Fixtures.adapters))
  )

  it.effect("events stored before migration 0010 (hash version 1) still verify, followed by version 2", () =>
    Effect.gen(function* () {
      const tenancy = yield* Tenancy.Tenancy
      const audit = yield* AuditLog.AuditLog
      const id = Fixtures.customerId()
      yield* tenancy.runAs(id, (yield* CustomerRepo.CustomerRepo).insert(Fixtures.customer(id)))
      // What migration 0002's trigger wrote: the writer's actor and time, hashed with version 1.
      yield* tamper(
        `INSERT INTO audit_events (customer_id, seq, action, actor, occurred_at, prev_hash, hash)
         VALUES ('${id}', 1, 'api_key.created', 'customer', '2026-10-01T00:00:00Z', decode(repeat('00', 32), 'hex'),
           audit_event_hash('${id}', 1, 'api_key.created', 'customer', NULL, NULL, '{}'::jsonb,
             '2026-10-01T00:00:00Z', decode(repeat('00', 32), 'hex')))`
      )
      yield* tenancy.runAs(id, audit.append(event(id, 2)))
      const events = yield* tenancy.runAs(id, audit.list(id))
      assert.deepStrictEqual(
        events.map((e) => [e.seq, e.dbRole]),
        [
          [1, null],
          [2, Roles.app]
        ]
      )
      assert.deepStrictEqual(
        yield* tenancy.runAs(id, audit.verify(id)),
        new AuditEvent.ChainIntact({ customerId: id, events: 2, head: events[1]!.hash })
      )
    }).pipe(Effect.provide(Fixtures.adapters))
  )

  it.effect("a version-2 event rewritten as version 1 and re-linked is reported at that event", () =>
    Effect.gen(function* () {
      const tenancy = yield* Tenancy.Tenancy
      const audit = yield* AuditLog.AuditLog
      const id = yield* withChain(3)
      const events = yield* tenancy.runAs(id, audit.list(id))
      // Version 1 does not cover db_role: a forger would "downgrade" an event to rewrite it freely.
      yield* tamper(
        `UPDATE audit_events SET hash_version = 1, db_role = NULL, actor = 'mallory' WHERE id = '${events[1]!.id}'`,
        `UPDATE audit_events SET hash = audit_event_hash(customer_id, seq, action, actor, subject_type, subject_id,
           payload, occurred_at, prev_hash) WHERE id = '${events[1]!.id}'`,
        `UPDATE audit_events SET prev_hash = (SELECT hash FROM audit_events WHERE id = '${events[1]!.id}')
         WHERE id = '${events[2]!.id}'`,
        `UPDATE audit_events SET hash = ${rehash} WHERE id = '${events[2]!.id}'`
      )
      assert.deepStrictEqual(
        yield* tenancy.runAs(id, audit.verify(id)),
        new AuditEvent.ChainBroken({
          customerId: id,
          seq: 2,
          eventId: events[1]!.id,
          reason: "hash-mismatch"
        })
      )
    }).pipe(Effect.provide(Fixtures.adapters))
  )

  it.effect("pages newest first by seq; another tenant's events are never in a page", () =>
    Effect.gen(function* () {
      const tenancy = yield* Tenancy.Tenancy
      const audit = yield* AuditLog.AuditLog
      const id = yield* withChain(5)
      const other = yield* withChain(3)
      const first = yield* tenancy.runAs(id, audit.page(id, { limit: 2 }))
      const second = yield* tenancy.runAs(id, audit.page(id, { limit: 2, before: first[1]!.seq }))
      const third = yield* tenancy.runAs(id, audit.page(id, { limit: 2, before: second[1]!.seq }))
      assert.deepStrictEqual(
        [first, second, third].map((p) => p.map((e) => e.seq)),
        [[5, 4], [3, 2], [1]]
      )
      assert.deepStrictEqual(yield* tenancy.runAs(id, audit.page(other, { limit: 10 })), [])
      assert.deepStrictEqual(
        yield* tenancy.runAs(
          id,
          Effect.map(audit.at(other, 1), (o) => o._tag)
        ),
        "None"
      )
      assert.deepStrictEqual(yield* tenancy.runAs(id, audit.chains), [id])
      const all = yield* tenancy.runAsWorker(audit.chains)
      assert.includeMembers([...all], [id, other])
    }).pipe(Effect.provide(Fixtures.adapters))
  )
})
