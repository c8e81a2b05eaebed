/**
 * A month end with Stripe, end to end on the real PostgreSQL server (DATABASE_URL; skipped
 * without it), every part a separate process as in production: `securebase db seed`, then
 * `securebase bill` with PAYMENTS=stripe against the Stripe STAND-IN (`@securebase/adapters/testing`,
 * a local HTTP server speaking the subset we use; Stripe's own mock cannot run here), then
 * `npm start` receiving Stripe's signed `invoice.paid` webhooks.
 *
 * Stripe is down during the run: every invoice is issued and every push queued (the run is not
 * blocked) and no e-mail goes; Stripe recovers and the next run delivers each push once and then
 * each invoice's e-mail, once, with its hosted payment link; the webhooks record each invoice's
 * payment and mark it paid. A refund of a payment whose `invoice_payment.paid` never came is held
 * (`pending`), listed by `securebase payments held`, and credited once by `securebase payments
 * reconcile`, which finds the payment's InvoicePayment at Stripe.
 */
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { PgDatabase, StripeWebhooks } from "@securebase/adapters"
import { StripeStandIn } from "@securebase/adapters/testing"
import { Period } from "@securebase/core"
import { DateTime, Effect, Redacted } from "effect"
import { SqlClient } from "effect/sql"
import { securebase } from "../support/Cli.ts"
import { scratchDatabase, startServer } from "../support/ServerProcesses.ts"

const base = process.env.DATABASE_URL ?? ""
const webhookSecret = "whsec_monthEndSigningSecret0001"

const onDatabase = <A>(url: string, f: (sql: SqlClient.SqlClient) => Effect.Effect<A, unknown>) =>
  Effect.orDie(
    Effect.scoped(
      Effect.provide(
        Effect.flatMap(SqlClient.SqlClient, f),
        PgDatabase.layer({ _tag: "Server", url: Redacted.make(url), maxConnections: 1 })
      )
    )
  )

/** The invoice e-mails of a period: status, the text, and the file the local outbox wrote. */
const mailsOf = (url: string, period: string) =>
  onDatabase(
    url,
    (sql) => sql<{ id: string; invoice_id: string; status: string; text: string }>`
      SELECT n.id::text, i.id::text AS invoice_id, n.status, n.payload->>'text' AS text
      FROM notifications n JOIN invoices i ON i.id::text = n.payload->'data'->>'invoiceId'
      WHERE i.period = ${period} ORDER BY i.id`
  )

