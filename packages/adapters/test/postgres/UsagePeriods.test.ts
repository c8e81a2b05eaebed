/**
 * Closed periods in the database (migration 0007): an event for a month its customer is invoiced
 * for is refused whoever inserts it, the billing of a customer and the insert of its events are
 * ordered by the period's advisory lock (on the server, with real connections), a batch is one
 * INSERT in key order, and the customers' overdue grace defaults to the core's.
 */
import { assert } from "@effect/vitest"
import {
  BillableUsage,
  Customer,
  CustomerRepo,
  type Ids,
  InvoiceRepo,
  Period,
  type PeriodClose,
  Tenancy,
  UsageEventRepo
} from "@securebase/core"
import { DateTime, Deferred, Effect, Exit, Fiber, Layer, Schema } from "effect"
import { SqlClient } from "effect/sql"
import type { SqlError } from "effect/sql/SqlError"
import { isolationSqlState, periodClosedSqlState } from "../../src/postgres/migrations/0007_usage_periods.ts"
import * as PgBilling from "../../src/postgres/PgBilling.ts"
import { serverFields } from "../../src/postgres/SqlErrors.ts"
import * as Fixtures from "./support/Fixtures.ts"
import { suite, TestDatabase } from "./support/TestDatabase.ts"

const october = Schema.decodeSync(Period.Period)("2026-10")
const inOctober = DateTime.makeUnsafe("2026-10-20T08:00:00Z")
const inNovember = DateTime.makeUnsafe("2026-11-03T08:00:00Z")

const layers = Layer.merge(Fixtures.adapters, PgBilling.layer)

const onboard = Effect.gen(function* () {
  const id = Fixtures.customerId()
  yield* Tenancy.Tenancy.use((t) =>
    t.runAs(
      id,
      CustomerRepo.CustomerRepo.use((r) => r.insert(Fixtures.customer(id)))
    )
  )
  return id
})

/** Stores the customer's October invoice (a draft is enough: the period is invoiced). */
const invoiceOctober = (id: Ids.CustomerId) =>
  Effect.flatMap(Fixtures.draftInvoice(id, "2026-10"), (invoice) =>
    Tenancy.Tenancy.use((t) =>
      t.runAs(
        id,
        InvoiceRepo.InvoiceRepo.use((r) => r.insert(invoice))
      )
    )
  )

const record = (id: Ids.CustomerId, ...events: Parameters<typeof Fixtures.usageEvent>[]) =>
  Tenancy.Tenancy.use((t) =>
    t.runAs(
      id,
      UsageEventRepo.UsageEventRepo.use((r) => r.recordAll(events.map((e) => Fixtures.usageEvent(...e))))
    )
  )

const storedIds = (id: Ids.CustomerId) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql<{
      event_id: string
    }>`SELECT event_id FROM usage_events WHERE customer_id = ${id} ORDER BY event_id`.pipe(
      Effect.map((rows) => rows.map((r) => r.event_id)),
      Effect.orDie
    )
  )

const sqlState = (exit: Exit.Exit<unknown, SqlError>) =>
  Exit.isFailure(exit) && exit.cause.reasons[0]?._tag === "Fail"
    ? serverFields(exit.cause.reasons[0].error as SqlError).code
    : "no error"

