/**
 * `PgPaymentLinks` and `PgPendingRefunds` (migrations 0029 and 0031), on PGlite and on the real server: a
 * provider payment is linked once (the first link stays, another invoice's is answered with it),
 * held refunds are taken oldest first and once (by payment, or by the invoice their payments are
 * linked to), and both tables are tenant tables: the application role reads its own customer's
 * rows only and writes none; the payments worker writes every customer's. The lookups of held
 * refunds' payments (0031): a fresh hold is due ten minutes after it is held, a due payment is
 * claimed once (a lease ahead), its lookup recorded on every held refund of it, and the worker
 * may update those three columns only, never the refund's facts.
 */
import { assert } from "@effect/vitest"
import { CustomerRepo, type Ids, InvoiceRepo, PaymentLinks, PendingRefunds, Tenancy } from "@securebase/core"
import { DateTime, Duration, Effect, Layer, Option } from "effect"
import { SqlClient } from "effect/sql"
import * as PgPaymentLinks from "../../src/postgres/PgPaymentLinks.ts"
import * as PgPendingRefunds from "../../src/postgres/PgPendingRefunds.ts"
import * as Fixtures from "../postgres/support/Fixtures.ts"
import { suite } from "../postgres/support/TestDatabase.ts"

const layer = Layer.mergeAll(Fixtures.adapters, PgPaymentLinks.layer, PgPendingRefunds.layer)

/** A customer of its own with a draft invoice. */
const invoice = Effect.gen(function* () {
  const customerId = Fixtures.customerId()
  const draft = yield* Fixtures.draftInvoice(customerId)
  yield* Tenancy.Tenancy.use((tenancy) =>
    tenancy.runAs(
      customerId,
      Effect.gen(function* () {
        yield* CustomerRepo.CustomerRepo.use((r) => r.insert(Fixtures.customer(customerId)))
        yield* InvoiceRepo.InvoiceRepo.use((r) => r.insert(draft))
      })
    )
  )
  return { customerId, invoiceId: draft.id }
})

const pending = (
  customerId: Ids.CustomerId,
  providerPaymentId: string,
  amount: bigint,
  occurredAt: DateTime.Utc
): PendingRefunds.PendingRefund => ({
  provider: "stripe",
  eventId: `evt_${crypto.randomUUID()}`,
  providerPaymentId,
  providerChargeId: `ch_of_${providerPaymentId}`,
  customerId,
  amount,
  currency: "USD",
  refunds: [{ id: "re_1", amount }],
  occurredAt,
  // Where its provider lookup stands (migration 0031): kept as held, answered as taken.
  lookup: { attempts: 0, nextAt: DateTime.add(occurredAt, { minutes: 10 }), error: null }
})

