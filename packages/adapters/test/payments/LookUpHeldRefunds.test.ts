/**
 * Refunds held for a payment that was never linked, looked up at Stripe (the STAND-IN of
 * `@securebase/adapters/testing`) on PostgreSQL (PGlite, and the real server when DATABASE_URL is
 * set): a paid InvoicePayment naming our invoice is applied as its `invoice_payment.paid` would be
 * (the payment recorded once, the link made, the held refund credited once); an answer naming no
 * invoice of ours stops the lookups and leaves the refund held for an operator; Stripe down is
 * retried with backoff, then given up, losing and doubling nothing; a late `invoice_payment.paid`
 * racing the lookup credits once.
 */
import { assert } from "@effect/vitest"
import {
  BillingJobs,
  BillingRun,
  type Delivery,
  LookUpHeldRefunds,
  PaymentCollection,
  type PaymentEvent,
  PaymentProvider,
  ProcessPaymentEvent
} from "@securebase/core"
import { DateTime, Effect } from "effect"
import { SqlClient } from "effect/sql"
import * as StandIn from "../../src/testing/StripeStandIn.ts"
import * as S from "../billing/Support.ts"
import { suite } from "../postgres/support/TestDatabase.ts"
import { stripeCollection } from "./Support.ts"

type Link = { readonly invoice_id: string; readonly provider_invoice_id: string; readonly total: string }

const rows = <T extends object>(query: string, ...params: ReadonlyArray<string>) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => sql.unsafe<T>(query, params as Array<string>)).pipe(
    Effect.orDie
  )

/**
 * Bills `calls` for fresh customers in `p`, pushes their invoices to a fresh stand-in and runs
 * `body` with it and the links. Held refunds of earlier tests are no longer looked up, so a pass
 * sees this test's only.
 */
const withPushed = <A, E, R>(
  p: string,
  calls: ReadonlyArray<number>,
  body: (standIn: StandIn.StandIn, links: ReadonlyArray<Link>) => Effect.Effect<A, E, R>
) =>
  Effect.gen(function* () {
    yield* S.closeEveryone
    yield* rows(`UPDATE payment_pending_refunds SET next_lookup_at = NULL`)
    const period = S.period(p)
    for (const n of calls) yield* S.customerWithUsage(period, n)
    const standIn = yield* StandIn.start
    return yield* Effect.gen(function* () {
      yield* BillingRun.run({ period })
      yield* (yield* PaymentCollection.PaymentCollection).deliver
      const links = yield* rows<Link>(
        `SELECT l.invoice_id::text, l.provider_invoice_id, i.total::text
         FROM payment_invoices l JOIN invoices i ON i.id = l.invoice_id
         WHERE i.period = $1 ORDER BY l.invoice_id`,
        period
      )
      return yield* body(standIn, links)
    }).pipe(Effect.provide(stripeCollection(standIn)))
  })

/** A `charge.refunded` of a charge paid on the hosted invoice page: only its payment intent and customer. */
const hostedRefund = (
  customer: string,
  paymentIntent: string,
  amountRefunded: bigint,
  at: DateTime.Utc,
  charge = `ch_of_${paymentIntent}`
): PaymentEvent.PaymentEvent => ({
  provider: "stripe",
  id: `evt_${crypto.randomUUID()}`,
  type: "charge.refunded",
  createdAt: at,
  invoice: {
    providerInvoiceId: null,
    securebaseInvoiceId: null,
    paymentId: charge,
    linkedPaymentId: paymentIntent,
    amount: amountRefunded,
    currency: "USD",
    reason: null
  },
  providerCustomerId: customer
})

/** The `invoice_payment.paid` Stripe sends for the same payment (its own event id). */
const invoicePaymentPaid = (
  link: Link,
  paymentIntent: string,
  at: DateTime.Utc
): PaymentEvent.PaymentEvent => ({
  provider: "stripe",
  id: `evt_${crypto.randomUUID()}`,
  type: "invoice_payment.paid",
  createdAt: at,
  invoice: {
    providerInvoiceId: link.provider_invoice_id,
    securebaseInvoiceId: null,
    paymentId: paymentIntent,
    linkedPaymentId: paymentIntent,
    amount: BigInt(link.total),
    currency: "USD",
    reason: null
  },
  providerCustomerId: null
})

const stripeCustomerOf = (invoiceId: string) =>
  Effect.map(
    rows<{ provider_customer_id: string }>(
      `SELECT c.provider_customer_id FROM payment_customers c JOIN invoices i ON i.customer_id = c.customer_id
       WHERE i.id = $1`,
      invoiceId
    ),
    (r) => r[0]!.provider_customer_id
  )

