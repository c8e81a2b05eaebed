/**
 * The billing run on PostgreSQL (PGlite always, the server when DATABASE_URL is set): one invoice
 * per active customer and period however often the run starts, crashes or runs concurrently, and
 * numbers without gaps.
 */
import { assert } from "@effect/vitest"
import {
  BillingBatch,
  BillingRun,
  Customer,
  Decimal,
  type Ids,
  InvoiceNumbers,
  InvoiceRepo,
  OverdueSweep,
  Period,
  type PeriodClose,
  PersistenceError,
  PriceBook,
  Pricing,
  Tenancy,
  UsageVoid
} from "@securebase/core"
import { DateTime, Deferred, Effect, Fiber, Layer, Ref, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { TestClock } from "effect/testing"
import * as PgBillingBatch from "../../src/postgres/PgBillingBatch.ts"
import * as PgInvoiceNumbers from "../../src/postgres/PgInvoiceNumbers.ts"
import * as PgInvoiceRepo from "../../src/postgres/PgInvoiceRepo.ts"
import { suite, TestDatabase } from "../postgres/support/TestDatabase.ts"
import * as S from "./Support.ts"

const year = () => Effect.map(DateTime.now, (now) => DateTime.toParts(now).year)

const onboard = (p: string, n: number) =>
  Effect.forEach(
    Array.from({ length: n }, (_, i) => i),
    (i) => S.customerWithUsage(S.period(p), 1_000_000 + i * 10_000)
  )

const exactlyOneEach = (
  customers: ReadonlyArray<Customer.Customer>,
  rows: ReadonlyArray<{ customer_id: string }>
) => {
  const ids = rows.map((r) => r.customer_id).sort()
  assert.deepStrictEqual(ids, customers.map((c) => c.id as string).sort())
}

/** The reference card with API calls of the standard plan at $1,000,000 each (and nothing included). */
const extravagant = (): Pricing.Setup => {
  const policy = Pricing.Pricing.defaultValue()
  const book = PriceBook.referenceCard
  const charges = book.plans.standard.charges.map((c) =>
    c._tag === "Usage" && c.metric === "api_calls"
      ? {
          ...c,
          included: Decimal.zero,
          model: { _tag: "PerUnit" as const, unitPrice: Decimal.unsafe("1000000") }
        }
      : c
  ) as unknown as PriceBook.Plan["charges"]
  return Pricing.withPriceBook(policy, {
    ...book,
    plans: { ...book.plans, standard: { ...book.plans.standard, charges } }
  })
}

/** An event stored as an older version (or another writer) could have, bypassing today's bounds. */
const storeRaw = (
  customerId: Ids.CustomerId,
  eventId: string,
  metric: string,
  p: Period.Period,
  quantity: string
) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql`INSERT INTO usage_events (customer_id, event_id, metric, occurred_at, quantity)
        VALUES (${customerId}, ${eventId}, ${metric}, ${DateTime.formatIso(DateTime.add(Period.start(p), { days: 20 }))},
                ${quantity}::numeric)`.pipe(Effect.orDie)
  )

const voidAsOperator = (customerId: Ids.CustomerId, eventId: string) =>
  UsageVoid.voidEvent({
    customerId,
    eventId: eventId as Ids.UsageEventId,
    reason: Schema.decodeSync(UsageVoid.VoidReason)("quantity sent in bytes instead of GB")
  }).pipe(Effect.provideService(Tenancy.CurrentPrincipal, { actor: "operator:alice" }))

