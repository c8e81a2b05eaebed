/**
 * Provider events processed exactly once on PostgreSQL (PGlite, and the real server when
 * DATABASE_URL is set, where the concurrency is real): the same event delivered 10 times at once
 * has one effect; a paid and a failed event about one invoice racing each other leave it paid
 * whatever the order; a `payment_intent.succeeded` carrying our invoice id in its metadata pays
 * the invoice. Invoices are pushed to the Stripe STAND-IN first (`@securebase/adapters/testing`).
 */
import { assert } from "@effect/vitest"
import { BillingRun, PaymentCollection, type PaymentEvent, ProcessPaymentEvent } from "@securebase/core"
import { DateTime, Effect } from "effect"
import { SqlClient } from "effect/sql"
import * as StandIn from "../../src/testing/StripeStandIn.ts"
import * as S from "../billing/Support.ts"
import { suite } from "../postgres/support/TestDatabase.ts"
import { stripeCollection } from "./Support.ts"

const pushedInvoices = (p: string) =>
  Effect.gen(function* () {
    const collection = yield* PaymentCollection.PaymentCollection
    yield* collection.deliver
    const sql = yield* SqlClient.SqlClient
    return yield* sql<{ invoice_id: string; provider_invoice_id: string; total: string }>`
      SELECT l.invoice_id::text, l.provider_invoice_id, i.total::text
      FROM payment_invoices l JOIN invoices i ON i.id = l.invoice_id
      WHERE i.period = ${p} ORDER BY l.invoice_id`.pipe(Effect.orDie)
  })

const facts = (link: { provider_invoice_id: string; invoice_id: string; total: string }) => ({
  providerInvoiceId: link.provider_invoice_id,
  securebaseInvoiceId: link.invoice_id,
  amount: BigInt(link.total),
  currency: "USD",
  reason: null
})

const stripeEvent = (
  id: string,
  type: string,
  createdAt: DateTime.Utc,
  invoice: PaymentEvent.InvoiceFacts
): PaymentEvent.PaymentEvent => ({
  provider: "stripe",
  id,
  type,
  createdAt,
  invoice,
  providerCustomerId: null
})

suite("ProcessPaymentEvent (exactly once)", (it) => {
  it.effect(
    "10 concurrent deliveries of one event: one effect; a paid and an older failed event racing: paid",
    () =>
      Effect.gen(function* () {
        yield* S.closeEveryone
        const p = S.period("2025-06")
        for (const calls of [2_000_000, 3_000_000, 4_000_000]) yield* S.customerWithUsage(p, calls)
        const standIn = yield* StandIn.start
        yield* Effect.gen(function* () {
          yield* BillingRun.run({ period: p })
          const [first, second, third] = yield* pushedInvoices(p)
          const now = yield* DateTime.now

          const paid = stripeEvent(`evt_${crypto.randomUUID()}`, "invoice.paid", now, facts(first!))
          const outcomes = yield* Effect.all(
            Array.from({ length: 10 }, () => ProcessPaymentEvent.process(paid)),
            { concurrency: "unbounded" }
          )
          assert.deepStrictEqual(outcomes.toSorted(), ["applied", ...Array(9).fill("duplicate")])
          const sql = yield* SqlClient.SqlClient
          const attempts = yield* sql<{ n: number }>`
            SELECT count(*)::int AS n FROM payment_attempts WHERE invoice_id = ${first!.invoice_id}`.pipe(
            Effect.orDie
          )
          assert.strictEqual(attempts[0]!.n, 1)
          const audits = yield* sql<{ n: number }>`
            SELECT count(*)::int AS n FROM audit_events
            WHERE action = 'invoice.paid_by_provider' AND subject_id = ${first!.invoice_id}`.pipe(
            Effect.orDie
          )
          assert.strictEqual(audits[0]!.n, 1)

          // A paid event and an older failed one, delivered at once: the invoice ends paid.
          const racePaid = stripeEvent(`evt_${crypto.randomUUID()}`, "invoice.paid", now, facts(second!))
          const raceFailed = stripeEvent(
            `evt_${crypto.randomUUID()}`,
            "invoice.payment_failed",
            DateTime.subtract(now, { minutes: 1 }),
            { ...facts(second!), reason: "card declined" }
          )
          const race = yield* Effect.all(
            [ProcessPaymentEvent.process(raceFailed), ProcessPaymentEvent.process(racePaid)],
            { concurrency: "unbounded" }
          )
          assert.strictEqual(race[1], "applied")
          const states = yield* sql<{ status: string; state: string }>`
            SELECT i.status::text, l.state FROM invoices i JOIN payment_invoices l ON l.invoice_id = i.id
            WHERE i.id = ${second!.invoice_id}`.pipe(Effect.orDie)
          assert.deepStrictEqual(states[0], { status: "paid", state: "paid" })

          // A PaymentIntent naming our invoice in its metadata (no Stripe invoice id) pays it.
          const intent = stripeEvent(`evt_${crypto.randomUUID()}`, "payment_intent.succeeded", now, {
            ...facts(third!),
            providerInvoiceId: null
          })
          assert.strictEqual(yield* ProcessPaymentEvent.process(intent), "applied")
          const third_ = yield* sql<{ status: string }>`
            SELECT status::text FROM invoices WHERE id = ${third!.invoice_id}`.pipe(Effect.orDie)
          assert.strictEqual(third_[0]!.status, "paid")
        }).pipe(Effect.provide(stripeCollection(standIn)))
      }).pipe(Effect.provide(S.layers), Effect.scoped),
    120_000
  )
})
