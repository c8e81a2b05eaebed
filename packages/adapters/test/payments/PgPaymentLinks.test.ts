/**
 * `PgPaymentLinks` and `PgPendingRefunds` (migration 0029), on PGlite and on the real server: a
 * provider payment is linked once (the first link stays, another invoice's is answered with it),
 * held refunds are taken oldest first and once (by payment, or by the invoice their payments are
 * linked to), and both tables are tenant tables: the application role reads its own customer's
 * rows only and writes none; the payments worker writes every customer's.
 */
import { assert } from "@effect/vitest"
import { CustomerRepo, type Ids, InvoiceRepo, PaymentLinks, PendingRefunds, Tenancy } from "@securebase/core"
import { DateTime, Effect, Layer, Option } from "effect"
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
  occurredAt
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
})