suite("BillingRun", (it, kind) => {
  it.effect("bills every active customer once, with contiguous numbers; a re-run creates nothing", () =>
    Effect.gen(function* () {
      yield* S.closeEveryone
      const p = S.period("2026-01")
      const customers = yield* onboard(p, 5)
      const before = yield* S.counter(yield* year())
      const first = yield* BillingRun.run({ period: p, concurrency: 2 })
      assert.strictEqual(first.billed, 5)
      assert.strictEqual(first.failures.length, 0)
      const rows = yield* S.invoicesOf(p)
      exactlyOneEach(customers, rows)
      const after = yield* S.counter(yield* year())
      assert.isTrue(
        S.isContiguous(
          rows.map((r) => r.number),
          before,
          after
        )
      )
      assert.isTrue(rows.every((r) => r.status === "issued"))
      assert.strictEqual(
        first.totals.get("USD"),
        rows.reduce((a, r) => a + BigInt(r.total), 0n)
      )
      // Each customer's e-mail and audit event were written with the invoice.
      const sql = yield* SqlClient.SqlClient
      const mails = yield* sql<{ n: number }>`
        SELECT count(*)::int AS n FROM notifications n JOIN invoices i ON n.payload->'data'->>'invoiceId' = i.id::text
        WHERE i.period = ${p} AND n.template = 'invoice_issued'`
      assert.strictEqual(mails[0]!.n, 5)
      const audits = yield* sql<{ n: number }>`
        SELECT count(*)::int AS n FROM audit_events a JOIN invoices i ON a.subject_id = i.id::text
        WHERE i.period = ${p} AND a.action = 'invoice.issued'`
      assert.strictEqual(audits[0]!.n, 5)

      const again = yield* BillingRun.run({ period: p, concurrency: 2 })
      assert.deepStrictEqual([again.billed, again.skipped, again.failures.length], [0, 0, 0])
      assert.strictEqual((yield* S.invoicesOf(p)).length, 5)
      assert.strictEqual(yield* S.counter(yield* year()), after)
    }).pipe(Effect.provide(S.layers))
  )

  it.effect(
    "a customer whose billing fails rolls back alone (no number used), is marked failed, and is retried",
    () =>
      Effect.gen(function* () {
        yield* S.closeEveryone
        const p = S.period("2026-02")
        const customers = yield* onboard(p, 4)
        const bad = customers[2]!.id
        const broken = yield* Ref.make(true)
        // An InvoiceRepo that refuses the bad customer's invoice while `broken` (its draft, stored
        // before the number is taken).
        const flaky = Layer.effect(
          InvoiceRepo.InvoiceRepo,
          Effect.map(PgInvoiceRepo.make, (repo) =>
            InvoiceRepo.InvoiceRepo.of({
              ...repo,
              insert: (invoice) =>
                Effect.flatMap(Ref.get(broken), (b) =>
                  b && invoice.customerId === bad
                    ? Effect.fail(
                        new PersistenceError.PersistenceFailure({ operation: "test", kind: "Injected" })
                      )
                    : repo.insert(invoice)
                )
            })
          )
        )
        const before = yield* S.counter(yield* year())
        const first = yield* BillingRun.run({ period: p }).pipe(Effect.provide(flaky))
        assert.strictEqual(first.billed, 3)
        assert.deepStrictEqual(
          first.failures.map((f) => f.customerId),
          [bad]
        )
        assert.match(first.failures[0]!.reason, /PERSISTENCE.FAILURE/)
        assert.deepStrictEqual(first.remaining, { pending: 0, priced: 0, done: 3, failed: 1 })
        assert.isTrue(
          S.isContiguous(
            (yield* S.invoicesOf(p)).map((r) => r.number),
            before,
            before + 3
          )
        )

        yield* Ref.set(broken, false)
        const second = yield* BillingRun.run({ period: p }).pipe(Effect.provide(flaky))
        assert.deepStrictEqual([second.billed, second.failures.length], [1, 0])
        const rows = yield* S.invoicesOf(p)
        exactlyOneEach(customers, rows)
        assert.isTrue(
          S.isContiguous(
            rows.map((r) => r.number),
            before,
            before + 4
          )
        )
      }).pipe(Effect.provide(S.layers))
  )

  it.effect(
    "a customer whose issuing fails after its number was taken rolls back alone, the number given back, and is retried",
    () =>
      Effect.gen(function* () {
        yield* S.closeEveryone
        const p = S.period("2025-08")
        const customers = yield* onboard(p, 4)
        const bad = customers[1]!.id
        const broken = yield* Ref.make(true)
        // Refuses the bad customer's issuing (the UPDATE with its e-mail and audit event), which
        // comes after its number.
        const flaky = Layer.effect(
          BillingBatch.BillingBatch,
          Effect.map(PgBillingBatch.make, (batch) =>
            BillingBatch.BillingBatch.of({
              ...batch,
              issue: (b) =>
                Effect.flatMap(Ref.get(broken), (broke) =>
                  broke && b.invoices.some((i) => i.customerId === bad)
                    ? Effect.fail(
                        new PersistenceError.PersistenceFailure({ operation: "test", kind: "Injected" })
                      )
                    : batch.issue(b)
                )
            })
          )
        )
        const before = yield* S.counter(yield* year())
        const first = yield* BillingRun.run({ period: p }).pipe(Effect.provide(flaky))
        assert.strictEqual(first.billed, 3)
        assert.deepStrictEqual(
          first.failures.map((f) => f.customerId),
          [bad]
        )
        assert.deepStrictEqual(first.remaining, { pending: 0, priced: 0, done: 3, failed: 1 })
        const partial = yield* S.invoicesOf(p)
        assert.isFalse(partial.some((r) => r.customer_id === bad))
        assert.isTrue(
          S.isContiguous(
            partial.map((r) => r.number),
            before,
            before + 3
          )
        )
        yield* Ref.set(broken, false)
        const second = yield* BillingRun.run({ period: p }).pipe(Effect.provide(flaky))
        assert.deepStrictEqual([second.billed, second.failures.length], [1, 0])
        const rows = yield* S.invoicesOf(p)
        exactlyOneEach(customers, rows)
        assert.isTrue(rows.every((r) => r.status === "issued"))
        assert.isTrue(
          S.isContiguous(
            rows.map((r) => r.number),
            before,
            before + 4
          )
        )
      }).pipe(Effect.provide(S.layers))
  )

  it.effect(
    "a crash half way (a defect inside a customer's transaction) and a restart: one invoice each, no gap",
    () =>
      Effect.gen(function* () {
        yield* S.closeEveryone
        const p = S.period("2026-03")
        const customers = yield* onboard(p, 8)
        const calls = yield* Ref.make(0)
        // Numbers that crash the process on the 4th allocation (after the number was taken).
        const crashing = Layer.effect(
          InvoiceNumbers.InvoiceNumbers,
          Effect.map(PgInvoiceNumbers.make, (numbers) =>
            InvoiceNumbers.InvoiceNumbers.of({
              nextBlock: numbers.nextBlock,
              next: (y) =>
                Effect.flatMap(numbers.next(y), (n) =>
                  Effect.flatMap(
                    Ref.updateAndGet(calls, (c) => c + 1),
                    (c) => (c === 4 ? Effect.die(new Error("worker crashed")) : Effect.succeed(n))
                  )
                )
            })
          )
        )
        const before = yield* S.counter(yield* year())
        const crashed = yield* Effect.exit(BillingRun.run({ period: p }).pipe(Effect.provide(crashing)))
        assert.strictEqual(crashed._tag, "Failure")
        assert.strictEqual((yield* S.invoicesOf(p)).length, 3)

        const restarted = yield* BillingRun.run({ period: p, concurrency: 3 })
        assert.strictEqual(restarted.billed, 5)
        const rows = yield* S.invoicesOf(p)
        exactlyOneEach(customers, rows)
        assert.isTrue(
          S.isContiguous(
            rows.map((r) => r.number),
            before,
            before + 8
          )
        )
      }).pipe(Effect.provide(S.layers))
  )

  it.effect("interrupting the run half way and restarting it: one invoice each, no gap", () =>
    Effect.gen(function* () {
      yield* S.closeEveryone
      const p = S.period("2026-04")
      const customers = yield* onboard(p, 10)
      const before = yield* S.counter(yield* year())
      const halfway = yield* Deferred.make<void>()
      const fiber = yield* Effect.forkChild(
        BillingRun.run({
          period: p,
          concurrency: 2,
          onProgress: (progress) =>
            progress.billed >= 4 ? Effect.asVoid(Deferred.succeed(halfway, undefined)) : Effect.void
        })
      )
      yield* Deferred.await(halfway)
      yield* Fiber.interrupt(fiber)
      const partial = (yield* S.invoicesOf(p)).length
      assert.isTrue(partial >= 4 && partial < 10, `billed ${partial} before the interrupt`)

      yield* BillingRun.run({ period: p })
      const rows = yield* S.invoicesOf(p)
      exactlyOneEach(customers, rows)
      assert.isTrue(
        S.isContiguous(
          rows.map((r) => r.number),
          before,
          before + 10
        )
      )
    }).pipe(Effect.provide(S.layers))
  )

  it.effect(`workers on separate connections split one period: no duplicate, no gap [${kind}]`, () =>
    Effect.gen(function* () {
      yield* S.closeEveryone
      const p = S.period("2026-05")
      const n = 60
      const customers = yield* onboard(p, n)
      const before = yield* S.counter(yield* year())
      const db = yield* TestDatabase
      // Each worker is its own login (its own connection) with its own adapters, like a process.
      const worker = (concurrency: number) =>
        db.asLogin(undefined, BillingRun.run({ period: p, concurrency }).pipe(Effect.provide(S.layers)))
      const summaries = yield* Effect.all(
        [worker(1), worker(1), worker(1), BillingRun.run({ period: p, concurrency: 4 })],
        {
          concurrency: "unbounded"
        }
      )
      const billed = summaries.map((s) => s.billed)
      assert.strictEqual(
        billed.reduce((a, b) => a + b, 0),
        n,
        `split ${billed.join(" + ")}`
      )
      const rows = yield* S.invoicesOf(p)
      exactlyOneEach(customers, rows)
      assert.isTrue(
        S.isContiguous(
          rows.map((r) => r.number),
          before,
          before + n
        )
      )
      if (kind === "server")
        assert.isTrue(billed.filter((b) => b > 0).length >= 2, `split ${billed.join(" + ")}`)
    }).pipe(Effect.provide(S.layers))
  )

  it.effect(
    `batch mode: workers with batches split one period, no duplicate, no gap; a re-run creates nothing [${kind}]`,
    () =>
      Effect.gen(function* () {
        yield* S.closeEveryone
        const p = S.period("2026-08")
        const n = 45
        const customers = yield* onboard(p, n)
        const before = yield* S.counter(yield* year())
        const db = yield* TestDatabase
        const worker = (batchSize: number) =>
          db.asLogin(undefined, BillingRun.run({ period: p, batchSize }).pipe(Effect.provide(S.layers)))
        const summaries = yield* Effect.all(
          [worker(7), worker(7), BillingRun.run({ period: p, concurrency: 2, batchSize: 5 })],
          {
            concurrency: "unbounded"
          }
        )
        const billed = summaries.map((s) => s.billed)
        assert.strictEqual(
          billed.reduce((a, b) => a + b, 0),
          n,
          `split ${billed.join(" + ")}`
        )
        const rows = yield* S.invoicesOf(p)
        exactlyOneEach(customers, rows)
        assert.isTrue(
          S.isContiguous(
            rows.map((r) => r.number),
            before,
            before + n
          )
        )
        const sql = yield* SqlClient.SqlClient
        const [counts] = yield* sql<{ mails: number; audits: number; lines: number }>`
        SELECT (SELECT count(*)::int FROM notifications WHERE payload->'data'->>'invoiceId' IN (SELECT id::text FROM invoices WHERE period = ${p})) AS mails,
               (SELECT count(*)::int FROM audit_events WHERE action = 'invoice.issued' AND subject_id IN (SELECT id::text FROM invoices WHERE period = ${p})) AS audits,
               (SELECT count(*)::int FROM invoice_lines WHERE invoice_id IN (SELECT id FROM invoices WHERE period = ${p})) AS lines`
        assert.deepStrictEqual([counts!.mails, counts!.audits], [n, n])
        assert.isTrue(counts!.lines >= n)
        const again = yield* BillingRun.run({ period: p, batchSize: 10 })
        assert.deepStrictEqual([again.billed, again.skipped], [0, 0])
        assert.strictEqual(yield* S.counter(yield* year()), before + n)
      }).pipe(Effect.provide(S.layers))
  )

  it.effect(
    "batch mode: a batch whose writes fail is redone customer by customer, and the customer at fault fails alone",
    () =>
      Effect.gen(function* () {
        yield* S.closeEveryone
        const p = S.period("2026-09")
        const customers = yield* onboard(p, 6)
        const bad = customers[3]!.id
        const refuse = Effect.fail(
          new PersistenceError.PersistenceFailure({ operation: "test", kind: "Injected" })
        )
        const flakyBatch = Layer.effect(
          BillingBatch.BillingBatch,
          Effect.map(PgBillingBatch.make, (batch) =>
            BillingBatch.BillingBatch.of({
              ...batch,
              store: (b) => (b.invoices.some((i) => i.customerId === bad) ? refuse : batch.store(b))
            })
          )
        )
        const flakyRepo = Layer.effect(
          InvoiceRepo.InvoiceRepo,
          Effect.map(PgInvoiceRepo.make, (repo) =>
            InvoiceRepo.InvoiceRepo.of({
              ...repo,
              insert: (invoice) => (invoice.customerId === bad ? refuse : repo.insert(invoice))
            })
          )
        )
        const before = yield* S.counter(yield* year())
        const summary = yield* BillingRun.run({ period: p, batchSize: 4 }).pipe(
          Effect.provide(Layer.merge(flakyBatch, flakyRepo))
        )
        assert.strictEqual(summary.billed, 5)
        assert.deepStrictEqual(
          summary.failures.map((f) => f.customerId),
          [bad]
        )
        const rows = yield* S.invoicesOf(p)
        assert.strictEqual(rows.length, 5)
        assert.isTrue(
          S.isContiguous(
            rows.map((r) => r.number),
            before,
            before + 5
          )
        )
        const retried = yield* BillingRun.run({ period: p, batchSize: 4 })
        assert.strictEqual(retried.billed, 1)
        exactlyOneEach(customers, yield* S.invoicesOf(p))
      }).pipe(Effect.provide(S.layers))
  )

  it.effect(
    "batch mode: a crash after a block of numbers was taken, then a restart: one invoice each, no gap",
    () =>
      Effect.gen(function* () {
        yield* S.closeEveryone
        const p = S.period("2025-11")
        const customers = yield* onboard(p, 9)
        const blocks = yield* Ref.make(0)
        const crashing = Layer.effect(
          InvoiceNumbers.InvoiceNumbers,
          Effect.map(PgInvoiceNumbers.make, (numbers) =>
            InvoiceNumbers.InvoiceNumbers.of({
              next: numbers.next,
              nextBlock: (y, count) =>
                Effect.flatMap(numbers.nextBlock(y, count), (block) =>
                  Effect.flatMap(
                    Ref.updateAndGet(blocks, (c) => c + 1),
                    (c) => (c === 2 ? Effect.die(new Error("worker crashed")) : Effect.succeed(block))
                  )
                )
            })
          )
        )
        const before = yield* S.counter(yield* year())
        const crashed = yield* Effect.exit(
          BillingRun.run({ period: p, batchSize: 4 }).pipe(Effect.provide(crashing))
        )
        assert.strictEqual(crashed._tag, "Failure")
        assert.strictEqual((yield* S.invoicesOf(p)).length, 4)
        yield* BillingRun.run({ period: p, batchSize: 4 })
        const rows = yield* S.invoicesOf(p)
        exactlyOneEach(customers, rows)
        assert.isTrue(
          S.isContiguous(
            rows.map((r) => r.number),
            before,
            before + 9
          )
        )
      }).pipe(Effect.provide(S.layers))
  )

  // The number row serializes issuers until they commit, so batch mode writes what does not need
  // the numbers (the drafts, their lines, the claims) before it takes them. Seen from PostgreSQL:
  // a batch queued behind another holder of the number row already holds its write locks on
  // invoices and invoice_lines (before, it queued right after pricing, having written nothing).
  if (kind === "server")
    it.effect(
      "batch mode: the drafts and their lines are written before the number row is locked, then issued gap-free",
      () =>
        Effect.gen(function* () {
          yield* S.closeEveryone
          const p = S.period("2025-09")
          const customers = yield* onboard(p, 6)
          const y = yield* year()
          const sql = yield* SqlClient.SqlClient
          yield* sql`INSERT INTO invoice_number_sequences (year, last_value) VALUES (${y}, 0) ON CONFLICT DO NOTHING`
          const before = yield* S.counter(y)
          const db = yield* TestDatabase
          const locked = yield* Deferred.make<void>()
          const release = yield* Deferred.make<void>()
          const holder = yield* Effect.forkChild(
            db.asLogin(
              undefined,
              Effect.flatMap(SqlClient.SqlClient, (other) =>
                other.withTransaction(
                  other`SELECT 1 FROM invoice_number_sequences WHERE year = ${y} FOR UPDATE`.pipe(
                    Effect.andThen(Deferred.succeed(locked, undefined)),
                    Effect.andThen(Deferred.await(release))
                  )
                )
              )
            )
          )
          yield* Deferred.await(locked)
          const run = yield* Effect.forkChild(BillingRun.run({ period: p, batchSize: 6 }))
          // The run's backend, once it waits for the number row: which tables it has written.
          const waiting = sql<{ tables: ReadonlyArray<string> }>`
            SELECT coalesce(array_agg(DISTINCT l.relation::regclass::text)
              FILTER (WHERE l.mode = 'RowExclusiveLock' AND l.granted AND l.relation IS NOT NULL), '{}') AS tables
            FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid
            WHERE a.datname = current_database() AND a.pid <> pg_backend_pid() AND a.wait_event_type = 'Lock'
              AND a.query LIKE '%invoice_number_sequences%'
            GROUP BY a.pid`
          let tables: ReadonlyArray<string> | undefined
          for (let i = 0; i < 5_000 && tables === undefined; i++) {
            tables = (yield* waiting)[0]?.tables
            if (tables === undefined) yield* Effect.yieldNow
          }
          assert.isDefined(tables, "the run never queued for the number row")
          for (const table of ["invoices", "invoice_lines", "billing_claims"])
            assert.include(tables!, table, `written before the numbers: ${tables!.join(", ")}`)
          yield* Deferred.succeed(release, undefined)
          yield* Fiber.join(holder)
          const summary = yield* Fiber.join(run)
          assert.strictEqual(summary.billed, 6)
          const rows = yield* S.invoicesOf(p)
          exactlyOneEach(customers, rows)
          assert.isTrue(rows.every((r) => r.status === "issued"))
          assert.isTrue(
            S.isContiguous(
              rows.map((r) => r.number),
              before,
              before + 6
            )
          )
          const [counts] = yield* sql<{ mails: number; audits: number; open: number }>`
            SELECT (SELECT count(*)::int FROM notifications WHERE payload->'data'->>'invoiceId' IN (SELECT id::text FROM invoices WHERE period = ${p})) AS mails,
                   (SELECT count(*)::int FROM audit_events WHERE action = 'invoice.issued' AND subject_id IN (SELECT id::text FROM invoices WHERE period = ${p})) AS audits,
                   (SELECT count(*)::int FROM billing_claims WHERE period = ${p} AND status <> 'done') AS open`
          assert.deepStrictEqual([counts!.mails, counts!.audits, counts!.open], [6, 6, 0])
        }).pipe(Effect.provide(S.layers))
    )

  it.effect(
    "the overdue sweep moves past-due invoices to overdue with a notification and an audit event, once",
    () =>
      Effect.gen(function* () {
        yield* S.closeEveryone
        const p = S.period("2026-06")
        yield* onboard(p, 3)
        yield* BillingRun.run({ period: p })
        const sql = yield* SqlClient.SqlClient
        const now = yield* DateTime.now
        // 36 days on: past net 30 and the default overdue grace of 5 days.
        const swept = yield* Effect.gen(function* () {
          yield* TestClock.setTime(
            DateTime.toEpochMillis(DateTime.add(now, { days: 30 + Customer.defaultOverdueGraceDays + 1 }))
          )
          const first = yield* OverdueSweep.sweep({ batchSize: 2 })
          const second = yield* OverdueSweep.sweep()
          return [first, second] as const
        }).pipe(Effect.provide(TestClock.layer()))
        assert.isTrue(swept[0] >= 3)
        assert.strictEqual(swept[1], 0)
        const rows = yield* S.invoicesOf(p)
        assert.isTrue(rows.every((r) => r.status === "overdue"))
        const one = rows[0]!
        const mail = yield* sql<{ subject: string }>`
        SELECT payload->>'subject' AS subject FROM notifications
        WHERE template = 'invoice_overdue' AND payload->'data'->>'invoiceNumber' = ${one.number}`
        assert.deepStrictEqual(
          mail.map((m) => m.subject),
          [`Overdue: invoice ${one.number} for ${p}`]
        )
        const audits = yield* sql<{ n: number }>`
        SELECT count(*)::int AS n FROM audit_events WHERE action = 'invoice.overdue' AND customer_id = ${one.customer_id}`
        assert.strictEqual(audits[0]!.n, 1)
      }).pipe(Effect.provide(S.layers))
  )

  for (const batchSize of [1, 10]) {
    it.effect(
      `a tenant made unbillable by a 1e20 GB event fails alone, naming the event, and is billed after the void (batch ${batchSize})`,
      () =>
        Effect.gen(function* () {
          yield* S.closeEveryone
          const p = S.period(batchSize === 1 ? "2025-01" : "2025-02")
          const customers = yield* onboard(p, 3)
          const victim = customers[1]!.id
          // 1e20 GB once made the invoice overflow bigint: every run failed and no role could repair it.
          yield* storeRaw(victim, "huge-transfer", "data_transfer_gb", p, "100000000000000000000")
          const first = yield* BillingRun.run({ period: p, batchSize })
          assert.strictEqual(first.billed, 2)
          assert.deepStrictEqual(
            first.failures.map((f) => f.customerId),
            [victim]
          )
          assert.match(
            first.failures[0]!.reason,
            /^USAGE\.STORED_EVENT_INVALID: stored usage event huge-transfer is invalid \(quantity must be at most 1000000000/
          )
          assert.deepStrictEqual(first.remaining, { pending: 0, priced: 0, done: 2, failed: 1 })
          const voided = yield* voidAsOperator(victim, "huge-transfer")
          assert.strictEqual(voided.quantity, "100000000000000000000")
          const second = yield* BillingRun.run({ period: p, batchSize })
          assert.deepStrictEqual([second.billed, second.failures.length], [1, 0])
          assert.deepStrictEqual(second.remaining, { pending: 0, priced: 0, done: 3, failed: 0 })
          const sql = yield* SqlClient.SqlClient
          const lines = yield* sql<{ quantity: string }>`
            SELECT l.quantity::text FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id
            WHERE i.customer_id = ${victim} AND i.period = ${p} AND l.metric = 'data_transfer_gb'`
          assert.deepStrictEqual(
            lines.map((l) => l.quantity),
            ["0"],
            "the voided event is not billed"
          )
        }).pipe(Effect.provide(S.layers))
    )

    it.effect(
      `an invoice beyond Money.maxMinor fails its customer alone with AMOUNT.OUT_OF_RANGE, never the run (batch ${batchSize})`,
      () =>
        Effect.gen(function* () {
          yield* S.closeEveryone
          const p = S.period(batchSize === 1 ? "2025-03" : "2025-04")
          const customers = yield* onboard(p, 3)
          const heavy = customers[0]!.id
          // A valid event (10^9 calls, the per-event maximum): at $1,000,000 a call no invoice holds it.
          yield* storeRaw(heavy, "busy-month", "api_calls", p, "1000000000")
          const run = yield* BillingRun.run({ period: p, batchSize }).pipe(
            Effect.provideService(Pricing.Pricing, extravagant())
          )
          assert.strictEqual(run.billed, 2)
          assert.deepStrictEqual(
            run.failures.map((f) => f.customerId),
            [heavy]
          )
          assert.match(
            run.failures[0]!.reason,
            /^AMOUNT\.OUT_OF_RANGE: line api_calls of \d+ USD minor units exceeds the limit of 9007199254740991$/
          )
          assert.strictEqual((yield* S.invoicesOf(p)).length, 2)
          // Voiding the event at fault makes the customer billable.
          yield* voidAsOperator(heavy, "busy-month")
          const again = yield* BillingRun.run({ period: p, batchSize }).pipe(
            Effect.provideService(Pricing.Pricing, extravagant())
          )
          assert.deepStrictEqual([again.billed, again.failures.length], [1, 0])
        }).pipe(Effect.provide(S.layers))
    )
  }
  it.effect(
    "a net-0 customer gets no overdue e-mail seconds after its invoice: overdue only after its own grace",
    () =>
      Effect.gen(function* () {
        yield* S.closeEveryone
        const p = S.period("2025-10")
        const net0 = yield* S.customerWithUsage(p, 1_000, "Net Zero", { netDays: 0 })
        const strict = yield* S.customerWithUsage(p, 1_000, "No Grace", { netDays: 0, overdueGraceDays: 0 })
        assert.strictEqual(net0.overdueGraceDays, Customer.defaultOverdueGraceDays)
        yield* BillingRun.run({ period: p })
        const sql = yield* SqlClient.SqlClient
        const statusOf = (customerId: string) =>
          Effect.map(S.invoicesOf(p), (rows) => rows.find((r) => r.customer_id === customerId)!.status)
        const overdueMails = (customerId: string) =>
          Effect.map(
            sql<{ n: number }>`SELECT count(*)::int AS n FROM notifications
              WHERE template = 'invoice_overdue' AND customer_id = ${customerId}`.pipe(Effect.orDie),
            (rows) => rows[0]!.n
          )
        // Times relative to the invoice's own issue (= due) instant, not to when the run returned.
        const [issued] = yield* sql<{ at: Date }>`SELECT issued_at AS at FROM invoices
          WHERE customer_id = ${net0.id} AND period = ${p}`.pipe(Effect.orDie)
        const now = DateTime.makeUnsafe(issued!.at)
        yield* Effect.gen(function* () {
          // Seconds after the invoice: due already (net 0), but within the customer's grace.
          yield* TestClock.setTime(DateTime.toEpochMillis(DateTime.add(now, { seconds: 10 })))
          yield* OverdueSweep.sweep()
          assert.strictEqual(yield* statusOf(net0.id), "issued")
          assert.strictEqual(yield* overdueMails(net0.id), 0)
          // A customer whose terms have no grace is overdue as soon as the due date has passed.
          assert.strictEqual(yield* statusOf(strict.id), "overdue")
          assert.strictEqual(yield* overdueMails(strict.id), 1)
          // The grace's last second: still not overdue.
          yield* TestClock.setTime(
            DateTime.toEpochMillis(DateTime.add(now, { days: Customer.defaultOverdueGraceDays, seconds: -1 }))
          )
          yield* OverdueSweep.sweep()
          assert.strictEqual(yield* statusOf(net0.id), "issued")
          yield* TestClock.setTime(
            DateTime.toEpochMillis(DateTime.add(now, { days: Customer.defaultOverdueGraceDays, seconds: 10 }))
          )
          yield* OverdueSweep.sweep()
          assert.strictEqual(yield* statusOf(net0.id), "overdue")
          assert.strictEqual(yield* overdueMails(net0.id), 1)
        }).pipe(Effect.provide(TestClock.layer()))
      }).pipe(Effect.provide(S.layers))
  )

  it.effect(
    "the run refuses the month in progress and a future month (PeriodNotBillable, naming when), writing nothing",
    () =>
      Effect.gen(function* () {
        yield* S.closeEveryone
        const current = Period.ofDateTime(yield* DateTime.now)
        yield* onboard(current, 2)
        const sql = yield* SqlClient.SqlClient
        for (const p of [current, Period.next(current)]) {
          const error = yield* Effect.flip(BillingRun.run({ period: p }))
          assert.strictEqual(error._tag, "PeriodNotBillable")
          const notBillable = error as PeriodClose.PeriodNotBillable
          assert.strictEqual(
            DateTime.formatIso(notBillable.billableAt),
            DateTime.formatIso(DateTime.add(Period.end(p), { hours: 1 }))
          )
          const [claims] = yield* sql<{
            n: number
          }>`SELECT count(*)::int AS n FROM billing_claims WHERE period = ${p}`
          assert.strictEqual(claims!.n, 0)
          assert.strictEqual((yield* S.invoicesOf(p)).length, 0)
        }
        // A dry run still previews the open month.
        assert.strictEqual((yield* BillingRun.dryRun(current)).invoices.length, 2)
      }).pipe(Effect.provide(S.layers))
  )

  it.effect("a dry run prices what a run would issue and writes nothing", () =>
    Effect.gen(function* () {
      yield* S.closeEveryone
      const p = S.period("2026-07")
      yield* onboard(p, 2)
      const before = yield* S.counter(yield* year())
      const dry = yield* BillingRun.dryRun(p)
      assert.strictEqual(dry.invoices.length, 2)
      assert.isTrue(dry.invoices.every((d) => d.invoice.number === null && d.invoice.total > 0n))
      assert.strictEqual((yield* S.invoicesOf(p)).length, 0)
      assert.strictEqual(yield* S.counter(yield* year()), before)
      const sql = yield* SqlClient.SqlClient
      const claims = yield* sql<{
        n: number
      }>`SELECT count(*)::int AS n FROM billing_claims WHERE period = ${p}`
      assert.strictEqual(claims[0]!.n, 0)
      // Once billed, the dry run has nothing left to show.
      yield* BillingRun.run({ period: p })
      assert.strictEqual((yield* BillingRun.dryRun(p)).invoices.length, 0)
    }).pipe(Effect.provide(S.layers))
  )
})