/** The held refunds of a payment, with their lookup. */
const heldOf = (paymentIntent: string) =>
  rows<{ attempts: number; due: boolean | null; error: string | null }>(
    `SELECT lookup_attempts AS attempts, next_lookup_at <= now() AS due, lookup_error AS error
     FROM payment_pending_refunds WHERE provider_payment_id = $1 ORDER BY occurred_at`,
    paymentIntent
  )

/** The lookup of a payment's held refunds is due now (its wait has "passed"). */
const dueNow = (paymentIntent: string) =>
  rows(
    `UPDATE payment_pending_refunds SET next_lookup_at = now() - interval '1 second'
     WHERE provider_payment_id = $1`,
    paymentIntent
  )

const notesOf = (invoiceId: string) =>
  rows<{ amount: string; refunded: string; reason: string }>(
    `SELECT amount::text, refunded::text, reason FROM credit_notes WHERE invoice_id = $1 ORDER BY number`,
    invoiceId
  )

const paymentsOf = (invoiceId: string) =>
  rows<{ amount: string; idempotency_key: string }>(
    `SELECT amount::text, idempotency_key FROM payments WHERE invoice_id = $1 ORDER BY recorded_at`,
    invoiceId
  )

const lookups = (standIn: StandIn.StandIn, paymentIntent: string) =>
  standIn.requests.filter(
    (r) => r.path === "/v1/invoice_payments" && r.form["payment[payment_intent]"] === paymentIntent
  )

const epochSeconds = (at: DateTime.Utc) => Math.floor(DateTime.toEpochMillis(at) / 1000)

const pass = (options: LookUpHeldRefunds.Options = {}) => LookUpHeldRefunds.run(options)