suite("Closed usage periods", (it, kind) => {
  it.effect(
    "an event for an invoiced month is PeriodClosed, naming it; nothing of its batch is stored; a resend of a stored event stays a duplicate",
    () =>
      Effect.gen(function* () {
        const id = yield* onboard
        const before = yield* record(id, [id, "oct-early", "5", inOctober])
        assert.deepStrictEqual(before, { recorded: 1, duplicates: 0 })
        yield* invoiceOctober(id)
        const error = yield* Effect.flip(
          record(id, [id, "nov-1", "1", inNovember], [id, "oct-late", "1", inOctober])
        )
        assert.strictEqual(error._tag, "PeriodClosed")
        const closed = error as PeriodClose.PeriodClosed
        assert.deepStrictEqual(
          [closed.code, closed.period, closed.reason, closed.eventId],
          ["USAGE.PERIOD_CLOSED", "2026-10", "invoiced", "oct-late"]
        )
        assert.deepStrictEqual(yield* storedIds(id), ["oct-early"])
        // The event stored before the invoice is on it: resending it is a duplicate, not an error.
        assert.deepStrictEqual(yield* record(id, [id, "oct-early", "5", inOctober]), {
          recorded: 0,
          duplicates: 1
        })
        // Other months are open.
        assert.deepStrictEqual(yield* record(id, [id, "nov-1", "1", inNovember]), {
          recorded: 1,
          duplicates: 0
        })
      }).pipe(Effect.provide(layers))
  )

  it.effect("the database refuses the event whoever inserts it: a raw INSERT, even a superuser's", () =>
    Effect.gen(function* () {
      const id = yield* onboard
      yield* invoiceOctober(id)
      const sql = yield* SqlClient.SqlClient
      // The suite's privileged login: a superuser, which row-level security does not even see.
      const raw = yield* Effect.exit(
        sql`INSERT INTO usage_events (customer_id, event_id, metric, occurred_at, quantity)
            VALUES (${id}, 'psql-1', 'api_calls', '2026-10-31T23:59:59.999Z', 1)`
      )
      assert.strictEqual(sqlState(raw), periodClosedSqlState)
      // The first instant of November is November's.
      yield* sql`INSERT INTO usage_events (customer_id, event_id, metric, occurred_at, quantity)
                 VALUES (${id}, 'psql-2', 'api_calls', '2026-11-01T00:00:00Z', 1)`
      assert.deepStrictEqual(yield* storedIds(id), ["psql-2"])
    }).pipe(Effect.provide(layers))
  )

  it.effect("the database's month is the UTC month, whatever the session's time zone", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const rows = yield* sql.withTransaction(
        Effect.andThen(
          sql`SET LOCAL TimeZone = 'Pacific/Kiritimati'`,
          sql<{ a: string; b: string }>`SELECT usage_period_of('2026-10-31T23:59:59.999Z') AS a,
                                               usage_period_of('2026-11-01T00:00:00Z') AS b`
        )
      )
      assert.deepStrictEqual(rows[0], {
        a: Period.ofDateTime(DateTime.makeUnsafe("2026-10-31T23:59:59.999Z")),
        b: Period.ofDateTime(DateTime.makeUnsafe("2026-11-01T00:00:00Z"))
      })
    })
  )

  it.effect(
    "inserts under REPEATABLE READ are refused: their snapshot could predate the invoice they must see",
    () =>
      Effect.gen(function* () {
        const id = yield* onboard
        const sql = yield* SqlClient.SqlClient
        const exit = yield* Effect.exit(
          sql.withTransaction(
            Effect.andThen(
              sql`SET TRANSACTION ISOLATION LEVEL REPEATABLE READ`,
              sql`INSERT INTO usage_events (customer_id, event_id, metric, occurred_at, quantity)
                  VALUES (${id}, 'rr-1', 'api_calls', '2026-11-02T00:00:00Z', 1)`
            )
          )
        )
        assert.strictEqual(sqlState(exit), isolationSqlState)
        assert.deepStrictEqual(yield* storedIds(id), [])
      }).pipe(Effect.provide(layers))
  )

  it.effect(
    "a batch is stored in one statement: repeats within it and resends of stored events count once, a conflict anywhere stores nothing",
    () =>
      Effect.gen(function* () {
        const id = yield* onboard
        const first = yield* record(
          id,
          [id, "b", "1", inNovember],
          [id, "a", "2", inNovember],
          [id, "b", "1.0", inNovember]
        )
        assert.deepStrictEqual(first, { recorded: 2, duplicates: 1 })
        const second = yield* record(id, [id, "c", "3", inNovember], [id, "a", "2", inNovember])
        assert.deepStrictEqual(second, { recorded: 1, duplicates: 1 })
        const conflict = yield* Effect.flip(
          record(id, [id, "d", "4", inNovember], [id, "a", "999", inNovember])
        )
        assert.deepStrictEqual([conflict._tag, (conflict as { id?: string }).id], ["UsageEventConflict", "a"])
        const repeatedConflict = yield* Effect.flip(
          record(id, [id, "e", "1", inNovember], [id, "e", "2", inNovember])
        )
        assert.strictEqual(repeatedConflict._tag, "UsageEventConflict")
        assert.deepStrictEqual(yield* storedIds(id), ["a", "b", "c"])
      }).pipe(Effect.provide(layers))
  )

  it.effect("customers get the core's default overdue grace from the column too", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const id = Fixtures.customerId()
      yield* sql`INSERT INTO customers (id, name, email, plan) VALUES (${id}, 'Raw', 'raw@x.test', 'standard')`
      const [row] = yield* sql<{
        days: number
      }>`SELECT overdue_grace_days AS days FROM customers WHERE id = ${id}`
      assert.strictEqual(row!.days, Customer.defaultOverdueGraceDays)
      const found = yield* Tenancy.Tenancy.use((t) =>
        t.runAs(
          id,
          CustomerRepo.CustomerRepo.use((r) => r.findById(id))
        )
      )
      assert.strictEqual(found.overdueGraceDays, Customer.defaultOverdueGraceDays)
      const terms = new Customer.Customer({
        ...Fixtures.customer(Fixtures.customerId()),
        overdueGraceDays: 0
      })
      const stored = yield* Tenancy.Tenancy.use((t) =>
        t.runAs(
          terms.id,
          CustomerRepo.CustomerRepo.use((r) => r.insert(terms))
        )
      )
      assert.strictEqual(stored.overdueGraceDays, 0)
    }).pipe(Effect.provide(layers))
  )

  // The ordering needs two real connections; PGlite's one connection serializes transactions.
  if (kind === "server") {
    it.effect(
      "[server] an insert racing a billing transaction waits for it, then is refused once the invoice commits",
      () =>
        Effect.gen(function* () {
          const db = yield* TestDatabase
          const id = yield* onboard
          const invoice = yield* Fixtures.draftInvoice(id, "2026-10")
          const locked = yield* Deferred.make<void>()
          const release = yield* Deferred.make<void>()
          // The billing transaction, on its own connection: lock and read, then store the invoice.
          const billing = yield* Effect.forkChild(
            db.asLogin(
              undefined,
              Tenancy.Tenancy.use((t) =>
                t.runAsWorker(
                  Effect.gen(function* () {
                    const usage = yield* BillableUsage.BillableUsage.use((u) => u.closeAndRead([id], october))
                    yield* Deferred.succeed(locked, undefined)
                    yield* Deferred.await(release)
                    yield* InvoiceRepo.InvoiceRepo.use((r) => r.insert(invoice))
                    return usage
                  })
                )
              ).pipe(Effect.provide(layers))
            )
          )
          yield* Deferred.await(locked)
          const insert = yield* Effect.forkChild(
            db.asLogin(undefined, record(id, [id, "late", "1", inOctober]).pipe(Effect.provide(layers)))
          )
          // The insert cannot finish while the billing transaction holds the period: it waits.
          yield* Effect.sleep("500 millis")
          assert.isUndefined(insert.pollUnsafe(), "the insert finished while the period was being billed")
          yield* Deferred.succeed(release, undefined)
          const read = yield* Fiber.join(billing)
          assert.strictEqual(read.get(id)?.length ?? 0, 0)
          const outcome = yield* Fiber.await(insert)
          assert.isTrue(Exit.isFailure(outcome))
          assert.strictEqual(
            Exit.isFailure(outcome) && outcome.cause.reasons[0]?._tag === "Fail"
              ? (outcome.cause.reasons[0].error as { _tag: string })._tag
              : "none",
            "PeriodClosed"
          )
          assert.deepStrictEqual(yield* storedIds(id), [])
        }).pipe(Effect.provide(layers)),
      60_000
    )

    it.effect(
      "[server] a billing transaction waits for an insert in flight, and bills its events",
      () =>
        Effect.gen(function* () {
          const db = yield* TestDatabase
          const id = yield* onboard
          const inserted = yield* Deferred.make<void>()
          const release = yield* Deferred.make<void>()
          const insert = yield* Effect.forkChild(
            db.asLogin(
              undefined,
              Tenancy.Tenancy.use((t) =>
                t.runAs(
                  id,
                  Effect.gen(function* () {
                    yield* UsageEventRepo.UsageEventRepo.use((r) =>
                      r.recordAll([Fixtures.usageEvent(id, "in-flight", "7", inOctober)])
                    )
                    yield* Deferred.succeed(inserted, undefined)
                    yield* Deferred.await(release)
                  })
                )
              ).pipe(Effect.provide(layers))
            )
          )
          yield* Deferred.await(inserted)
          const billing = yield* Effect.forkChild(
            db.asLogin(
              undefined,
              Tenancy.Tenancy.use((t) =>
                t.runAsWorker(BillableUsage.BillableUsage.use((u) => u.closeAndRead([id], october)))
              ).pipe(Effect.provide(layers))
            )
          )
          yield* Effect.sleep("500 millis")
          assert.isUndefined(billing.pollUnsafe(), "billing read the usage while an insert was in flight")
          yield* Deferred.succeed(release, undefined)
          yield* Fiber.join(insert)
          const read = yield* Fiber.join(billing)
          assert.deepStrictEqual(
            read.get(id)?.map((e) => e.id),
            ["in-flight"]
          )
        }).pipe(Effect.provide(layers)),
      60_000
    )
  }
})
