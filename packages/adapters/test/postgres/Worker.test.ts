/**
 * The worker's explicit cross-tenant reach: what the billing run and the outbox sender need, and
 * nothing else (no API keys, tickets or findings; usage is read-only).
 */
import { assert } from "@effect/vitest"
import { CustomerRepo, InvoiceRepo, Period, Tenancy, UsageEventRepo } from "@securebase/core"
import { Effect, Schema } from "effect"
import { SqlClient } from "effect/sql"
import type { SqlError } from "effect/sql/SqlError"
import * as Fixtures from "./support/Fixtures.ts"
import { suite } from "./support/TestDatabase.ts"

const onboard = Effect.gen(function* () {
  const tenancy = yield* Tenancy.Tenancy
  const id = Fixtures.customerId()
  yield* tenancy.runAs(id, (yield* CustomerRepo.CustomerRepo).insert(Fixtures.customer(id)))
  return id
})

/** The SqlError reason of a refused statement (or the tag of any other failure). */
const reason = <A, E extends { readonly _tag: string }, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.match(effect, {
    onFailure: (e) => (e._tag === "SqlError" ? (e as unknown as SqlError).reason._tag : e._tag),
    onSuccess: () => "succeeded"
  })

suite("The worker role", (it) => {
  it.effect("reads every customer's usage and writes every customer's invoices", () =>
    Effect.gen(function* () {
      const tenancy = yield* Tenancy.Tenancy
      const usage = yield* UsageEventRepo.UsageEventRepo
      const invoices = yield* InvoiceRepo.InvoiceRepo
      const a = yield* onboard
      const b = yield* onboard
      yield* tenancy.runAs(a, usage.record(Fixtures.usageEvent(a, "a-1")))
      yield* tenancy.runAs(b, usage.record(Fixtures.usageEvent(b, "b-1")))
      const period = Schema.decodeSync(Period.Period)("2026-10")
      const [ofA, ofB] = yield* tenancy.runAsWorker(
        Effect.all([usage.listForPeriod(a, period), usage.listForPeriod(b, period)])
      )
      assert.deepStrictEqual([ofA!.length, ofB!.length], [1, 1])
      const invoiceA = yield* Fixtures.draftInvoice(a)
      const invoiceB = yield* Fixtures.draftInvoice(b)
      yield* tenancy.runAsWorker(Effect.all([invoices.insert(invoiceA), invoices.insert(invoiceB)]))
      assert.strictEqual((yield* tenancy.runAs(b, invoices.findById(invoiceB.id))).total, invoiceB.total)
    }).pipe(Effect.provide(Fixtures.adapters))
  )

  it.effect("usage is read-only for the worker: recording an event is refused with a typed error", () =>
    Effect.gen(function* () {
      const tenancy = yield* Tenancy.Tenancy
      const usage = yield* UsageEventRepo.UsageEventRepo
      const a = yield* onboard
      const error = yield* Effect.flip(tenancy.runAsWorker(usage.record(Fixtures.usageEvent(a, "w-1"))))
      assert.strictEqual(error._tag, "TenantAccessDenied")
    }).pipe(Effect.provide(Fixtures.adapters))
  )

  it.effect("queues and marks notifications of any customer (the outbox)", () =>
    Effect.gen(function* () {
      const tenancy = yield* Tenancy.Tenancy
      const sql = yield* SqlClient.SqlClient
      const a = yield* onboard
      const sent = yield* tenancy.runAsWorker(
        Effect.gen(function* () {
          yield* sql`INSERT INTO notifications (id, customer_id, channel, template, recipient)
                     VALUES (gen_random_uuid(), ${a}, 'email', 'invoice_issued', 'billing@acme.test')`
          return yield* sql`UPDATE notifications SET status = 'sent', sent_at = now(), attempts = attempts + 1
                            WHERE customer_id = ${a} AND status = 'pending' RETURNING id`
        })
      )
      assert.strictEqual(sent.length, 1)
    }).pipe(Effect.provide(Fixtures.adapters))
  )

  it.effect("has no access to API keys, tickets, findings, or deleting anything", () =>
    Effect.gen(function* () {
      const tenancy = yield* Tenancy.Tenancy
      const sql = yield* SqlClient.SqlClient
      const outcomes = yield* Effect.all(
        [
          sql`SELECT 1 FROM api_keys`,
          sql`SELECT 1 FROM support_tickets`,
          sql`SELECT 1 FROM compliance_findings`,
          sql`DELETE FROM invoices`,
          sql`DELETE FROM customers`,
          sql`UPDATE customers SET name = name`
        ].map((s) => reason(tenancy.runAsWorker(s)))
      )
      assert.deepStrictEqual(
        outcomes,
        outcomes.map(() => "AuthorizationError")
      )
    }).pipe(Effect.provide(Fixtures.adapters))
  )
})
