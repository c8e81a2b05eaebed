/**
 * `PgBillingBatch`: how a batch's rows are packed into statements (`plan`), the drafts read back
 * for numbering in blocks, and `billable_usage` (migration 0022), the one-round-trip close-and-read
 * of the billing run, which only the worker role may call.
 */
import { assert, describe, it } from "@effect/vitest"
import { BillingBatch, BillingRun, type Ids, PersistenceError, Tenancy } from "@securebase/core"
import { Effect, Layer, Ref } from "effect"
import { SqlClient } from "effect/sql"
import * as PgBillingBatch from "../../src/postgres/PgBillingBatch.ts"
import * as Roles from "../../src/postgres/Roles.ts"
import { suite, TestDatabase } from "../postgres/support/TestDatabase.ts"
import * as S from "./Support.ts"

const rows = (n: number, width: number) =>
  Array.from({ length: n }, (_, i) =>
    Object.fromEntries(Array.from({ length: width }, (_, c) => [`c${c}`, i]))
  )

describe("PgBillingBatch.plan", () => {
  it("packs a small batch's tables into one statement, in order, and skips empty ones", () => {
    const plan = PgBillingBatch.plan([
      ["invoices", rows(1, 20)],
      ["invoice_lines", rows(7, 12)],
      ["notifications", []],
      ["audit_events", rows(1, 6)]
    ])
    assert.deepStrictEqual(
      plan.map((statement) => statement.map(([table, part]) => [table, part.length])),
      [
        [
          ["invoices", 1],
          ["invoice_lines", 7],
          ["audit_events", 1]
        ]
      ]
    )
  })

  it("never lets a statement exceed the limit: a table is chunked, and the next statement starts where the last is full", () => {
    const plan = PgBillingBatch.plan(
      [
        ["a", rows(5, 10)],
        ["b", rows(12, 5)]
      ],
      60
    )
    for (const statement of plan) {
      const parameters = statement.reduce((n, [, part]) => n + part.length * Object.keys(part[0]!).length, 0)
      assert.isAtMost(parameters, 60)
    }
    assert.deepStrictEqual(
      plan.map((statement) => statement.map(([table, part]) => [table, part.length])),
      [[["a", 5]], [["b", 12]]]
    )
    // Every row once, in order.
    assert.deepStrictEqual(
      plan.flatMap((statement) => statement.flatMap(([table, part]) => part.map((r) => `${table}${r.c0}`))),
      [...rows(5, 1).map((r) => `a${r.c0}`), ...rows(12, 1).map((r) => `b${r.c0}`)]
    )
  })
})

const refusingIssue = Layer.effect(
  BillingBatch.BillingBatch,
  Effect.map(PgBillingBatch.make, (batch) =>
    BillingBatch.BillingBatch.of({
      ...batch,
      issue: () =>
        Effect.fail(new PersistenceError.PersistenceFailure({ operation: "test", kind: "Injected" }))
    })
  )
)

