/**
 * What a customer receives, end to end: `securebase bill` (a separate process, as deployed) issues
 * the demo tenants' invoices and delivers their e-mails to a real SES v2 endpoint
 * (`aws-ses-v2-local`); each e-mail has the text and HTML bodies, the configured sender, reply-to
 * and support contact, and the invoice PDF attached; the attachment is byte for byte what
 * `GET /invoices/{id}/download` serves the tenant afterwards, with the configured seller block and
 * the buyer's billing address and tax id as an operator set them through `/admin/customers`.
 *
 * With PAYMENTS=stripe (the Stripe STAND-IN, `@securebase/adapters/testing`) each e-mail goes after
 * its invoice's push, and its text, HTML and attached PDF all say "Pay online: <url>" with the
 * hosted page the push stored; the download prints the same link, read when it is drawn.
 */

import { mkdtemp, rm } from "node:fs/promises"
import type { Server } from "node:http"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { StripeStandIn } from "@securebase/adapters/testing"
import { Operators, Period } from "@securebase/core"
import { Context, DateTime, Effect, Layer, Redacted } from "effect"
import { securebase } from "./support/Cli.ts"
import { pdfText } from "./support/PdfText.ts"
import { call, TestServer } from "./support/TestServer.ts"

interface StoredEmail {
  readonly messageId: string
  readonly from: string
  readonly replyTo: ReadonlyArray<string>
  readonly destination: { readonly to: ReadonlyArray<string> }
  readonly subject: string
  readonly body: { readonly text?: string; readonly html?: string }
  readonly attachments: ReadonlyArray<{
    readonly filename: string
    readonly contentType: string
    readonly content: string
  }>
}

const startSes = Effect.acquireRelease(
  Effect.promise(async () => {
    type Start = (config: { port: number; host: string }) => Promise<Server>
    const mod = (await import("aws-ses-v2-local")) as unknown as { default: Start | { default: Start } }
    const start = typeof mod.default === "function" ? mod.default : mod.default.default
    return await start({ port: 0, host: "127.0.0.1" })
  }),
  (server) => Effect.promise(() => new Promise<void>((resolve) => server.close(() => resolve())))
)

