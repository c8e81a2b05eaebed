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
  ProcessPaymentEvent,
  Receivables,
  ReceivablesRepo,
  RecordPayment,
  Tenancy
} from "@securebase/core"
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
})