const count = (table: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    Effect.map(sql.unsafe<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`), (rows) => rows[0]!.n)
  )

suite("PgPaymentLinks and PgPendingRefunds", (it) => {
  it.effect(
    "a payment is linked once, held refunds are taken oldest first and once; the application role reads its own rows only and writes none",
    () =>
      Effect.gen(function* () {
        const tenancy = yield* Tenancy.Tenancy
        const links = yield* PaymentLinks.PaymentLinks
        const held = yield* PendingRefunds.PendingRefunds
        const a = yield* invoice
        const b = yield* invoice
        const piA = `pi_${crypto.randomUUID()}`
        const piB = `pi_${crypto.randomUUID()}`
        const linkA: PaymentLinks.PaymentLink = {
          provider: "stripe",
          providerPaymentId: piA,
          ...a,
          eventId: "evt_a"
        }

        // As the payments worker: the first link stays.
        const first = yield* tenancy.runAsWorker(links.link(linkA))
        assert.deepStrictEqual(first, { link: linkA, created: true })
        const again = yield* tenancy.runAsWorker(links.link({ ...linkA, eventId: "evt_a2" }))
        assert.deepStrictEqual(again, { link: linkA, created: false })
        const stolen = yield* tenancy.runAsWorker(links.link({ ...linkA, ...b, eventId: "evt_b" }))
        assert.deepStrictEqual(stolen, { link: linkA, created: false })
        assert.deepStrictEqual(yield* tenancy.runAsWorker(links.linkOf("stripe", piA)), Option.some(linkA))
        assert.isTrue(Option.isNone(yield* tenancy.runAsWorker(links.linkOf("stripe", piB))))

        // Held refunds: a second hold of one event keeps the first; taken oldest first, once.
        const t0 = DateTime.makeUnsafe("2026-10-01T00:00:00Z")
        const later = pending(a.customerId, piB, 600n, DateTime.add(t0, { seconds: 5 }))
        const earlier = pending(a.customerId, piB, 400n, t0)
        const other = pending(b.customerId, `pi_${crypto.randomUUID()}`, 100n, t0)
        for (const p of [later, earlier, { ...earlier, amount: 999n }, other])
          yield* tenancy.runAsWorker(held.hold(p))
        // What the application role sees: its own customer's rows only, and it may write none.
        const seen = yield* tenancy.runAs(
          a.customerId,
          Effect.all([count("payment_links"), count("payment_pending_refunds")])
        )
        assert.deepStrictEqual(seen, [1, 2])
        assert.isTrue(Option.isNone(yield* tenancy.runAs(b.customerId, links.linkOf("stripe", piA))))
        const denied = yield* tenancy
          .runAs(a.customerId, links.link({ ...linkA, providerPaymentId: `pi_${crypto.randomUUID()}` }))
          .pipe(Effect.flip)
        assert.strictEqual(denied._tag, "TenantAccessDenied")
        const notTaken = yield* tenancy.runAs(a.customerId, held.take("stripe", piB)).pipe(Effect.result)
        assert.isTrue(notTaken._tag === "Failure")
        assert.strictEqual(yield* tenancy.runAs(a.customerId, count("payment_pending_refunds")), 2)

        const taken = yield* tenancy.runAsWorker(held.take("stripe", piB))
        assert.deepStrictEqual(taken, [earlier, later])
        assert.deepStrictEqual(yield* tenancy.runAsWorker(held.take("stripe", piB)), [])
        assert.strictEqual(yield* tenancy.runAs(b.customerId, count("payment_pending_refunds")), 1)

        // By invoice: the refunds held for the payments linked to it, and no other.
        const ofLinked = pending(a.customerId, piA, 50n, t0)
        const unlinked = pending(a.customerId, `pi_${crypto.randomUUID()}`, 60n, t0)
        for (const p of [ofLinked, unlinked]) yield* tenancy.runAsWorker(held.hold(p))
        assert.deepStrictEqual(yield* tenancy.runAsWorker(held.takeForInvoice("stripe", b.invoiceId)), [])
        assert.deepStrictEqual(yield* tenancy.runAsWorker(held.takeForInvoice("stripe", a.invoiceId)), [
          ofLinked
        ])
        assert.deepStrictEqual(yield* tenancy.runAsWorker(held.take("stripe", unlinked.providerPaymentId)), [
          unlinked
        ])
      }).pipe(Effect.provide(layer)),
    60_000
  )

  it.effect(
    "lookups: a fresh hold is due after ten minutes; a due payment is claimed once per lease, with every held refund of it; a recorded lookup stops or delays it; the worker may update the lookup only, the application role nothing",
    () =>
      Effect.gen(function* () {
        const tenancy = yield* Tenancy.Tenancy
        const held = yield* PendingRefunds.PendingRefunds
        const sql = yield* SqlClient.SqlClient
        const a = yield* invoice
        const now = yield* DateTime.now
        // Earlier holds of this suite are not this test's to claim.
        yield* sql`UPDATE payment_pending_refunds SET next_lookup_at = NULL`
        const pi = `pi_${crypto.randomUUID()}`
        const fresh = { ...pending(a.customerId, pi, 300n, now), lookup: undefined }
        const second = {
          ...pending(a.customerId, pi, 500n, DateTime.add(now, { seconds: 1 })),
          lookup: undefined
        }
        for (const p of [fresh, second]) yield* tenancy.runAsWorker(held.hold(p))
        const listed = (yield* tenancy.runAsWorker(held.list)).filter((r) => r.providerPaymentId === pi)
        assert.deepStrictEqual(
          listed.map((r) => [r.amount, r.lookup.attempts, r.lookup.error]),
          [
            [300n, 0, null],
            [500n, 0, null]
          ]
        )
        const wait = Duration.toMillis(DateTime.distance(now, listed[0]!.lookup.nextAt!))
        assert.isTrue(wait >= 9 * 60_000 && wait <= 11 * 60_000, `due in ten minutes, not ${wait} ms`)

        const lease = Duration.minutes(5)
        assert.deepStrictEqual(yield* tenancy.runAsWorker(held.claimLookups(now, lease, 10)), [])
        const inEleven = DateTime.add(now, { minutes: 11 })
        const claimed = yield* tenancy.runAsWorker(held.claimLookups(inEleven, lease, 10))
        assert.deepStrictEqual(claimed, [{ provider: "stripe", providerPaymentId: pi, attempts: 0 }])
        // Claimed: another pass within the lease finds nothing; after it, the payment again.
        assert.deepStrictEqual(yield* tenancy.runAsWorker(held.claimLookups(inEleven, lease, 10)), [])
        assert.strictEqual(
          (yield* tenancy.runAsWorker(held.claimLookups(DateTime.add(inEleven, { minutes: 6 }), lease, 10)))
            .length,
          1
        )

        // A failed lookup: on every held refund of the payment.
        const retryAt = DateTime.add(now, { hours: 1 })
        assert.strictEqual(
          yield* tenancy.runAsWorker(
            held.recordLookup("stripe", pi, { attempts: 1, nextAt: retryAt, error: "503" })
          ),
          2
        )
        const after = (yield* tenancy.runAsWorker(held.list)).filter((r) => r.providerPaymentId === pi)
        assert.deepStrictEqual(
          after.map((r) => r.lookup),
          [
            { attempts: 1, nextAt: retryAt, error: "503" },
            { attempts: 1, nextAt: retryAt, error: "503" }
          ]
        )
        // Stopped: not claimed again, unless every one is asked for (`reconcile --all`).
        yield* tenancy.runAsWorker(
          held.recordLookup("stripe", pi, { attempts: 2, nextAt: null, error: "none" })
        )
        const muchLater = DateTime.add(now, { days: 30 })
        assert.deepStrictEqual(yield* tenancy.runAsWorker(held.claimLookups(muchLater, lease, 10)), [])
        const everyOne = yield* tenancy.runAsWorker(held.claimLookups(muchLater, lease, 10, true))
        assert.deepStrictEqual(
          everyOne.filter((c) => c.providerPaymentId === pi),
          [{ provider: "stripe", providerPaymentId: pi, attempts: 2 }]
        )

        // The worker may move the lookup, not the refund's facts; the application role neither.
        const facts = yield* tenancy
          .runAsWorker(sql`UPDATE payment_pending_refunds SET amount = 1 WHERE provider_payment_id = ${pi}`)
          .pipe(Effect.flip)
        assert.strictEqual(facts._tag, "SqlError")
        const asApp = yield* tenancy
          .runAs(a.customerId, held.recordLookup("stripe", pi, { attempts: 9, nextAt: null, error: "x" }))
          .pipe(Effect.flip)
        assert.strictEqual(asApp._tag, "PersistenceFailure")
        assert.deepStrictEqual(
          (yield* tenancy.runAsWorker(held.take("stripe", pi))).map((r) => [r.amount, r.lookup?.attempts]),
          [
            [300n, 2],
            [500n, 2]
          ]
        )
      }).pipe(Effect.provide(layer)),
    60_000
  )
})