describe.runIf(base !== "")("A month end with Stripe on the real server", () => {
  it.live(
    "Stripe down during the run: invoices issued, pushes queued; then pushed once; signed invoice.paid marks them paid",
    () =>
      Effect.gen(function* () {
        const url = yield* scratchDatabase(base)
        const dir = yield* Effect.acquireRelease(
          Effect.promise(() => mkdtemp(join(tmpdir(), "securebase-stripe-"))),
          (d) => Effect.promise(() => rm(d, { recursive: true, force: true }))
        )
        const standIn = yield* StripeStandIn.start
        const env = {
          DATABASE_URL: url,
          OUTBOX_DIR: join(dir, "outbox"),
          PAYMENTS: "stripe",
          STRIPE_SECRET_KEY: "sk_test_monthend",
          STRIPE_WEBHOOK_SECRETS: webhookSecret,
          STRIPE_API_BASE: standIn.url.toString()
        }
        // The demo tenants, their history billed with manual collection (nothing queued).
        const seeded = yield* securebase(["db", "seed"], { DATABASE_URL: url })
        assert.strictEqual(seeded.code, 0, seeded.stderr)
        const closed = Period.trailing(Period.ofDateTime(yield* DateTime.now), 5)[0]!

        standIn.down = true
        const run = yield* securebase(["bill", "--period", closed], env)
        assert.strictEqual(run.code, 0, run.stderr)
        assert.include(run.stdout, "4 issued by this run")
        assert.include(run.stdout, "payments   0 pushed, 4 to retry, 0 parked as failed")
        const issued = yield* onDatabase(
          url,
          (sql) => sql<{ id: string; status: string; total: string; push: string; attempts: number }>`
            SELECT i.id::text, i.status::text, i.total::text, p.status AS push, p.attempts
            FROM invoices i JOIN payment_pushes p ON p.invoice_id = i.id
            WHERE i.period = ${closed} ORDER BY i.id`
        )
        assert.strictEqual(issued.length, 4, "every invoice issued has its push queued")
        for (const row of issued) {
          assert.strictEqual(row.status, "issued")
          assert.strictEqual(row.push, "pending")
          assert.strictEqual(row.attempts, 1)
        }
        assert.isTrue(standIn.requests.every((r) => r.status === 503))
        assert.deepStrictEqual(yield* mailsOf(url, closed), [], "the e-mails wait for the pushes")

        // Stripe is back; a minute later (the first backoff) the next run delivers the queue.
        standIn.down = false
        yield* onDatabase(
          url,
          (sql) => sql`UPDATE payment_pushes SET next_attempt_at = now() - interval '1 second'`
        )
        const again = yield* securebase(["bill", "--period", closed], env)
        assert.strictEqual(again.code, 0, again.stderr)
        assert.include(again.stdout, "0 issued by this run", "nothing is billed twice")
        assert.include(again.stdout, "payments   4 pushed, 0 to retry, 0 parked as failed")
        const third = yield* securebase(["bill", "--period", closed], env)
        assert.include(third.stdout, "payments   0 pushed, 0 to retry, 0 parked as failed")

        const links = yield* onDatabase(
          url,
          (sql) => sql<{ invoice_id: string; provider_invoice_id: string; total: string }>`
            SELECT p.invoice_id::text, p.provider_invoice_id, i.total::text
            FROM payment_invoices p JOIN invoices i ON i.id = p.invoice_id
            WHERE i.period = ${closed} ORDER BY p.invoice_id`
        )
        assert.deepStrictEqual(
          links.map((l) => l.invoice_id),
          issued.map((i) => i.id)
        )
        // After the pushes, each invoice's e-mail, sent once, with its hosted payment link.
        const mails = yield* mailsOf(url, closed)
        assert.deepStrictEqual(
          mails.map((m) => [m.invoice_id, m.status]),
          links.map((l) => [l.invoice_id, "sent"])
        )
        const files = yield* Effect.promise(() => readdir(env.OUTBOX_DIR))
        for (const [i, mail] of mails.entries()) {
          const hosted = (standIn.objects.get(links[i]!.provider_invoice_id) as Record<string, any>)
            .hosted_invoice_url
          assert.include(mail.text, `Pay online: ${hosted}`)
          assert.include(files, `${mail.id}.eml`)
          const eml = yield* Effect.promise(() => readFile(join(env.OUTBOX_DIR, `${mail.id}.eml`), "utf8"))
          assert.include(eml, "application/pdf", "the PDF attached")
        }
        const stripeInvoices = [...standIn.objects.values()].filter((o) => o.object === "invoice")

        assert.strictEqual(stripeInvoices.length, 4, "no invoice pushed twice")
        for (const link of links) {
          const stripeInvoice = standIn.objects.get(link.provider_invoice_id) as Record<string, any>
          assert.strictEqual(stripeInvoice.metadata.securebase_invoice_id, link.invoice_id)
          assert.strictEqual(
            stripeInvoice.amount_due,
            Number(link.total),
            "amounts in minor units, to the cent"
          )
        }

        // Stripe collects and tells the server, signed.
        const server = yield* startServer({ ...env, SEED_DEMO: "false" })
        for (const [i, link] of links.entries()) {
          const payload = JSON.stringify({
            id: `evt_monthend_${i}_${link.provider_invoice_id}`,
            object: "event",
            created: Math.floor(Date.now() / 1000),
            type: "invoice.paid",
            data: {
              object: {
                id: link.provider_invoice_id,
                object: "invoice",
                amount_paid: Number(link.total),
                currency: "usd",
                status: "paid",
                metadata: { securebase_invoice_id: link.invoice_id }
              }
            }
          })
          const response = yield* Effect.promise(() =>
            fetch(`${server.url}/webhooks/stripe`, {
              method: "POST",
              headers: {
                "content-type": "application/json",
                "stripe-signature": StripeWebhooks.webhooks.generateTestHeaderString({
                  payload,
                  secret: webhookSecret
                })
              },
              body: payload
            })
          )
          assert.strictEqual(response.status, 200)
          assert.strictEqual(
            ((yield* Effect.promise(() => response.json())) as { outcome: string }).outcome,
            "applied"
          )
        }
        const paid = yield* onDatabase(
          url,
          (sql) => sql<{ status: string; payment_reference: string }>`
            SELECT status::text, payment_reference FROM invoices WHERE period = ${closed} ORDER BY id`
        )
        assert.deepStrictEqual(
          paid.map((p) => p.status),
          ["paid", "paid", "paid", "paid"]
        )
        assert.deepStrictEqual(
          paid.map((p) => p.payment_reference),
          links.map((l) => `stripe:${l.provider_invoice_id}`)
        )
        // Each as one payment row of the whole total, recorded by the server's worker transaction.
        const payments = yield* onDatabase(
          url,
          (sql) => sql<{ amount: string; idempotency_key: string }>`
            SELECT p.amount::text, p.idempotency_key FROM payments p JOIN invoices i ON i.id = p.invoice_id
            WHERE i.period = ${closed} ORDER BY i.id`
        )
        assert.deepStrictEqual(
          payments,
          links.map((l) => ({ amount: l.total, idempotency_key: `stripe:${l.provider_invoice_id}` }))
        )

        // A refund of the first invoice's payment, whose invoice_payment.paid never came (the
        // endpoint did not listen to it yet): held, listed, then found at Stripe and credited once.
        const first = links[0]!
        const stripeCustomer = (standIn.objects.get(first.provider_invoice_id) as Record<string, any>)
          .customer
        const refundPayload = JSON.stringify({
          id: "evt_monthend_refund_unlinked",
          object: "event",
          created: Math.floor(Date.now() / 1000),
          type: "charge.refunded",
          data: {
            object: {
              id: "ch_monthend_unlinked",
              object: "charge",
              customer: stripeCustomer,
              payment_intent: "pi_monthend_unlinked",
              amount_refunded: 500,
              currency: "usd"
            }
          }
        })
        const refunded = yield* Effect.promise(() =>
          fetch(`${server.url}/webhooks/stripe`, {
            method: "POST",
            headers: {
              "content-type": "application/json",
              "stripe-signature": StripeWebhooks.webhooks.generateTestHeaderString({
                payload: refundPayload,
                secret: webhookSecret
              })
            },
            body: refundPayload
          })
        )
        assert.strictEqual(
          ((yield* Effect.promise(() => refunded.json())) as { outcome: string }).outcome,
          "pending"
        )
        const listed = yield* securebase(["payments", "held"], env)
        assert.strictEqual(listed.code, 0, listed.stderr)
        assert.include(listed.stdout, "ch_monthend_unlinked of pi_monthend_unlinked")
        assert.include(listed.stdout, "lookups 0, next lookup")
        assert.include(listed.stdout, "1 held refund, 0 no longer looked up")
        // Stripe knows the payment; the lookup's wait has passed.
        standIn.payInvoice({
          invoice: first.provider_invoice_id,
          paymentIntent: "pi_monthend_unlinked",
          amount: Number(first.total),
          paidAt: Math.floor(Date.now() / 1000) - 60
        })
        yield* onDatabase(
          url,
          (sql) => sql`UPDATE payment_pending_refunds SET next_lookup_at = now() - interval '1 second'`
        )
        const reconciled = yield* securebase(["payments", "reconcile"], env)
        assert.strictEqual(reconciled.code, 0, reconciled.stderr)
        assert.include(
          reconciled.stdout,
          "held refunds: 1 payments looked up, 1 resolved, 0 to retry, 0 left for an operator"
        )
        const reconciledAgain = yield* securebase(["payments", "reconcile"], env)
        assert.include(reconciledAgain.stdout, "held refunds: 0 payments looked up")
        const notes = yield* onDatabase(
          url,
          (sql) => sql<{ amount: string; refunded: string }>`
            SELECT amount::text, refunded::text FROM credit_notes WHERE invoice_id = ${first.invoice_id}`
        )
        assert.deepStrictEqual(notes, [{ amount: "500", refunded: "500" }])
        const empty = yield* securebase(["payments", "held"], env)
        assert.include(empty.stdout, "0 held refunds, 0 no longer looked up")
      }).pipe(Effect.scoped),
    240_000
  )
})