suite("LookUpHeldRefunds (a held refund's payment looked up at Stripe)", (it) => {
  it.effect(
    "linked via the lookup: not looked up before its wait, then Stripe's InvoicePayment names our invoice: the payment recorded, the link made and the refund credited once, as invoice_payment.paid would; a late invoice_payment.paid is a duplicate",
    () =>
      withPushed("2026-03", [2_000_000], (standIn, [invoice]) =>
        Effect.gen(function* () {
          const now = yield* DateTime.now
          const customer = yield* stripeCustomerOf(invoice!.invoice_id)
          const refund = hostedRefund(customer, "pi_lookup_linked", 400n, now)
          assert.strictEqual(yield* ProcessPaymentEvent.process(refund), "pending")
          // Its link usually follows within seconds: nothing is asked of Stripe before the wait.
          assert.deepStrictEqual(yield* pass(), { lookedUp: 0, resolved: 0, retried: 0, stopped: 0 })
          assert.deepStrictEqual(lookups(standIn, "pi_lookup_linked"), [])
          assert.deepStrictEqual(yield* heldOf("pi_lookup_linked"), [
            { attempts: 0, due: false, error: null }
          ])

          // The payment was made before the endpoint listened to invoice_payment.paid.
          const inpay = standIn.payInvoice({
            invoice: invoice!.provider_invoice_id,
            paymentIntent: "pi_lookup_linked",
            amount: Number(invoice!.total),
            paidAt: epochSeconds(now) - 60
          })
          yield* dueNow("pi_lookup_linked")
          // The daily job's pass (after the pushes).
          const { refunds } = yield* BillingJobs.daily()
          assert.deepStrictEqual(refunds, { lookedUp: 1, resolved: 1, retried: 0, stopped: 0 })
          assert.strictEqual(lookups(standIn, "pi_lookup_linked").length, 1)
          assert.deepStrictEqual(yield* heldOf("pi_lookup_linked"), [])
          assert.deepStrictEqual(
            (yield* notesOf(invoice!.invoice_id)).map((n) => [n.amount, n.refunded, n.reason]),
            [["400", "400", "Refunded through Stripe (ch_of_pi_lookup_linked)"]]
          )
          assert.deepStrictEqual(
            (yield* paymentsOf(invoice!.invoice_id)).map((p) => [p.amount, p.idempotency_key]),
            [[invoice!.total, `stripe:${invoice!.provider_invoice_id}`]]
          )
          assert.deepStrictEqual(
            yield* rows(
              `SELECT invoice_id::text, event_id FROM payment_links WHERE provider_payment_id = 'pi_lookup_linked'`
            ),
            [{ invoice_id: invoice!.invoice_id, event_id: `lookup:${inpay}` }]
          )
          const credited = yield* rows<{ event_id: string }>(
            `SELECT event_id FROM payment_refunds WHERE invoice_id = $1`,
            invoice!.invoice_id
          )
          assert.deepStrictEqual(credited, [{ event_id: refund.id }])

          // Nothing is left to look up; Stripe's own event arriving late, and the refund's
          // redelivery, change nothing.
          assert.deepStrictEqual(yield* pass(), { lookedUp: 0, resolved: 0, retried: 0, stopped: 0 })
          assert.strictEqual(
            yield* ProcessPaymentEvent.process(invoicePaymentPaid(invoice!, "pi_lookup_linked", now)),
            "duplicate"
          )
          assert.strictEqual(yield* ProcessPaymentEvent.process(refund), "duplicate")
          assert.strictEqual((yield* notesOf(invoice!.invoice_id)).length, 1)
          assert.strictEqual((yield* paymentsOf(invoice!.invoice_id)).length, 1)
          // A later refund of the same charge credits through the link the lookup made.
          const more = hostedRefund(customer, "pi_lookup_linked", 700n, DateTime.add(now, { seconds: 1 }))
          assert.strictEqual(yield* ProcessPaymentEvent.process(more), "applied")
          assert.deepStrictEqual(
            (yield* notesOf(invoice!.invoice_id)).map((n) => n.amount),
            ["400", "300"]
          )
        })
      ).pipe(Effect.provide(S.layers), Effect.scoped),
    120_000
  )

  it.effect(
    "the lookup names no invoice of ours (none at all, an open one, or another account's invoice): the lookups stop, the refund stays held with why, listed for operators; a late invoice_payment.paid still credits it once",
    () =>
      withPushed("2026-04", [2_000_000], (standIn, [invoice]) =>
        Effect.gen(function* () {
          const now = yield* DateTime.now
          const customer = yield* stripeCustomerOf(invoice!.invoice_id)
          for (const pi of ["pi_lookup_none", "pi_lookup_open", "pi_lookup_foreign"])
            assert.strictEqual(
              yield* ProcessPaymentEvent.process(hostedRefund(customer, pi, 250n, now)),
              "pending"
            )
          standIn.payInvoice({
            invoice: invoice!.provider_invoice_id,
            paymentIntent: "pi_lookup_open",
            amount: 250,
            status: "open",
            paidAt: epochSeconds(now)
          })
          standIn.payInvoice({
            invoice: "in_not_ours",
            paymentIntent: "pi_lookup_foreign",
            amount: 250,
            paidAt: epochSeconds(now)
          })
          for (const pi of ["pi_lookup_none", "pi_lookup_open", "pi_lookup_foreign"]) yield* dueNow(pi)
          assert.deepStrictEqual(yield* pass(), { lookedUp: 3, resolved: 0, retried: 0, stopped: 3 })
          assert.deepStrictEqual(yield* heldOf("pi_lookup_none"), [
            { attempts: 1, due: null, error: "Stripe names no paid invoice for pi_lookup_none" }
          ])
          assert.deepStrictEqual(yield* heldOf("pi_lookup_open"), [
            { attempts: 1, due: null, error: "Stripe names no paid invoice for pi_lookup_open" }
          ])
          assert.deepStrictEqual(yield* heldOf("pi_lookup_foreign"), [
            {
              attempts: 1,
              due: null,
              error: "Stripe's invoice payment did not credit it (in_not_ours: unmatched)"
            }
          ])
          assert.deepStrictEqual(yield* notesOf(invoice!.invoice_id), [])
          // A charge paid without a PaymentIntent: Stripe cannot list its invoice payments, so the
          // lookup stops at once, saying why, with no request made.
          assert.strictEqual(
            yield* ProcessPaymentEvent.process(
              hostedRefund(customer, "ch_lookup_bare", 250n, now, "ch_lookup_bare")
            ),
            "pending"
          )
          yield* dueNow("ch_lookup_bare")
          assert.deepStrictEqual(yield* pass(), { lookedUp: 1, resolved: 0, retried: 0, stopped: 1 })
          const [bare] = yield* heldOf("ch_lookup_bare")
          assert.strictEqual(bare!.attempts, 1)
          assert.isNull(bare!.due)
          assert.match(bare!.error!, /payment intent only, not ch_lookup_bare/)
          assert.isFalse(standIn.requests.some((r) => r.form["payment[payment_intent]"] === "ch_lookup_bare"))
          // Not looked up again by the next pass; listed for operators, oldest first.
          assert.deepStrictEqual(yield* pass(), { lookedUp: 0, resolved: 0, retried: 0, stopped: 0 })
          const listed = yield* LookUpHeldRefunds.list
          const mine = listed.filter((r) => /^(pi|ch)_lookup_/.test(r.providerPaymentId))
          assert.deepStrictEqual(
            mine.map((r) => [r.providerPaymentId, r.amount, r.lookup.attempts, r.lookup.nextAt]).toSorted(),
            [
              ["ch_lookup_bare", 250n, 1, null],
              ["pi_lookup_foreign", 250n, 1, null],
              ["pi_lookup_none", 250n, 1, null],
              ["pi_lookup_open", 250n, 1, null]
            ]
          )
          // The link arriving late still credits the refund it finds, once.
          assert.strictEqual(
            yield* ProcessPaymentEvent.process(invoicePaymentPaid(invoice!, "pi_lookup_none", now)),
            "applied"
          )
          assert.deepStrictEqual(yield* heldOf("pi_lookup_none"), [])
          assert.deepStrictEqual(
            (yield* notesOf(invoice!.invoice_id)).map((n) => n.amount),
            ["250"]
          )
        })
      ).pipe(Effect.provide(S.layers), Effect.scoped),
    120_000
  )

  it.effect(
    "Stripe down during the lookup: retried with backoff, nothing lost or doubled, credited once when it answers; a lookup failing every time gives up after the policy's attempts, the refund still held",
    () =>
      withPushed("2026-05", [2_000_000, 2_000_000], (standIn, [invoice, other]) =>
        Effect.gen(function* () {
          const now = yield* DateTime.now
          const policy: Delivery.RetrySchedule = {
            base: "1 hour",
            factor: 2,
            cap: "6 hours",
            maxAttempts: 2,
            sendTimeout: "30 seconds"
          }
          const customer = yield* stripeCustomerOf(invoice!.invoice_id)
          const refund = hostedRefund(customer, "pi_lookup_flaky", 900n, now)
          assert.strictEqual(yield* ProcessPaymentEvent.process(refund), "pending")
          standIn.payInvoice({
            invoice: invoice!.provider_invoice_id,
            paymentIntent: "pi_lookup_flaky",
            amount: Number(invoice!.total),
            paidAt: epochSeconds(now)
          })
          standIn.down = true
          yield* dueNow("pi_lookup_flaky")
          assert.deepStrictEqual(yield* pass({ policy }), {
            lookedUp: 1,
            resolved: 0,
            retried: 1,
            stopped: 0
          })
          const [afterOutage] = yield* heldOf("pi_lookup_flaky")
          assert.strictEqual(afterOutage!.attempts, 1)
          assert.isFalse(afterOutage!.due, "retried after the backoff, not at once")
          assert.match(afterOutage!.error!, /503/)
          const [next] = yield* rows<{ wait: number }>(
            `SELECT extract(epoch FROM next_lookup_at - now())::int AS wait FROM payment_pending_refunds
             WHERE provider_payment_id = 'pi_lookup_flaky'`
          )
          assert.isTrue(next!.wait > 3500 && next!.wait <= 3600, `an hour of backoff, not ${next!.wait} s`)
          assert.deepStrictEqual(yield* notesOf(invoice!.invoice_id), [])
          assert.deepStrictEqual(yield* paymentsOf(invoice!.invoice_id), [])
          // Not due yet: the next pass leaves it.
          assert.deepStrictEqual(yield* pass({ policy }), {
            lookedUp: 0,
            resolved: 0,
            retried: 0,
            stopped: 0
          })

          // Stripe is back and the backoff has passed: credited once.
          standIn.down = false
          yield* dueNow("pi_lookup_flaky")
          assert.deepStrictEqual(yield* pass({ policy }), {
            lookedUp: 1,
            resolved: 1,
            retried: 0,
            stopped: 0
          })
          assert.deepStrictEqual(
            (yield* notesOf(invoice!.invoice_id)).map((n) => [n.amount, n.refunded]),
            [["900", "900"]]
          )
          assert.strictEqual((yield* paymentsOf(invoice!.invoice_id)).length, 1)
          assert.deepStrictEqual(yield* heldOf("pi_lookup_flaky"), [])

          // Failing every time (a 500 each call): the second failure is the last.
          const otherCustomer = yield* stripeCustomerOf(other!.invoice_id)
          assert.strictEqual(
            yield* ProcessPaymentEvent.process(hostedRefund(otherCustomer, "pi_lookup_down", 100n, now)),
            "pending"
          )
          standIn.down = true
          yield* dueNow("pi_lookup_down")
          assert.deepStrictEqual(yield* pass({ policy }), {
            lookedUp: 1,
            resolved: 0,
            retried: 1,
            stopped: 0
          })
          yield* dueNow("pi_lookup_down")
          assert.deepStrictEqual(yield* pass({ policy }), {
            lookedUp: 1,
            resolved: 0,
            retried: 0,
            stopped: 1
          })
          const [gaveUp] = yield* heldOf("pi_lookup_down")
          assert.strictEqual(gaveUp!.attempts, 2)
          assert.isNull(gaveUp!.due)
          assert.match(gaveUp!.error!, /gave up after 2 lookups/)
          // An operator's `reconcile --all` once Stripe is back: looked up again, and credited.
          standIn.down = false
          standIn.payInvoice({
            invoice: other!.provider_invoice_id,
            paymentIntent: "pi_lookup_down",
            amount: Number(other!.total),
            paidAt: epochSeconds(now)
          })
          assert.deepStrictEqual(yield* pass({ policy }), {
            lookedUp: 0,
            resolved: 0,
            retried: 0,
            stopped: 0
          })
          // (`--all` also retries what earlier tests left for an operator: counted, not credited.)
          const revived = yield* pass({ policy, all: true })
          assert.strictEqual(revived.resolved, 1)
          assert.strictEqual(revived.retried, 0)
          assert.strictEqual(revived.lookedUp, revived.resolved + revived.stopped)
          assert.deepStrictEqual(yield* heldOf("pi_lookup_down"), [])
          assert.deepStrictEqual(
            (yield* notesOf(other!.invoice_id)).map((n) => n.amount),
            ["100"]
          )
        })
      ).pipe(Effect.provide(S.layers), Effect.scoped),
    120_000
  )

  it.effect(
    "racing a late invoice_payment.paid: arriving while Stripe answers the lookup, before it, or at the same time, or two passes at once: the payment recorded once and the refund credited once",
    () =>
      withPushed("2026-06", [2_000_000, 2_000_000, 2_000_000], (standIn, [during, before, together]) =>
        Effect.gen(function* () {
          const now = yield* DateTime.now
          const provider = yield* PaymentProvider.PaymentProvider
          const hold = (link: Link, pi: string) =>
            Effect.gen(function* () {
              const customer = yield* stripeCustomerOf(link.invoice_id)
              assert.strictEqual(
                yield* ProcessPaymentEvent.process(hostedRefund(customer, pi, 600n, now)),
                "pending"
              )
              standIn.payInvoice({
                invoice: link.provider_invoice_id,
                paymentIntent: pi,
                amount: Number(link.total),
                paidAt: epochSeconds(now)
              })
              yield* dueNow(pi)
            })
          const once = (link: Link) =>
            Effect.gen(function* () {
              assert.deepStrictEqual(
                (yield* notesOf(link.invoice_id)).map((n) => [n.amount, n.refunded]),
                [["600", "600"]]
              )
              assert.deepStrictEqual(
                (yield* paymentsOf(link.invoice_id)).map((p) => p.idempotency_key),
                [`stripe:${link.provider_invoice_id}`]
              )
            })

          // Stripe's event commits after Stripe answered the lookup, before the lookup applies it.
          yield* hold(during!, "pi_race_during")
          const late = invoicePaymentPaid(during!, "pi_race_during", now)
          const report = yield* pass().pipe(
            Effect.provideService(PaymentProvider.PaymentProvider, {
              ...provider,
              findInvoicePayments: (id) =>
                Effect.tap(provider.findInvoicePayments(id), () =>
                  Effect.flatMap(ProcessPaymentEvent.process(late), (outcome) =>
                    Effect.sync(() => assert.strictEqual(outcome, "applied"))
                  )
                )
            })
          )
          assert.deepStrictEqual(report, { lookedUp: 1, resolved: 1, retried: 0, stopped: 0 })
          yield* once(during!)

          // Stripe's event first: nothing is left for the lookup to do.
          yield* hold(before!, "pi_race_before")
          assert.strictEqual(
            yield* ProcessPaymentEvent.process(invoicePaymentPaid(before!, "pi_race_before", now)),
            "applied"
          )
          assert.deepStrictEqual(yield* pass(), { lookedUp: 0, resolved: 0, retried: 0, stopped: 0 })
          yield* once(before!)

          // Two passes and Stripe's event (3 deliveries) at the same time.
          yield* hold(together!, "pi_race_together")
          const event = invoicePaymentPaid(together!, "pi_race_together", now)
          yield* Effect.all(
            [pass(), pass(), ...Array.from({ length: 3 }, () => ProcessPaymentEvent.process(event))],
            {
              concurrency: "unbounded"
            }
          )
          yield* once(together!)
          assert.deepStrictEqual(yield* heldOf("pi_race_together"), [])
          assert.isAtMost(lookups(standIn, "pi_race_together").length, 2)
        })
      ).pipe(Effect.provide(S.layers), Effect.scoped),
    120_000
  )
})
