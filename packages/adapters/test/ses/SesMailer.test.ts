/**
 * The SES v2 adapter against a real SES v2 endpoint (`aws-ses-v2-local`, started here), through
 * the outbox: a queued invoice e-mail reaches the endpoint once; with the endpoint down the
 * notification stays queued with its error and is sent by a later pass.
 */
import type { Server } from "node:http"
import type { AddressInfo } from "node:net"
import { SESv2Client } from "@aws-sdk/client-sesv2"
import { assert, describe, it } from "@effect/vitest"
import { BillingRun, Delivery, Mailer } from "@securebase/core"
import { DateTime, Effect, Layer } from "effect"
import { SqlClient } from "effect/sql"
import { TestClock } from "effect/testing"
import * as SesMailer from "../../src/ses/SesMailer.ts"
import * as S from "../billing/Support.ts"
import { pglite } from "../postgres/support/TestDatabase.ts"

interface StoredEmail {
  readonly messageId: string
  readonly from: string
  readonly destination: { readonly to: ReadonlyArray<string> }
  readonly subject: string
  readonly body: { readonly text?: string; readonly html?: string }
  readonly replyTo?: ReadonlyArray<string>
  readonly attachments?: ReadonlyArray<{
    readonly filename: string
    readonly contentType: string
    readonly content: string
    readonly contentDisposition?: string
  }>
  readonly headers?: ReadonlyArray<{ readonly name: string; readonly value: string }>
}

const startSes = Effect.acquireRelease(
  Effect.promise(async () => {
    // CommonJS: under Node's interop `default` is `module.exports`, whose own `default` is the
    // function; bundlers unwrap one level. Accept both.
    type Start = (config: { port: number; host: string }) => Promise<Server>
    const mod = (await import("aws-ses-v2-local")) as unknown as { default: Start | { default: Start } }
    const start = typeof mod.default === "function" ? mod.default : mod.default.default
    const server: Server = await start({ port: 0, host: "127.0.0.1" })
    return server
  }),
  (server) => Effect.promise(() => new Promise<void>((resolve) => server.close(() => resolve())))
)

const client = (endpoint: string) =>
  new SESv2Client({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1
  })

const store = (endpoint: string) =>
  Effect.promise(async () => {
    const res = await fetch(`${endpoint}/store`)
    return ((await res.json()) as { emails: ReadonlyArray<StoredEmail> }).emails
  })

const from = "SecureBase Billing <billing@securebase.test>"

