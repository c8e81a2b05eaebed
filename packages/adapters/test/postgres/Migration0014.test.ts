/**
 * Migration 0014's tenant tables hold under row-level security: as customer A, the application
 * sees only A's plan changes and ticket replies, cannot write a row for B (42501), and cannot
 * attach a reply of its own to B's ticket; the worker reads plan history (the run prices by it)
 * but never replies. Both tables are FORCE ROW LEVEL SECURITY, so the owner is bound too.
 */
import { assert } from "@effect/vitest"
import { Customer, type Ids } from "@securebase/core"
import { Effect, Exit } from "effect"
import { SqlClient } from "effect/sql"
import * as PgCustomerRepo from "../../src/postgres/PgCustomerRepo.ts"
import * as PgTenancy from "../../src/postgres/PgTenancy.ts"
import * as Roles from "../../src/postgres/Roles.ts"
import { suite } from "./support/TestDatabase.ts"

const customer = (id: Ids.CustomerId) =>
  new Customer.Customer({
    id,
    name: "c",
    email: "c@example.com",
    plan: "standard",
    status: "active",
    taxProfile: {},
    netDays: 30
  })

suite("Migration 0014: tenant tables under row-level security", (it) => {
  it.effect("plan changes and ticket replies: own rows only, no writes for another customer", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const tenancy = yield* PgTenancy.make
      const repo = yield* PgCustomerRepo.make
      const a = globalThis.crypto.randomUUID() as Ids.CustomerId
      const b = globalThis.crypto.randomUUID() as Ids.CustomerId
      for (const id of [a, b]) yield* tenancy.runAs(id, repo.insert(customer(id)))
      const now = new Date().toISOString()
      // B's rows, written as B.
      const ticketOfB = globalThis.crypto.randomUUID()
      yield* tenancy.runAs(
        b,
        Effect.gen(function* () {
          yield* sql`INSERT INTO customer_plan_changes (id, customer_id, requested_at, effective_at, from_plan, to_plan)
            VALUES (${globalThis.crypto.randomUUID()}, ${b}, ${now}, ${now}, 'standard', 'fintech')`
          yield* sql`INSERT INTO support_tickets (id, customer_id, subject, description, first_response_due_at)
            VALUES (${ticketOfB}, ${b}, 'help me', 'please', ${now})`
          yield* sql`INSERT INTO support_ticket_replies (id, ticket_id, customer_id, author_kind, author, body, created_at)
            VALUES (${globalThis.crypto.randomUUID()}, ${ticketOfB}, ${b}, 'customer', 'api_key:x', 'hi', ${now})`
        })
      )
      const seenByA = yield* tenancy.runAs(
        a,
        Effect.all({
          changes: sql`SELECT id FROM customer_plan_changes`,
          replies: sql`SELECT id FROM support_ticket_replies`
        })
      )
      assert.deepStrictEqual([seenByA.changes.length, seenByA.replies.length], [0, 0])
      const seenByB = yield* tenancy.runAs(
        b,
        Effect.all({
          changes: sql`SELECT id FROM customer_plan_changes`,
          replies: sql`SELECT id FROM support_ticket_replies`
        })
      )
      assert.deepStrictEqual([seenByB.changes.length, seenByB.replies.length], [1, 1])

      const refused = (statement: Effect.Effect<unknown, unknown>) =>
        Effect.map(Effect.exit(tenancy.runAs(a, statement)), (exit) => Exit.isFailure(exit))
      assert.isTrue(
        yield* refused(sql`INSERT INTO customer_plan_changes (id, customer_id, requested_at, effective_at, from_plan, to_plan)
          VALUES (${globalThis.crypto.randomUUID()}, ${b}, ${now}, ${now}, 'fintech', 'standard')`),
        "A cannot change B's plan"
      )
      assert.isTrue(
        yield* refused(sql`INSERT INTO support_ticket_replies (id, ticket_id, customer_id, author_kind, author, body, created_at)
          VALUES (${globalThis.crypto.randomUUID()}, ${ticketOfB}, ${b}, 'operator', 'operator:x', 'hi', ${now})`),
        "A cannot reply on B's ticket as B"
      )
      assert.isTrue(
        yield* refused(sql`INSERT INTO support_ticket_replies (id, ticket_id, customer_id, author_kind, author, body, created_at)
          VALUES (${globalThis.crypto.randomUUID()}, ${ticketOfB}, ${a}, 'customer', 'api_key:x', 'hi', ${now})`),
        "A cannot attach its own reply to B's ticket (the foreign key is per customer)"
      )
      const deleted = yield* tenancy.runAs(
        a,
        sql`DELETE FROM customer_plan_changes WHERE customer_id = ${b} RETURNING id`
      )
      assert.strictEqual(deleted.length, 0)

      // The worker reads plan history (for the run) but has no grant on replies.
      const worker = yield* Effect.exit(
        sql.withTransaction(
          Effect.andThen(
            sql`SELECT set_config('role', ${Roles.worker}, true)`,
            Effect.all({ changes: sql`SELECT id FROM customer_plan_changes WHERE customer_id = ${b}` })
          )
        )
      )
      assert.isTrue(Exit.isSuccess(worker) && worker.value.changes.length === 1)
      const workerReplies = yield* Effect.exit(
        sql.withTransaction(
          Effect.andThen(
            sql`SELECT set_config('role', ${Roles.worker}, true)`,
            sql`SELECT id FROM support_ticket_replies`
          )
        )
      )
      assert.isTrue(Exit.isFailure(workerReplies))

      const forced = yield* sql<{ relname: string; relforcerowsecurity: boolean }>`
        SELECT relname, relforcerowsecurity FROM pg_class
        WHERE relname IN ('customer_plan_changes', 'support_ticket_replies', 'operators') ORDER BY relname`
      assert.deepStrictEqual(
        forced.map((r) => [r.relname, r.relforcerowsecurity]),
        [
          ["customer_plan_changes", true],
          ["operators", true],
          ["support_ticket_replies", true]
        ]
      )
    })
  )
})