suite("PgBillingBatch", (it, kind) => {
  it.effect(
    "store: a batch is stored whole as the worker, audit events included, never falling back to one by one",
    () =>
      Effect.gen(function* () {
        yield* S.closeEveryone
        const p = S.period("2024-04")
        for (const i of [0, 1, 2]) yield* S.customerWithUsage(p, 2_000_000 + i * 10_000)
        const stores = yield* Ref.make<ReadonlyArray<string>>([])
        const recording = Layer.effect(
          BillingBatch.BillingBatch,
          Effect.map(PgBillingBatch.make, (batch) =>
            BillingBatch.BillingBatch.of({
              ...batch,
              store: (b) =>
                batch.store(b).pipe(
                  Effect.tap(() => Ref.update(stores, (xs) => [...xs, `stored ${b.invoices.length}`])),
                  Effect.tapError((e) => Ref.update(stores, (xs) => [...xs, `failed ${e._tag}`]))
                )
            })
          )
        )
        const run = yield* BillingRun.run({ period: p, batchSize: 3 }).pipe(Effect.provide(recording))
        assert.strictEqual(run.billed, 3)
        // A failed store would have been redone customer by customer: the run would still bill 3.
        assert.deepStrictEqual(yield* Ref.get(stores), ["stored 3"])
        const sql = yield* SqlClient.SqlClient
        const [counts] = yield* sql<{ audits: number; mails: number }>`
        SELECT (SELECT count(*)::int FROM audit_events a JOIN invoices i ON a.subject_id = i.id::text
                WHERE i.period = ${p} AND a.action = 'invoice.issued') AS audits,
               (SELECT count(*)::int FROM notifications n JOIN invoices i ON n.payload->'data'->>'invoiceId' = i.id::text
                WHERE i.period = ${p}) AS mails`.pipe(Effect.orDie)
        assert.deepStrictEqual([counts!.audits, counts!.mails], [3, 3])
      }).pipe(Effect.provide(S.layers))
  )

  // Migration 0026: the e-mails (rendered text and HTML, written under the number row's lock) are
  // compressed with lz4 where the server has it; PGlite is built without it and keeps pglz.
  it.effect("store: a batch's e-mails are stored compressed with lz4 (pglz where the server lacks it)", () =>
    Effect.gen(function* () {
      yield* S.closeEveryone
      const p = S.period("2024-05")
      for (const i of [0, 1]) yield* S.customerWithUsage(p, 3_000_000 + i * 10_000)
      const run = yield* BillingRun.run({ period: p, batchSize: 2 })
      assert.strictEqual(run.billed, 2)
      const sql = yield* SqlClient.SqlClient
      const rows = yield* sql<{ method: string | null; html: boolean }>`
        SELECT pg_column_compression(n.payload) AS method, n.payload ? 'html' AS html
        FROM notifications n JOIN invoices i ON n.payload->'data'->>'invoiceId' = i.id::text
        WHERE i.period = ${p}`.pipe(Effect.orDie)
      assert.deepStrictEqual(
        rows.map((r) => [r.method, r.html]),
        Array.from({ length: 2 }, () => [kind === "server" ? "lz4" : "pglz", true])
      )
    }).pipe(Effect.provide(S.layers))
  )

  it.effect(
    "drafts: the stored drafts with their lines, in the order asked; an id that is no draft fails the read",
    () =>
      Effect.gen(function* () {
        yield* S.closeEveryone
        const p = S.period("2024-03")
        for (const i of [0, 1, 2]) yield* S.customerWithUsage(p, 1_000_000 + i * 10_000)
        // Priced and stored as drafts, then numbering refused: the drafts stay.
        const run = yield* BillingRun.run({ period: p, numberEvery: 10 }).pipe(Effect.provide(refusingIssue))
        assert.strictEqual(run.remaining.priced, 3)
        const stored = yield* S.invoicesOf(p)
        const sql = yield* SqlClient.SqlClient
        const ids = (yield* sql<{
          id: Ids.InvoiceId
        }>`SELECT id::text AS id FROM invoices WHERE period = ${p}`.pipe(Effect.orDie)).map((r) => r.id)
        const tenancy = yield* Tenancy.Tenancy
        const batch = yield* BillingBatch.BillingBatch
        const asked = [...ids].reverse()
        const drafts = yield* tenancy.runAsWorker(batch.drafts(asked))
        assert.deepStrictEqual(
          drafts.map((d) => d.id),
          asked
        )
        assert.isTrue(drafts.every((d) => d.status === "draft" && d.number === null && d.lines.length > 0))
        assert.deepStrictEqual(
          drafts.map((d) => d.total.toString()).sort(),
          stored.map((s) => s.total).sort()
        )
        const missing = "00000000-0000-4000-8000-000000000000" as Ids.InvoiceId
        const failed = yield* Effect.flip(tenancy.runAsWorker(batch.drafts([ids[0]!, missing])))
        assert.strictEqual(failed._tag, "PersistenceFailure")
        assert.strictEqual((failed as PersistenceError.PersistenceFailure).kind, "DraftChanged")
      }).pipe(Effect.provide(S.layers))
  )

  it.effect("billable_usage: only the worker role may close and read a period's usage", () =>
    Effect.gen(function* () {
      const db = yield* TestDatabase
      const refused = yield* db
        .asLogin(
          Roles.app,
          Effect.flatMap(
            SqlClient.SqlClient,
            (sql) => sql`SELECT * FROM billable_usage(ARRAY[]::uuid[], '2024-03', now(), now())`
          )
        )
        .pipe(Effect.flip)
      // 42501: the server's driver names it AuthorizationError, PGlite's carries the message.
      assert.match(
        `${refused.reason._tag} ${String(refused.cause ?? refused)}`,
        /AuthorizationError|permission denied/
      )
      const allowed = yield* db.asLogin(
        Roles.worker,
        Effect.flatMap(
          SqlClient.SqlClient,
          (sql) => sql`SELECT * FROM billable_usage(ARRAY[]::uuid[], '2024-03', now(), now())`
        )
      )
      assert.deepStrictEqual(allowed, [])
    }).pipe(Effect.provide(S.layers))
  )
})