describe("SesMailer", () => {
  it.live("sends HTML with the text alternative, the attachment byte for byte, and Reply-To", () =>
    Effect.gen(function* () {
      const server = yield* startSes
      const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
      const mailer = SesMailer.make(client(endpoint), { from, replyTo: "help@securebase.test" })
      const pdf = Uint8Array.from({ length: 3000 }, (_, i) => (i * 13) % 256)
      const messageId = yield* mailer.send({
        id: crypto.randomUUID(),
        to: "ap@customer.test",
        subject: "Invoice INV-2026-000002 for 2026-10",
        text: "TOTAL $2.00",
        html: "<p>TOTAL <strong>$2.00</strong></p>",
        attachments: [{ filename: "INV-2026-000002.pdf", contentType: "application/pdf", content: pdf }]
      })
      const mail = (yield* store(endpoint)).find((e) => e.messageId === messageId)
      assert.isDefined(mail)
      assert.strictEqual(mail!.body.text, "TOTAL $2.00")
      assert.strictEqual(mail!.body.html, "<p>TOTAL <strong>$2.00</strong></p>")
      assert.deepStrictEqual(mail!.replyTo, ["help@securebase.test"])
      assert.strictEqual(mail!.attachments?.length, 1)
      const attachment = mail!.attachments![0]!
      assert.strictEqual(attachment.filename, "INV-2026-000002.pdf")
      assert.strictEqual(attachment.contentType, "application/pdf")
      assert.deepStrictEqual(new Uint8Array(Buffer.from(attachment.content, "base64")), pdf)
    }).pipe(Effect.scoped)
  )

  it.live("sends a plain-text e-mail with the notification id as a header", () =>
    Effect.gen(function* () {
      const server = yield* startSes
      const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
      const mailer = SesMailer.make(client(endpoint), { from })
      const id = crypto.randomUUID()
      const messageId = yield* mailer.send({
        id,
        to: "ap@customer.test",
        subject: "Invoice INV-2026-000001 for 2026-10",
        text: "TOTAL $1.00",
        tags: { invoiceNumber: "INV-2026-000001" }
      })
      const emails = yield* store(endpoint)
      const mail = emails.find((e) => e.messageId === messageId)
      assert.isDefined(mail)
      assert.strictEqual(mail!.subject, "Invoice INV-2026-000001 for 2026-10")
      assert.deepStrictEqual(mail!.destination.to, ["ap@customer.test"])
      assert.strictEqual(mail!.body.text, "TOTAL $1.00")
      assert.include(mail!.from, "billing@securebase.test")
      assert.deepInclude(mail!.headers ?? [], { name: "X-SecureBase-Notification-Id", value: id })
    }).pipe(Effect.scoped)
  )

  it.live("an unreachable endpoint is a retryable MailError", () =>
    Effect.gen(function* () {
      const mailer = SesMailer.make(client("http://127.0.0.1:9"), { from })
      const error = yield* Effect.flip(
        mailer.send({ id: crypto.randomUUID(), to: "a@b.test", subject: "s", text: "t" })
      )
      assert.strictEqual(error._tag, "MailError")
      assert.isTrue(error.retryable)
    })
  )

  it.live(
    "through the outbox: queued while the endpoint is down, sent once it is up",
    () =>
      Effect.gen(function* () {
        const server = yield* startSes
        const up = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
        const p = S.period("2026-10")
        const customer = yield* S.customerWithUsage(p, 1_500_000, "Globex")
        yield* BillingRun.run({ period: p })
        const number = (yield* S.invoicesOf(p))[0]!.number
        const sql = yield* SqlClient.SqlClient
        const row = sql<{ status: string; attempts: number; last_error: string | null }>`
        SELECT status, attempts, last_error FROM notifications WHERE payload->'data'->>'invoiceNumber' = ${number}`
        const policy = { ...Delivery.defaultRetrySchedule, base: "1 minute" as const }
        const now = yield* DateTime.now
        const down = Layer.succeed(Mailer.Mailer, SesMailer.make(client("http://127.0.0.1:9"), { from }))
        const live = Layer.succeed(Mailer.Mailer, SesMailer.make(client(up), { from }))
        yield* Effect.gen(function* () {
          yield* TestClock.setTime(DateTime.toEpochMillis(now))
          const failed = yield* Delivery.deliverDue({ policy }).pipe(Effect.provide(down))
          assert.deepStrictEqual(failed, { sent: 0, retried: 1, failed: 0 })
          const [queued] = yield* row
          assert.strictEqual(queued!.status, "pending")
          assert.strictEqual(queued!.attempts, 1)
          assert.match(queued!.last_error ?? "", /^SES: /)
          yield* TestClock.adjust("61 seconds")
          const sent = yield* Delivery.deliverDue({ policy }).pipe(Effect.provide(live))
          assert.deepStrictEqual(sent, { sent: 1, retried: 0, failed: 0 })
          const again = yield* Delivery.deliverDue({ policy }).pipe(Effect.provide(live))
          assert.strictEqual(again.sent, 0)
        }).pipe(Effect.provide(TestClock.layer()))
        const [done] = yield* row
        assert.strictEqual(done!.status, "sent")
        const emails = (yield* store(up)).filter((e) => e.destination.to.includes(customer.email))
        assert.strictEqual(emails.length, 1)
        assert.strictEqual(emails[0]!.subject, `Invoice ${number} for ${p}`)
        assert.include(emails[0]!.body.text ?? "", `INVOICE ${number}`)
      }).pipe(Effect.provide(S.layers), Effect.provide(pglite), Effect.scoped),
    60_000
  )
})
