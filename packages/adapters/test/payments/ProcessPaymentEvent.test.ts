/**
 * Provider events processed exactly once on PostgreSQL (PGlite, and the real server when
 * DATABASE_URL is set, where the concurrency is real): the same event delivered 10 times at once
 * has one effect (one payment row); a paid and a failed event about one invoice racing each other
 * leave it paid whatever the order; a `payment_intent.succeeded` carrying our invoice id in its
 * metadata pays the invoice. Payments go through the receivables (full and partial, another
 * currency refused), a charge's refunds become credit notes for its cumulative refunded amount
 * (only what was not credited yet, whether or not the charge lists them), failed payments take a
 * dunning step with one e-mail. Invoices are pushed to the Stripe STAND-IN first
 * (`@securebase/adapters/testing`).
 */
import { assert } from "@effect/vitest"
import {
  BillingRun,
  DunningSteps,
  type Ids,
  type Payment,
  PaymentCollection,
  type PaymentEvent,
  PaymentLinks,
  PendingRefunds,
  ProcessPaymentEvent,
  PushDelivery,
  Receivables,
  ReceivablesRepo,
  RecordPayment,
  Tenancy
} from "@securebase/core"
import { DateTime, Deferred, Effect, Fiber } from "effect"
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

const facts = (link: {
  provider_invoice_id: string
  invoice_id: string
  total: string
}): PaymentEvent.InvoiceFacts => ({
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

type Link = { readonly invoice_id: string; readonly provider_invoice_id: string; readonly total: string }

/** Bills `calls` for fresh customers in `p`, pushes their invoices and runs `body` with the links. */
const withPushed = <A, E, R>(
  p: string,
  calls: ReadonlyArray<number>,
  body: (links: ReadonlyArray<Link>) => Effect.Effect<A, E, R>
) =>
  Effect.gen(function* () {
    yield* S.closeEveryone
    const period = S.period(p)
    for (const n of calls) yield* S.customerWithUsage(period, n)
    const standIn = yield* StandIn.start
    return yield* Effect.gen(function* () {
      yield* BillingRun.run({ period })
      return yield* body(yield* pushedInvoices(period))
    }).pipe(Effect.provide(stripeCollection(standIn)))
  })

const rows = <T extends object>(query: string, ...params: ReadonlyArray<string>) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => sql.unsafe<T>(query, params as Array<string>)).pipe(
    Effect.orDie
  )

const paymentsOf = (invoiceId: string) =>
  rows<{ amount: string; idempotency_key: string; method: string; reference: string }>(
    `SELECT amount::text, idempotency_key, method, reference FROM payments WHERE invoice_id = $1 ORDER BY recorded_at`,
    invoiceId
  )

const notesOf = (invoiceId: string) =>
  rows<{ number: string; amount: string; credited: string; refunded: string; reason: string }>(
    `SELECT number, amount::text, credited::text, refunded::text, reason FROM credit_notes
     WHERE invoice_id = $1 ORDER BY number`,
    invoiceId
  )

const auditCount = (invoiceOrNote: string, action: string) =>
  Effect.map(
    rows<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_events WHERE action = $1 AND subject_id = $2`,
      action,
      invoiceOrNote
    ),
    (r) => r[0]!.n
  )

/** The invoice's account as the operator API shows it (amount due, payments, credit notes). */
const accountOf = (invoiceId: string) =>
  Effect.gen(function* () {
    const tenancy = yield* Tenancy.Tenancy
    return yield* tenancy.runAsWorker(
      ReceivablesRepo.ReceivablesRepo.use((r) => r.account(invoiceId as Ids.InvoiceId, { lock: false }))
    )
  }).pipe(Effect.orDie)

/**
 * A `charge.refunded` as Stripe sends it: the charge's cumulative refunded amount, and no refunds
 * list unless `refunds` is given (Stripe lists them only when the charge is expanded).
 */
const refundEvent = (
  link: Link,
  cumulative: bigint,
  at: DateTime.Utc,
  options: {
    readonly currency?: string
    readonly id?: string
    readonly charge?: string | null
    readonly refunds?: ReadonlyArray<readonly [string, bigint]>
  } = {}
) =>
  stripeEvent(options.id ?? `evt_${crypto.randomUUID()}`, "charge.refunded", at, {
    ...facts(link),
    paymentId: options.charge === undefined ? "ch_1" : options.charge,
    amount: cumulative,
    currency: options.currency ?? "USD",
    ...(options.refunds === undefined
      ? {}
      : { refunds: options.refunds.map(([id, amount]) => ({ id, amount })) })
  })

/**
 * Refunds of one charge, 500 then 300 more (cumulative 800), with redeliveries and an older event
 * arriving late; with `listed`, each event lists the charge's refunds (newest first). Returns the
 * invoice's credit notes.
 */
const refundScenario = (link: Link, charge: string, listed: boolean) =>
  Effect.gen(function* () {
    const now = yield* DateTime.now
    const later = DateTime.add(now, { seconds: 1 })
    const refunds = (...r: ReadonlyArray<readonly [string, bigint]>) => (listed ? { refunds: r } : {})
    const first = refundEvent(link, 500n, now, { charge, ...refunds([`re_${charge}_1`, 500n]) })
    assert.strictEqual(yield* ProcessPaymentEvent.process(first), "applied")
    assert.deepStrictEqual(
      (yield* notesOf(link.invoice_id)).map((n) => [n.amount, n.credited, n.refunded]),
      [["500", "0", "500"]]
    )
    // A later event: the charge's cumulative amount is now 800, so 300 is new. 10 at once: once.
    const second = refundEvent(link, 800n, later, {
      charge,
      ...refunds([`re_${charge}_2`, 300n], [`re_${charge}_1`, 500n])
    })
    const concurrent = yield* Effect.all(
      Array.from({ length: 10 }, () => ProcessPaymentEvent.process(second)),
      { concurrency: "unbounded" }
    )
    assert.deepStrictEqual(concurrent.toSorted(), ["applied", ...Array(9).fill("duplicate")])
    // The same event again; another event id with the same cumulative amount (a retry on Stripe's
    // side); the first event's amount under another id, delivered late: nothing new.
    assert.strictEqual(yield* ProcessPaymentEvent.process(second), "duplicate")
    const again = refundEvent(link, 800n, later, {
      charge,
      ...refunds([`re_${charge}_2`, 300n], [`re_${charge}_1`, 500n])
    })
    assert.strictEqual(yield* ProcessPaymentEvent.process(again), "duplicate")
    const older = refundEvent(link, 500n, now, { charge, ...refunds([`re_${charge}_1`, 500n]) })
    assert.strictEqual(yield* ProcessPaymentEvent.process(older), "duplicate")
    const notes = yield* notesOf(link.invoice_id)
    assert.strictEqual(S.sequenceOf(notes[1]!.number), S.sequenceOf(notes[0]!.number) + 1)
    for (const note of notes) assert.match(note.number, /^CN-\d{4}-\d{6}$/)
    const stored = yield* rows<{ provider_charge_id: string; amount: string }>(
      `SELECT provider_charge_id, amount::text FROM payment_refunds WHERE invoice_id = $1 ORDER BY amount DESC`,
      link.invoice_id
    )
    assert.deepStrictEqual(stored, [
      { provider_charge_id: charge, amount: "500" },
      { provider_charge_id: charge, amount: "300" }
    ])
    return notes
  })

/** An `invoice_payment.paid`: Stripe's InvoicePayment of a pushed invoice, paid by `paymentIntent`. */
const invoicePaymentEvent = (
  link: Link,
  paymentIntent: string,
  at: DateTime.Utc,
  id = `evt_${crypto.randomUUID()}`
) =>
  stripeEvent(id, "invoice_payment.paid", at, {
    providerInvoiceId: link.provider_invoice_id,
    securebaseInvoiceId: null,
    paymentId: paymentIntent,
    linkedPaymentId: paymentIntent,
    amount: BigInt(link.total),
    currency: "USD",
    reason: null
  })

/**
 * A `charge.refunded` of a charge paid on the hosted invoice page: no invoice, no metadata of ours,
 * only its payment intent and its (Stripe) customer.
 */
const hostedRefundEvent = (
  customer: string | null,
  paymentIntent: string,
  amountRefunded: bigint,
  at: DateTime.Utc,
  id = `evt_${crypto.randomUUID()}`
): PaymentEvent.PaymentEvent => ({
  provider: "stripe",
  id,
  type: "charge.refunded",
  createdAt: at,
  invoice: {
    providerInvoiceId: null,
    securebaseInvoiceId: null,
    paymentId: `ch_of_${paymentIntent}`,
    linkedPaymentId: paymentIntent,
    amount: amountRefunded,
    currency: "USD",
    reason: null
  },
  providerCustomerId: customer
})

/** The Stripe customer our invoice's customer was pushed as. */
const stripeCustomerOf = (invoiceId: string) =>
  Effect.map(
    rows<{ provider_customer_id: string }>(
      `SELECT c.provider_customer_id FROM payment_customers c JOIN invoices i ON i.customer_id = c.customer_id
       WHERE i.id = $1`,
      invoiceId
    ),
    (r) => r[0]!.provider_customer_id
  )

const pendingOf = (paymentIntent: string) =>
  Effect.map(
    rows<{ n: number }>(
      `SELECT count(*)::int AS n FROM payment_pending_refunds WHERE provider_payment_id = $1`,
      paymentIntent
    ),
    (r) => r[0]!.n
  )

suite("ProcessPaymentEvent (exactly once)", (it, kind) => {
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
          // One payment through the receivables, keyed by the Stripe invoice, and the invoice paid.
          const payments = yield* paymentsOf(first!.invoice_id)
          assert.deepStrictEqual(payments, [
            {
              amount: first!.total,
              idempotency_key: `stripe:${first!.provider_invoice_id}`,
              method: "other",
              reference: `stripe:${first!.provider_invoice_id}`
            }
          ])
          assert.strictEqual(Receivables.amountDue(yield* accountOf(first!.invoice_id)), 0n)
          assert.strictEqual(yield* auditCount(first!.invoice_id, "invoice.payment_recorded"), 1)
          assert.strictEqual(yield* auditCount(first!.invoice_id, "invoice.paid"), 1)

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

  it.effect(
    "paid: a partial amount leaves the rest due; another currency is refused; invoice.paid and payment_intent.succeeded of one payment record it once",
    () =>
      withPushed("2025-07", [2_000_000, 3_000_000], ([partial, foreign]) =>
        Effect.gen(function* () {
          const now = yield* DateTime.now
          const total = BigInt(partial!.total)
          const part = stripeEvent(`evt_${crypto.randomUUID()}`, "invoice.paid", now, {
            ...facts(partial!),
            amount: total - 1000n
          })
          assert.strictEqual(yield* ProcessPaymentEvent.process(part), "applied")
          const account = yield* accountOf(partial!.invoice_id)
          assert.strictEqual(account.invoice.status, "issued")
          assert.strictEqual(Receivables.amountDue(account), 1000n)
          assert.deepStrictEqual(
            account.payments.map((p) => p.amount),
            [total - 1000n]
          )
          assert.strictEqual(yield* auditCount(partial!.invoice_id, "invoice.payment_recorded"), 1)
          assert.strictEqual(yield* auditCount(partial!.invoice_id, "invoice.paid"), 0)
          // The PaymentIntent of the same invoice payment: the same key, no second payment.
          const intent = stripeEvent(`evt_${crypto.randomUUID()}`, "payment_intent.succeeded", now, {
            ...facts(partial!),
            paymentId: "pi_same",
            amount: total - 1000n
          })
          assert.strictEqual(yield* ProcessPaymentEvent.process(intent), "duplicate")
          assert.strictEqual((yield* paymentsOf(partial!.invoice_id)).length, 1)
          // The rest, by a PaymentIntent naming only our invoice: recorded under its own id, paid.
          const rest = stripeEvent(`evt_${crypto.randomUUID()}`, "payment_intent.succeeded", now, {
            ...facts(partial!),
            providerInvoiceId: null,
            paymentId: "pi_rest",
            amount: 1000n
          })
          assert.strictEqual(yield* ProcessPaymentEvent.process(rest), "applied")
          const after = yield* accountOf(partial!.invoice_id)
          assert.strictEqual(after.invoice.status, "paid")
          assert.deepStrictEqual(
            (yield* paymentsOf(partial!.invoice_id)).map((p) => [p.amount, p.idempotency_key]),
            [
              [(total - 1000n).toString(), `stripe:${partial!.provider_invoice_id}`],
              ["1000", "stripe:pi_rest"]
            ]
          )
          assert.strictEqual(yield* auditCount(partial!.invoice_id, "invoice.paid"), 1)

          // Paid in euros for a dollar invoice: refused, recorded, nothing written.
          const euros = stripeEvent(`evt_${crypto.randomUUID()}`, "invoice.paid", now, {
            ...facts(foreign!),
            currency: "EUR"
          })
          assert.strictEqual(yield* ProcessPaymentEvent.process(euros), "refused")
          assert.strictEqual(yield* ProcessPaymentEvent.process(euros), "duplicate")
          assert.deepStrictEqual(yield* paymentsOf(foreign!.invoice_id), [])
          assert.strictEqual((yield* accountOf(foreign!.invoice_id)).invoice.status, "issued")
          const attempts = yield* rows<{ n: number }>(
            `SELECT count(*)::int AS n FROM payment_attempts WHERE invoice_id = $1`,
            foreign!.invoice_id
          )
          assert.strictEqual(attempts[0]!.n, 0)
          // More than is due: refused as well (the whole invoice is still due).
          const tooMuch = stripeEvent(`evt_${crypto.randomUUID()}`, "invoice.paid", now, {
            ...facts(foreign!),
            amount: BigInt(foreign!.total) + 1n
          })
          assert.strictEqual(yield* ProcessPaymentEvent.process(tooMuch), "refused")
          assert.deepStrictEqual(yield* paymentsOf(foreign!.invoice_id), [])
        })
      ).pipe(Effect.provide(S.layers), Effect.scoped),
    120_000
  )

  it.effect(
    "charge.refunded without a refunds list (Stripe's shape): credits the cumulative amount less what was credited, a larger one only the delta, a redelivery or an older event nothing, 10 concurrent once; a listed charge the same amounts; too much refused whole",
    () =>
      withPushed("2025-08", [2_000_000, 2_000_000], ([link, listedLink]) =>
        Effect.gen(function* () {
          const now = yield* DateTime.now
          const total = BigInt(link!.total)
          for (const l of [link!, listedLink!]) {
            const paid = stripeEvent(`evt_${crypto.randomUUID()}`, "invoice.paid", now, facts(l))
            assert.strictEqual(yield* ProcessPaymentEvent.process(paid), "applied")
          }

          const notes = yield* refundScenario(link!, "ch_bare", false)
          assert.deepStrictEqual(
            notes.map((n) => [n.amount, n.credited, n.refunded, n.reason]),
            [
              ["500", "0", "500", "Refunded through Stripe (ch_bare)"],
              ["300", "0", "300", "Refunded through Stripe (ch_bare)"]
            ]
          )
          // With the refunds listed: the same amounts, the new refunds named.
          const listed = yield* refundScenario(listedLink!, "ch_listed", true)
          assert.deepStrictEqual(
            listed.map((n) => [n.amount, n.refunded, n.reason]),
            [
              ["500", "500", "Refunded through Stripe (ch_listed: re_ch_listed_1)"],
              ["300", "300", "Refunded through Stripe (ch_listed: re_ch_listed_2)"]
            ]
          )
          for (const note of yield* rows<{ id: string }>(
            `SELECT id::text FROM credit_notes WHERE invoice_id = $1`,
            link!.invoice_id
          ))
            assert.strictEqual(yield* auditCount(note.id, "credit_note.issued"), 1)
          const attempts = yield* rows<{ amount: string }>(
            `SELECT amount::text FROM payment_attempts WHERE invoice_id = $1 AND outcome = 'refunded' ORDER BY amount DESC`,
            link!.invoice_id
          )
          assert.deepStrictEqual(
            attempts.map((a) => a.amount),
            ["500", "300"]
          )
          const account = yield* accountOf(link!.invoice_id)
          assert.strictEqual(account.invoice.status, "paid")
          assert.strictEqual(Receivables.amountDue(account), 0n)
          assert.strictEqual(Receivables.refundable(account), total - 800n)
          // The worker's refund notes state their tax split too (written in the same INSERT).
          assert.strictEqual(account.creditNotes.length, 2)
          for (const n of account.creditNotes) {
            assert.strictEqual(n.taxLines?.length, account.invoice.taxLines.length)
            assert.strictEqual(n.tax! + n.net!, n.amount)
          }

          // A cumulative amount past what was received: refused whole, no note, no number taken.
          const counterBefore = yield* rows<{ v: string }>(
            `SELECT max(last_value)::text AS v FROM credit_note_number_sequences`
          )
          const later = DateTime.add(now, { seconds: 2 })
          const tooMuch = refundEvent(link!, total + 1n, later, { charge: "ch_bare" })
          assert.strictEqual(yield* ProcessPaymentEvent.process(tooMuch), "refused")
          assert.strictEqual((yield* notesOf(link!.invoice_id)).length, 2)
          assert.deepStrictEqual(
            yield* rows<{ v: string }>(`SELECT max(last_value)::text AS v FROM credit_note_number_sequences`),
            counterBefore
          )
          // In another currency: refused too.
          const euros = refundEvent(link!, 900n, later, { charge: "ch_bare", currency: "EUR" })
          assert.strictEqual(yield* ProcessPaymentEvent.process(euros), "refused")
          // Everything that is left, once the refusals are behind: exactly the rest.
          const rest = refundEvent(link!, total, later, { charge: "ch_bare" })
          assert.strictEqual(yield* ProcessPaymentEvent.process(rest), "applied")
          assert.deepStrictEqual(
            (yield* notesOf(link!.invoice_id)).map((n) => n.refunded),
            ["500", "300", (total - 800n).toString()]
          )
          assert.strictEqual(Receivables.refundable(yield* accountOf(link!.invoice_id)), 0n)
        })
      ).pipe(Effect.provide(S.layers), Effect.scoped),
    120_000
  )

  it.effect(
    "invoice.payment_failed: a dunning step and one e-mail per attempt, 10 concurrent deliveries once, an older failure after paid changes nothing",
    () =>
      withPushed("2025-09", [2_000_000, 3_000_000], ([failing, raced]) =>
        Effect.gen(function* () {
          const now = yield* DateTime.now
          const failed = stripeEvent(`evt_${crypto.randomUUID()}`, "invoice.payment_failed", now, {
            ...facts(failing!),
            reason: "Your card was declined.",
            attempt: 1
          })
          const outcomes = yield* Effect.all(
            Array.from({ length: 10 }, () => ProcessPaymentEvent.process(failed)),
            { concurrency: "unbounded" }
          )
          assert.deepStrictEqual(outcomes.toSorted(), ["applied", ...Array(9).fill("duplicate")])
          const steps = () =>
            rows<{ kind: string; days: number; notification_id: string }>(
              `SELECT kind, days, notification_id::text FROM dunning_steps WHERE invoice_id = $1 ORDER BY days`,
              failing!.invoice_id
            )
          const mails = () =>
            rows<{ id: string; template: string; subject: string; body: string }>(
              `SELECT id::text, template, payload->>'subject' AS subject, payload->>'text' AS body FROM notifications
               WHERE customer_id = (SELECT customer_id FROM invoices WHERE id = $1) AND template = 'payment_failed'
               ORDER BY created_at`,
              failing!.invoice_id
            )
          const [step] = yield* steps()
          assert.deepStrictEqual({ kind: step!.kind, days: step!.days }, { kind: "payment_failed", days: 1 })
          const [mail, ...more] = yield* mails()
          assert.strictEqual(more.length, 0)
          assert.strictEqual(mail!.id, step!.notification_id)
          assert.match(mail!.subject, /^Payment failed: invoice /)
          assert.include(mail!.body, "Your card was declined.")
          assert.strictEqual(yield* auditCount(failing!.invoice_id, "invoice.payment_failed"), 1)

          // The next attempt fails too: a second step, a second e-mail.
          const again = stripeEvent(
            `evt_${crypto.randomUUID()}`,
            "invoice.payment_failed",
            DateTime.add(now, { seconds: 1 }),
            { ...facts(failing!), reason: "insufficient funds", attempt: 2 }
          )
          assert.strictEqual(yield* ProcessPaymentEvent.process(again), "applied")
          assert.deepStrictEqual(
            (yield* steps()).map((s) => s.days),
            [1, 2]
          )
          assert.strictEqual((yield* mails()).length, 2)
          // The dunning schedule's own steps do not see them (the sweep reads only its kinds).
          const taken = yield* Tenancy.Tenancy.use((t) =>
            t.runAsWorker(DunningSteps.DunningSteps.use((d) => d.taken(failing!.invoice_id as Ids.InvoiceId)))
          ).pipe(Effect.orDie)
          assert.deepStrictEqual(taken, [])

          // Paid, then a failure created before the payment arrives: stale, no step, no e-mail.
          const paid = stripeEvent(`evt_${crypto.randomUUID()}`, "invoice.paid", now, facts(raced!))
          assert.strictEqual(yield* ProcessPaymentEvent.process(paid), "applied")
          const late = stripeEvent(
            `evt_${crypto.randomUUID()}`,
            "invoice.payment_failed",
            DateTime.subtract(now, { minutes: 5 }),
            { ...facts(raced!), reason: "card declined", attempt: 1 }
          )
          assert.strictEqual(yield* ProcessPaymentEvent.process(late), "stale")
          const lateSteps = yield* rows<{ n: number }>(
            `SELECT count(*)::int AS n FROM dunning_steps WHERE invoice_id = $1`,
            raced!.invoice_id
          )
          assert.strictEqual(lateSteps[0]!.n, 0)
          assert.strictEqual(yield* auditCount(raced!.invoice_id, "invoice.payment_failed"), 0)
        })
      ).pipe(Effect.provide(S.layers), Effect.scoped),
    120_000
  )

  it.effect(
    "payments and failures about one invoice all at once: every event processed (the locks in one order, no deadlock), the invoice paid",
    () =>
      withPushed("2025-10", [2_000_000], ([link]) =>
        Effect.gen(function* () {
          const now = yield* DateTime.now
          const total = BigInt(link!.total)
          const earlier = DateTime.subtract(now, { minutes: 1 })
          const events = [
            stripeEvent(`evt_${crypto.randomUUID()}`, "invoice.payment_failed", earlier, {
              ...facts(link!),
              reason: "card declined",
              attempt: 1
            }),
            stripeEvent(`evt_${crypto.randomUUID()}`, "invoice.paid", now, {
              ...facts(link!),
              amount: total - 1000n
            }),
            stripeEvent(`evt_${crypto.randomUUID()}`, "invoice.payment_failed", earlier, {
              ...facts(link!),
              reason: "card declined",
              attempt: 2
            }),
            stripeEvent(`evt_${crypto.randomUUID()}`, "payment_intent.succeeded", now, {
              ...facts(link!),
              providerInvoiceId: null,
              paymentId: "pi_race",
              amount: 1000n
            })
          ]
          const outcomes = yield* Effect.all(
            events.map((e) => ProcessPaymentEvent.process(e)),
            { concurrency: "unbounded" }
          )
          assert.deepStrictEqual([outcomes[1], outcomes[3]], ["applied", "applied"])
          for (const failed of [outcomes[0], outcomes[2]]) assert.include(["applied", "stale"], failed)
          const account = yield* accountOf(link!.invoice_id)
          assert.deepStrictEqual([account.invoice.status, account.payments.length], ["paid", 2])
        })
      ).pipe(Effect.provide(S.layers), Effect.scoped),
    120_000
  )

  it.effect(
    "refused, nothing written but the event id: a payment on a paid invoice, no amount, an unusable id, a refund of nothing or of no charge; a failure on an invoice an operator settled is stale (no step, no e-mail)",
    () =>
      withPushed("2025-11", [2_000_000, 3_000_000], ([stripePaid, settled]) =>
        Effect.gen(function* () {
          const now = yield* DateTime.now
          const paid = stripeEvent(`evt_${crypto.randomUUID()}`, "invoice.paid", now, facts(stripePaid!))
          assert.strictEqual(yield* ProcessPaymentEvent.process(paid), "applied")
          const refusals = [
            // Another payment of an invoice already paid (say, by a second card).
            stripeEvent(`evt_${crypto.randomUUID()}`, "payment_intent.succeeded", now, {
              ...facts(stripePaid!),
              providerInvoiceId: null,
              paymentId: "pi_second",
              amount: 100n
            }),
            stripeEvent(`evt_${crypto.randomUUID()}`, "payment_intent.succeeded", now, {
              ...facts(settled!),
              providerInvoiceId: null,
              paymentId: "pi_nothing",
              amount: 0n
            }),
            stripeEvent(`evt_${crypto.randomUUID()}`, "payment_intent.succeeded", now, {
              ...facts(settled!),
              providerInvoiceId: null,
              paymentId: "pi with spaces",
              amount: 100n
            }),
            // A refund of nothing, and one naming no charge.
            refundEvent(stripePaid!, 0n, now),
            refundEvent(stripePaid!, 100n, now, { charge: null })
          ]
          for (const event of refusals)
            assert.strictEqual(yield* ProcessPaymentEvent.process(event), "refused", event.id)
          assert.strictEqual((yield* paymentsOf(stripePaid!.invoice_id)).length, 1)
          assert.deepStrictEqual(yield* paymentsOf(settled!.invoice_id), [])
          assert.deepStrictEqual(yield* notesOf(stripePaid!.invoice_id), [])
          const recorded = yield* rows<{ n: number }>(
            `SELECT count(*)::int AS n FROM payment_webhook_events WHERE event_id IN ($1, $2, $3, $4, $5)`,
            ...refusals.map((e) => e.id)
          )
          assert.strictEqual(recorded[0]!.n, 5)

          // An operator records the whole payment by hand; Stripe then reports a failed attempt.
          const customerId = (yield* accountOf(settled!.invoice_id)).invoice.customerId
          yield* RecordPayment.record(customerId, settled!.invoice_id as Ids.InvoiceId, {
            amount: BigInt(settled!.total),
            method: "bank_transfer",
            reference: "WIRE 1",
            paidAt: now,
            idempotencyKey: "wire-1" as Payment.IdempotencyKey
          }).pipe(Effect.orDie)
          const failed = stripeEvent(`evt_${crypto.randomUUID()}`, "invoice.payment_failed", now, {
            ...facts(settled!),
            reason: "card declined",
            attempt: 1
          })
          assert.strictEqual(yield* ProcessPaymentEvent.process(failed), "stale")
          const steps = yield* rows<{ n: number }>(
            `SELECT count(*)::int AS n FROM dunning_steps WHERE invoice_id = $1`,
            settled!.invoice_id
          )
          assert.strictEqual(steps[0]!.n, 0)
          assert.strictEqual(yield* auditCount(settled!.invoice_id, "invoice.payment_failed"), 0)
        })
      ).pipe(Effect.provide(S.layers), Effect.scoped),
    120_000
  )

  it.effect(
    "a charge paid on the hosted invoice page (no invoice, no metadata): invoice_payment.paid links its payment intent and charge.refunded credits through it; a refund arriving first waits (pending) and is credited when the link arrives, once; racing the link, once; a charge of a customer not ours is unmatched",
    () =>
      withPushed("2026-01", [2_000_000, 2_000_000, 2_000_000, 2_000_000], ([first, early, racing, other]) =>
        Effect.gen(function* () {
          const now = yield* DateTime.now
          const later = DateTime.add(now, { seconds: 1 })
          const latest = DateTime.add(now, { seconds: 2 })

          // The link first: the payment recorded as invoice.paid records it, once.
          const linked = invoicePaymentEvent(first!, "pi_hosted_first", now)
          assert.strictEqual(yield* ProcessPaymentEvent.process(linked), "applied")
          assert.strictEqual(yield* ProcessPaymentEvent.process(linked), "duplicate")
          const paidToo = stripeEvent(`evt_${crypto.randomUUID()}`, "invoice.paid", now, facts(first!))
          assert.strictEqual(yield* ProcessPaymentEvent.process(paidToo), "duplicate")
          assert.deepStrictEqual(
            (yield* paymentsOf(first!.invoice_id)).map((p) => [p.amount, p.idempotency_key]),
            [[first!.total, `stripe:${first!.provider_invoice_id}`]]
          )
          assert.strictEqual((yield* accountOf(first!.invoice_id)).invoice.status, "paid")
          const customer = yield* stripeCustomerOf(first!.invoice_id)
          const r1 = hostedRefundEvent(customer, "pi_hosted_first", 300n, now)
          assert.strictEqual(yield* ProcessPaymentEvent.process(r1), "applied")
          const r2 = hostedRefundEvent(customer, "pi_hosted_first", 500n, later)
          assert.strictEqual(yield* ProcessPaymentEvent.process(r2), "applied")
          assert.strictEqual(yield* ProcessPaymentEvent.process(r2), "duplicate")
          assert.strictEqual(
            yield* ProcessPaymentEvent.process(hostedRefundEvent(customer, "pi_hosted_first", 500n, later)),
            "duplicate"
          )
          assert.deepStrictEqual(
            (yield* notesOf(first!.invoice_id)).map((n) => [n.amount, n.refunded, n.reason]),
            [
              ["300", "300", "Refunded through Stripe (ch_of_pi_hosted_first)"],
              ["200", "200", "Refunded through Stripe (ch_of_pi_hosted_first)"]
            ]
          )
          // A payment is linked to one invoice: another invoice's event naming it is refused whole.
          const stolen = invoicePaymentEvent(other!, "pi_hosted_first", now)
          assert.strictEqual(yield* ProcessPaymentEvent.process(stolen), "refused")
          assert.deepStrictEqual(yield* paymentsOf(other!.invoice_id), [])

          // The refunds first: recorded and held, nothing credited yet; redelivered, duplicates.
          const earlyCustomer = yield* stripeCustomerOf(early!.invoice_id)
          const e1 = hostedRefundEvent(earlyCustomer, "pi_hosted_early", 400n, now)
          assert.strictEqual(yield* ProcessPaymentEvent.process(e1), "pending")
          assert.strictEqual(yield* ProcessPaymentEvent.process(e1), "duplicate")
          const e2 = hostedRefundEvent(earlyCustomer, "pi_hosted_early", 600n, later)
          assert.strictEqual(yield* ProcessPaymentEvent.process(e2), "pending")
          assert.deepStrictEqual(yield* notesOf(early!.invoice_id), [])
          assert.strictEqual(yield* pendingOf("pi_hosted_early"), 2)
          // The link arrives (10 deliveries at once): the payment, then both refunds, oldest first.
          const link = invoicePaymentEvent(early!, "pi_hosted_early", latest)
          const outcomes = yield* Effect.all(
            Array.from({ length: 10 }, () => ProcessPaymentEvent.process(link)),
            { concurrency: "unbounded" }
          )
          assert.deepStrictEqual(outcomes.toSorted(), ["applied", ...Array(9).fill("duplicate")])
          assert.strictEqual(yield* pendingOf("pi_hosted_early"), 0)
          assert.deepStrictEqual(
            (yield* notesOf(early!.invoice_id)).map((n) => [n.amount, n.refunded]),
            [
              ["400", "400"],
              ["200", "200"]
            ]
          )
          const credits = yield* rows<{ event_id: string; amount: string }>(
            `SELECT event_id, amount::text FROM payment_refunds WHERE invoice_id = $1 ORDER BY amount DESC`,
            early!.invoice_id
          )
          assert.deepStrictEqual(credits, [
            { event_id: e1.id, amount: "400" },
            { event_id: e2.id, amount: "200" }
          ])
          // Redeliveries of either, and the cumulative amount again under a new id: nothing new.
          assert.strictEqual(yield* ProcessPaymentEvent.process(e2), "duplicate")
          assert.strictEqual(yield* ProcessPaymentEvent.process(link), "duplicate")
          assert.strictEqual(
            yield* ProcessPaymentEvent.process(
              hostedRefundEvent(earlyCustomer, "pi_hosted_early", 600n, latest)
            ),
            "duplicate"
          )
          assert.strictEqual((yield* notesOf(early!.invoice_id)).length, 2)

          // Refunds and links racing each other (five payments of one invoice, each refund beside
          // its link, all at once): each credited once, whichever commits first.
          const racingCustomer = yield* stripeCustomerOf(racing!.invoice_id)
          const intents = Array.from({ length: 5 }, (_, i) => `pi_hosted_racing_${i}`)
          const race = yield* Effect.all(
            intents.flatMap((pi) => [
              ProcessPaymentEvent.process(hostedRefundEvent(racingCustomer, pi, 50n, later)),
              ProcessPaymentEvent.process(invoicePaymentEvent(racing!, pi, now))
            ]),
            { concurrency: "unbounded" }
          )
          for (const [i, outcome] of race.entries())
            assert.include(i % 2 === 0 ? ["pending", "applied"] : ["applied"], outcome)
          assert.deepStrictEqual(
            (yield* notesOf(racing!.invoice_id)).map((n) => n.amount),
            Array(5).fill("50")
          )
          assert.strictEqual((yield* paymentsOf(racing!.invoice_id)).length, 1)
          for (const pi of intents) assert.strictEqual(yield* pendingOf(pi), 0)

          // Not ours: a charge of a Stripe customer we did not create, or of none, waits for nothing.
          for (const stranger of ["cus_not_ours", null])
            assert.strictEqual(
              yield* ProcessPaymentEvent.process(hostedRefundEvent(stranger, "pi_not_ours", 100n, now)),
              "unmatched"
            )
          assert.strictEqual(yield* pendingOf("pi_not_ours"), 0)
        })
      ).pipe(Effect.provide(S.layers), Effect.scoped),
    120_000
  )

  it.effect(
    "InvoicePayments paying parts of one invoice (Stripe's partial payments): each links its payment and records nothing (the invoice's key would keep the first part only); a refund held before its part's link waits on until invoice.paid records the total once and credits it; a later refund of each part credits through its link",
    () =>
      withPushed("2026-03", [2_000_000], ([link]) =>
        Effect.gen(function* () {
          const now = yield* DateTime.now
          const total = BigInt(link!.total)
          const part = (paymentIntent: string, amount: bigint) => {
            const e = invoicePaymentEvent(link!, paymentIntent, now)
            return { ...e, invoice: { ...e.invoice!, amount } }
          }
          const customer = yield* stripeCustomerOf(link!.invoice_id)
          // A refund of the first part before anything about it: held.
          const early = hostedRefundEvent(customer, "pi_part_1", 500n, now)
          assert.strictEqual(yield* ProcessPaymentEvent.process(early), "pending")
          // The first part's link: nothing received yet (a part records nothing), so the refund
          // is held again rather than refused as more than was received.
          assert.strictEqual(yield* ProcessPaymentEvent.process(part("pi_part_1", total - 1000n)), "applied")
          assert.strictEqual(yield* ProcessPaymentEvent.process(part("pi_part_2", 1000n)), "applied")
          // A part paid out of band (a payment record: no payment to link): nothing either.
          const outOfBand = part("pi_unused", 1000n)
          const noPayment = {
            ...outOfBand,
            invoice: { ...outOfBand.invoice, paymentId: null, linkedPaymentId: null }
          }
          assert.strictEqual(yield* ProcessPaymentEvent.process(noPayment), "ignored")
          assert.deepStrictEqual(yield* paymentsOf(link!.invoice_id), [])
          assert.deepStrictEqual(yield* notesOf(link!.invoice_id), [])
          assert.strictEqual(yield* pendingOf("pi_part_1"), 1)
          // invoice.paid records the total once, and credits the held refund in its transaction.
          const paid = stripeEvent(`evt_${crypto.randomUUID()}`, "invoice.paid", now, facts(link!))
          assert.strictEqual(yield* ProcessPaymentEvent.process(paid), "applied")
          assert.strictEqual(yield* ProcessPaymentEvent.process(paid), "duplicate")
          assert.deepStrictEqual(
            (yield* paymentsOf(link!.invoice_id)).map((p) => p.amount),
            [link!.total]
          )
          assert.strictEqual(yield* pendingOf("pi_part_1"), 0)
          assert.strictEqual(yield* ProcessPaymentEvent.process(early), "duplicate")
          // Later refunds find their part's link at once.
          assert.strictEqual(
            yield* ProcessPaymentEvent.process(hostedRefundEvent(customer, "pi_part_2", 1000n, now)),
            "applied"
          )
          assert.strictEqual(
            yield* ProcessPaymentEvent.process(hostedRefundEvent(customer, "pi_part_1", 800n, now)),
            "applied"
          )
          assert.deepStrictEqual(
            (yield* notesOf(link!.invoice_id)).map((n) => [n.amount, n.reason]),
            [
              ["500", "Refunded through Stripe (ch_of_pi_part_1)"],
              ["1000", "Refunded through Stripe (ch_of_pi_part_2)"],
              ["300", "Refunded through Stripe (ch_of_pi_part_1)"]
            ]
          )
        })
      ).pipe(Effect.provide(S.layers), Effect.scoped),
    120_000
  )

  // Only the server runs transactions side by side (PGlite serializes them).
  if (kind === "server")
    it.effect(
      "the payment's lock orders a refund and its link: a refund waits for a link being recorded and credits through it; the link waits for a refund being held and credits it",
      () =>
        withPushed("2026-02", [2_000_000, 2_000_000], ([seen, held]) =>
          Effect.gen(function* () {
            const tenancy = yield* Tenancy.Tenancy
            const links = yield* PaymentLinks.PaymentLinks
            const now = yield* DateTime.now
            const asWorker = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
              tenancy
                .runAsWorker(effect)
                .pipe(Effect.provideService(Tenancy.CurrentPrincipal, PushDelivery.paymentsWorker))
            // Another transaction, holding the payment's lock while `during` runs, until released.
            const holding = <A, E, R>(paymentId: string, during: Effect.Effect<A, E, R>) =>
              Effect.gen(function* () {
                const locked = yield* Deferred.make<void>()
                const release = yield* Deferred.make<void>()
                const fiber = yield* asWorker(
                  Effect.gen(function* () {
                    yield* links.lockPayment("stripe", paymentId)
                    yield* Deferred.succeed(locked, undefined)
                    yield* Deferred.await(release)
                    return yield* during
                  })
                ).pipe(Effect.forkChild)
                yield* Deferred.await(locked)
                return { fiber, release: Deferred.succeed(release, undefined) }
              })

            // The link being recorded (its payment already paid by invoice.paid): the refund waits
            // for that transaction, then credits through the link instead of waiting as pending.
            const paid = stripeEvent(`evt_${crypto.randomUUID()}`, "invoice.paid", now, facts(seen!))
            assert.strictEqual(yield* ProcessPaymentEvent.process(paid), "applied")
            const seenAccount = yield* accountOf(seen!.invoice_id)
            const linking = yield* holding(
              "pi_locked_link",
              links.link({
                provider: "stripe",
                providerPaymentId: "pi_locked_link",
                customerId: seenAccount.invoice.customerId,
                invoiceId: seen!.invoice_id as Ids.InvoiceId,
                eventId: `evt_${crypto.randomUUID()}`
              })
            )
            const customer = yield* stripeCustomerOf(seen!.invoice_id)
            const refund = yield* ProcessPaymentEvent.process(
              hostedRefundEvent(customer, "pi_locked_link", 120n, now)
            ).pipe(Effect.forkChild)
            yield* Effect.sleep("500 millis")
            yield* linking.release
            yield* Fiber.join(linking.fiber)
            assert.strictEqual(yield* Fiber.join(refund), "applied")
            assert.deepStrictEqual(
              (yield* notesOf(seen!.invoice_id)).map((n) => n.amount),
              ["120"]
            )

            // A refund being held: the invoice_payment.paid waits for that transaction, then
            // credits it in its own.
            const heldAccount = yield* accountOf(held!.invoice_id)
            const holdingRefund = yield* holding(
              "pi_locked_pending",
              PendingRefunds.PendingRefunds.use((p) =>
                p.hold({
                  provider: "stripe",
                  eventId: `evt_${crypto.randomUUID()}`,
                  providerPaymentId: "pi_locked_pending",
                  providerChargeId: "ch_locked_pending",
                  customerId: heldAccount.invoice.customerId,
                  amount: 80n,
                  currency: "USD",
                  refunds: [],
                  occurredAt: now
                })
              )
            )
            const link = yield* ProcessPaymentEvent.process(
              invoicePaymentEvent(held!, "pi_locked_pending", now)
            ).pipe(Effect.forkChild)
            yield* Effect.sleep("500 millis")
            yield* holdingRefund.release
            yield* Fiber.join(holdingRefund.fiber)
            assert.strictEqual(yield* Fiber.join(link), "applied")
            assert.deepStrictEqual(
              (yield* notesOf(held!.invoice_id)).map((n) => n.amount),
              ["80"]
            )
            assert.strictEqual(yield* pendingOf("pi_locked_pending"), 0)
          })
        ).pipe(Effect.provide(S.layers), Effect.scoped),
      120_000
    )
})
