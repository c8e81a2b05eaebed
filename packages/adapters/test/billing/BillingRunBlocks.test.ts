/**
 * The billing run's per-customer mode with numbering in blocks (`numberEvery`): customers priced
 * concurrently in transactions of their own that never touch the number row, then numbered in
 * blocks. On PGlite always and on the server when DATABASE_URL is set (where the workers are
 * separate logins, i.e. separate connections, as processes would be): one invoice each, every
 * number used exactly once with no gap, and a numbering block that fails leaves no trace.
 */
import { assert } from "@effect/vitest"
import { BillingBatch, BillingRun, type Customer, PersistenceError } from "@securebase/core"
import { DateTime, Effect, Layer } from "effect"
import { SqlClient } from "effect/sql"
import * as PgBillingBatch from "../../src/postgres/PgBillingBatch.ts"
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
  assert.deepStrictEqual(rows.map((r) => r.customer_id).sort(), customers.map((c) => c.id as string).sort())
}

/** Every invoice of the period has its e-mail and its `invoice.issued` event, once. */
const recordsOf = (p: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    Effect.all({
      mails: sql<{ n: number }>`
        SELECT count(DISTINCT n.id)::int AS n FROM notifications n
        JOIN invoices i ON n.payload->'data'->>'invoiceId' = i.id::text
        WHERE i.period = ${p} AND n.template = 'invoice_issued'`,
      audits: sql<{ n: number }>`
        SELECT count(*)::int AS n FROM audit_events a JOIN invoices i ON a.subject_id = i.id::text
        WHERE i.period = ${p} AND a.action = 'invoice.issued'`,
      mailNumbers: sql<{ n: number }>`
        SELECT count(*)::int AS n FROM notifications n JOIN invoices i ON n.payload->'data'->>'invoiceId' = i.id::text
        WHERE i.period = ${p} AND n.payload->'data'->>'invoiceNumber' = i.number`
    }).pipe(
      Effect.map(({ mails, audits, mailNumbers }) => [mails[0]!.n, audits[0]!.n, mailNumbers[0]!.n]),
      Effect.orDie
    )
  )

suite("BillingRun, per customer, numbered in blocks", (it, kind) => {
  it.effect(
    `workers on separate connections, 4 transactions in flight each: one invoice each, no duplicate, no gap [${kind}]`,
    () =>
      Effect.gen(function* () {
        yield* S.closeEveryone
        const p = "2025-07"
        const n = 90
        const customers = yield* onboard(p, n)
        const before = yield* S.counter(yield* year())
        const db = yield* TestDatabase
        const options = { period: S.period(p), concurrency: 4, numberEvery: 7 }
        // Each worker is its own login (its own connection) with its own adapters, like a process.
        const worker = db.asLogin(undefined, BillingRun.run(options).pipe(Effect.provide(S.layers)))
        const summaries = yield* Effect.all([worker, worker, BillingRun.run(options)], {
          concurrency: "unbounded"
        })
        const billed = summaries.map((s) => s.billed)
        assert.strictEqual(
          billed.reduce((a, b) => a + b, 0),
          n,
          `split ${billed.join(" + ")}`
        )
        // Each summary's `remaining` is a snapshot at its own end (another worker may still have
        // been numbering then); once all have returned, every claim is done.
        const claims = yield* Effect.flatMap(SqlClient.SqlClient, (sql) =>
          sql<{ status: string; n: number }>`
            SELECT status, count(*)::int AS n FROM billing_claims WHERE period = ${p} GROUP BY status`.pipe(
            Effect.orDie
          )
        )
        assert.deepStrictEqual(
          claims.map((c) => [c.status, c.n]),
          [["done", n]]
        )
        const rows = yield* S.invoicesOf(S.period(p))
        exactlyOneEach(customers, rows)
        assert.isTrue(rows.every((r) => r.status === "issued"))
        const after = yield* S.counter(yield* year())
        assert.strictEqual(after, before + n)
        assert.isTrue(
          S.isContiguous(
            rows.map((r) => r.number),
            before,
            after
          )
        )
        assert.deepStrictEqual(yield* recordsOf(p), [n, n, n])
        if (kind === "server")
          assert.isTrue(billed.filter((b) => b > 0).length >= 2, `split ${billed.join(" + ")}`)
        // A re-run finds nothing to do.
        const again = yield* BillingRun.run(options)
        assert.deepStrictEqual([again.billed, again.skipped], [0, 0])
        assert.strictEqual(yield* S.counter(yield* year()), after)
      }).pipe(Effect.provide(S.layers)),
    300_000
  )

  it.effect(
    "a numbering block that fails rolls back whole: no number used, drafts and priced claims kept; the next run issues them without a gap",
    () =>
      Effect.gen(function* () {
        yield* S.closeEveryone
        const p = "2025-08"
        const n = 12
        const customers = yield* onboard(p, n)
        const before = yield* S.counter(yield* year())
        // Issuing refuses every block (after the block of numbers was taken in the same transaction).
        const refusing = Layer.effect(
          BillingBatch.BillingBatch,
          Effect.map(PgBillingBatch.make, (batch) =>
            BillingBatch.BillingBatch.of({
              ...batch,
              issue: () =>
                Effect.fail(new PersistenceError.PersistenceFailure({ operation: "test", kind: "Injected" }))
            })
          )
        )
        const first = yield* BillingRun.run({ period: S.period(p), concurrency: 3, numberEvery: 5 }).pipe(
          Effect.provide(refusing)
        )
        assert.strictEqual(first.billed, 0)
        assert.deepStrictEqual(first.remaining, { pending: 0, priced: n, done: 0, failed: 0 })
        assert.strictEqual(yield* S.counter(yield* year()), before, "no number was used")
        const drafts = yield* S.invoicesOf(S.period(p))
        exactlyOneEach(customers, drafts)
        assert.isTrue(drafts.every((r) => r.status === "draft" && r.number === null))
        assert.deepStrictEqual(yield* recordsOf(p), [0, 0, 0])

        const second = yield* BillingRun.run({ period: S.period(p), concurrency: 3, numberEvery: 5 })
        assert.strictEqual(second.billed, n)
        assert.deepStrictEqual(second.remaining, { pending: 0, priced: 0, done: n, failed: 0 })
        const rows = yield* S.invoicesOf(S.period(p))
        exactlyOneEach(customers, rows)
        assert.isTrue(rows.every((r) => r.status === "issued"))
        assert.isTrue(
          S.isContiguous(
            rows.map((r) => r.number),
            before,
            before + n
          )
        )
        assert.deepStrictEqual(yield* recordsOf(p), [n, n, n])
      }).pipe(Effect.provide(S.layers)),
    300_000
  )
})