describe("invoice e-mails", () => {
  it.live(
    "billed over SES: HTML and text, sender and reply-to from config, the PDF attached and equal to the download",
    () =>
      Effect.gen(function* () {
        const ses = yield* startSes
        const endpoint = `http://127.0.0.1:${(ses.address() as AddressInfo).port}`
        const dir = yield* Effect.acquireRelease(
          Effect.promise(() => mkdtemp(join(tmpdir(), "securebase-mail-"))),
          (d) => Effect.promise(() => rm(d, { recursive: true, force: true }))
        )
        const env = {
          PGLITE_DATA_DIR: join(dir, "db"),
          SELLER_NAME: "Acme Compliance GmbH",
          SELLER_ADDRESS: "Hauptstraße 1|10115 Berlin|Germany",
          SELLER_TAX_ID: "DE123456789",
          SELLER_PAYMENT_INSTRUCTIONS: "IBAN DE89 3704 0044 0532 0130 00",
          SUPPORT_EMAIL: "help@acme.example",
          MAIL_FROM: "Acme Billing <billing@acme.example>",
          MAIL_REPLY_TO: "help@acme.example"
        }
        const seeded = yield* securebase(["db", "seed"], env)
        assert.strictEqual(seeded.code, 0, seeded.stderr)
        // An operator gives one customer a billing address and tax id (the buyer block), on the
        // served database, before the run.
        const buyerEmail = yield* Effect.scoped(
          Effect.gen(function* () {
            const { url, tenants, services } = Context.get(
              yield* Layer.build(TestServer.layer(env)),
              TestServer
            )
            const operator = yield* Effect.orDie(
              Context.get(services, Operators.Operators).create({
                name: "billing ops",
                scopes: ["customers:write"]
              })
            )
            const patched = yield* call(url, "PATCH", `/admin/customers/${tenants[1]!.customer.id}`, {
              token: Redacted.value(operator.plaintext),
              json: {
                billingAddress: {
                  line1: "Unter den Linden 1",
                  city: "Berlin",
                  postalCode: "10117",
                  country: "DE"
                },
                taxId: "DE811907980"
              }
            })
            assert.strictEqual(patched.status, 200, JSON.stringify(patched.body))
            return tenants[1]!.customer.email
          })
        )
        const closed = Period.trailing(Period.ofDateTime(yield* DateTime.now), 5)[0]!
        const billed = yield* securebase(["bill", "--period", closed], {
          ...env,
          MAILER: "ses",
          SES_ENDPOINT: endpoint,
          AWS_REGION: "us-east-1",
          AWS_ACCESS_KEY_ID: "test",
          AWS_SECRET_ACCESS_KEY: "test"
        })
        assert.strictEqual(billed.code, 0, `${billed.stdout}\n${billed.stderr}`)
        assert.include(billed.stdout, "4 sent")

        const emails = yield* Effect.promise(async () => {
          const res = await fetch(`${endpoint}/store`)
          return ((await res.json()) as { emails: ReadonlyArray<StoredEmail> }).emails
        })
        assert.strictEqual(emails.length, 4)
        for (const mail of emails) {
          assert.include(mail.from, "billing@acme.example")
          assert.deepStrictEqual(mail.replyTo, ["help@acme.example"])
          assert.match(mail.subject, new RegExp(`^Invoice INV-\\d{4}-\\d{6} for ${closed}$`))
          assert.include(mail.body.text ?? "", "Questions about this invoice: help@acme.example")
          assert.include(mail.body.html ?? "", "<!doctype html>")
          assert.include(mail.body.html ?? "", "Acme Compliance GmbH")
          assert.strictEqual(mail.attachments.length, 1)
          assert.strictEqual(mail.attachments[0]!.contentType, "application/pdf")
        }

        // The same database, now served: each tenant downloads its invoice of that month.
        const { url, tenants } = Context.get(yield* Layer.build(TestServer.layer(env)), TestServer)
        let compared = 0
        for (const tenant of tenants) {
          const list = yield* call(url, "GET", `/invoices?period=${closed}`, { token: tenant.apiKey })
          assert.strictEqual(list.status, 200)
          const invoice = list.body.data[0]
          const mail = emails.find((m) => m.destination.to.includes(tenant.customer.email))
          assert.isDefined(mail, tenant.customer.email)
          assert.strictEqual(mail!.attachments[0]!.filename, `${invoice.number}.pdf`)
          const download = yield* call(url, "GET", `/invoices/${invoice.id}/download`, {
            token: tenant.apiKey
          })
          assert.strictEqual(download.status, 200)
          const attached = new Uint8Array(Buffer.from(mail!.attachments[0]!.content, "base64"))
          assert.deepStrictEqual(attached, download.bytes)
          compared++
        }
        assert.strictEqual(compared, 4)
        const buyerMail = emails.find((m) => m.destination.to.includes(buyerEmail))!
        const text = yield* pdfText(new Uint8Array(Buffer.from(buyerMail.attachments[0]!.content, "base64")))
        assert.include(text, "Acme Compliance GmbH Hauptstraße 1 10115 Berlin Germany Tax id: DE123456789")
        assert.include(text, "How to pay IBAN DE89 3704 0044 0532 0130 00")
        assert.match(text, /Bill to .+ Unter den Linden 1 10117 Berlin DE Tax id DE811907980/)
      }).pipe(Effect.scoped),
    300_000
  )

  it.live(
    "with Stripe: each e-mail goes after its push, with Pay online in the text, the HTML and the PDF; the download prints the same link",
    () =>
      Effect.gen(function* () {
        const ses = yield* startSes
        const endpoint = `http://127.0.0.1:${(ses.address() as AddressInfo).port}`
        // aws-ses-v2-local keeps one store per process, whichever server received the mail.
        yield* Effect.promise(() => fetch(`${endpoint}/clear-store`, { method: "POST" }))
        const standIn = yield* StripeStandIn.start
        const dir = yield* Effect.acquireRelease(
          Effect.promise(() => mkdtemp(join(tmpdir(), "securebase-paylink-"))),
          (d) => Effect.promise(() => rm(d, { recursive: true, force: true }))
        )
        const env = {
          PGLITE_DATA_DIR: join(dir, "db"),
          SUPPORT_EMAIL: "help@acme.example",
          PAYMENTS: "stripe",
          STRIPE_SECRET_KEY: "sk_test_paylink",
          STRIPE_WEBHOOK_SECRETS: "whsec_payLinkSigningSecret00001",
          STRIPE_API_BASE: standIn.url.toString()
        }
        // The demo's history is billed without e-mail: with Stripe it is pushed (it can be paid
        // online) but its pushes mail nothing, so this run pushes the history's twelve and the
        // month's four, and mails the month's four only.
        const seeded = yield* securebase(["db", "seed"], env)
        assert.strictEqual(seeded.code, 0, seeded.stderr)
        const closed = Period.trailing(Period.ofDateTime(yield* DateTime.now), 5)[0]!
        const billed = yield* securebase(["bill", "--period", closed], {
          ...env,
          MAILER: "ses",
          SES_ENDPOINT: endpoint,
          AWS_REGION: "us-east-1",
          AWS_ACCESS_KEY_ID: "test",
          AWS_SECRET_ACCESS_KEY: "test"
        })
        assert.strictEqual(billed.code, 0, `${billed.stdout}\n${billed.stderr}`)
        assert.include(billed.stdout, "payments   16 pushed, 0 to retry, 0 parked as failed", billed.stdout)
        assert.include(billed.stdout, "4 sent")
        const emails = yield* Effect.promise(async () => {
          const res = await fetch(`${endpoint}/store`)
          return ((await res.json()) as { emails: ReadonlyArray<StoredEmail> }).emails
        })
        assert.strictEqual(emails.length, 4, "one e-mail per invoice, none twice")

        const { url, tenants } = Context.get(yield* Layer.build(TestServer.layer(env)), TestServer)
        let compared = 0
        for (const tenant of tenants) {
          const list = yield* call(url, "GET", `/invoices?period=${closed}`, { token: tenant.apiKey })
          const invoice = list.body.data[0]
          const payment = yield* call(url, "GET", `/invoices/${invoice.id}/payment`, { token: tenant.apiKey })
          assert.strictEqual(payment.status, 200)
          const hosted: string = payment.body.hostedUrl
          assert.match(hosted, /^https:\/\/invoice\.stripe\.test\/i\/in_/)
          const mail = emails.find((m) => m.destination.to.includes(tenant.customer.email))!
          assert.include(mail.body.text ?? "", `Pay online: ${hosted}`)
          assert.include(mail.body.html ?? "", `<a href="${hosted}">${hosted}</a>`)
          const attached = new Uint8Array(Buffer.from(mail.attachments[0]!.content, "base64"))
          assert.include(yield* pdfText(attached), `Pay online: ${hosted}`)
          const download = yield* call(url, "GET", `/invoices/${invoice.id}/download`, {
            token: tenant.apiKey
          })
          assert.strictEqual(download.status, 200)
          assert.deepStrictEqual(attached, download.bytes)
          compared++
        }
        assert.strictEqual(compared, 4)
      }).pipe(Effect.scoped),
    300_000
  )
})
