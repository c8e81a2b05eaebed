/**
 * Delivery of the transactional outbox on PostgreSQL: mail leaves only after commit, each message
 * once, a failing provider leaves it queued with backoff (never lost), and after the last attempt
 * it is parked as failed, still in the table.
 */
import { assert } from "@effect/vitest"
import { BillingRun, Delivery, MailAttachments, Mailer } from "@securebase/core"
import { DateTime, Duration, Effect, Ref } from "effect"
import { SqlClient } from "effect/sql"
import { TestClock } from "effect/testing"
import * as S from "../billing/Support.ts"
import { MailRecord } from "../notifications/RecordingMailer.ts"
import { suite } from "../postgres/support/TestDatabase.ts"

const policy: Delivery.RetrySchedule = {
  base: "1 minute",
  factor: 2,
  cap: "1 hour",
  maxAttempts: 3,
  sendTimeout: "5 seconds"
}

const statusOf = (invoiceNumber: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql<{ status: string; attempts: number; last_error: string | null }>`
      SELECT status, attempts, last_error FROM notifications WHERE payload->'data'->>'invoiceNumber' = ${invoiceNumber}`.pipe(
      Effect.map((rows) => rows[0]!),
      Effect.orDie
    )
  )

suite("Outbox delivery", (it) => {
  it.effect("sends each queued invoice e-mail once, after commit", () =>
    Effect.gen(function* () {
      yield* S.closeEveryone
      const p = S.period("2025-01")
      yield* S.customerWithUsage(p, 2_000_000)
      yield* S.customerWithUsage(p, 3_000_000)
      const record = yield* MailRecord
      const sentBefore = (yield* Ref.get(record.sent)).length
      yield* BillingRun.run({ period: p })
      const first = yield* Delivery.deliverDue({ policy, concurrency: 3 })
      assert.isTrue(first.sent >= 2)
      const second = yield* Delivery.deliverDue({ policy, concurrency: 3 })
      assert.deepStrictEqual(second, { sent: 0, retried: 0, failed: 0 })
      const sent = (yield* Ref.get(record.sent)).slice(sentBefore)
      const rows = yield* S.invoicesOf(p)
      for (const row of rows) {
        const mails = sent.filter((m) => m.tags?.invoiceNumber === row.number)
        assert.strictEqual(mails.length, 1)
        assert.strictEqual(mails[0]!.subject, `Invoice ${row.number} for ${p}`)
        assert.include(mails[0]!.text, `INVOICE ${row.number}`)
        assert.strictEqual((yield* statusOf(row.number)).status, "sent")
      }
    }).pipe(Effect.provide(S.layers))
  )

  it.effect("a failing provider leaves the notification queued, retried with backoff, then sent", () =>
    Effect.gen(function* () {
      yield* S.closeEveryone
      const p = S.period("2025-02")
      yield* S.customerWithUsage(p, 2_000_000)
      const record = yield* MailRecord
      yield* BillingRun.run({ period: p })
      // Drain anything older, then make the provider fail twice.
      yield* Delivery.deliverDue({ policy })
      const number = (yield* S.invoicesOf(p))[0]!.number
      yield* Effect.flatMap(SqlClient.SqlClient, (sql) =>
        sql`UPDATE notifications SET status = 'pending', attempts = 0, next_attempt_at = created_at
            WHERE payload->'data'->>'invoiceNumber' = ${number}`.pipe(Effect.orDie)
      )
      yield* Ref.set(record.failNext, 2)
      const now = yield* DateTime.now
      yield* Effect.gen(function* () {
        yield* TestClock.setTime(DateTime.toEpochMillis(now))
        assert.deepStrictEqual(yield* Delivery.deliverDue({ policy }), { sent: 0, retried: 1, failed: 0 })
        assert.deepStrictEqual(yield* statusOf(number), {
          status: "pending",
          attempts: 1,
          last_error: "provider unavailable"
        })
        // Not due again before the backoff (1 minute) has passed.
        yield* TestClock.adjust("30 seconds")
        assert.deepStrictEqual(yield* Delivery.deliverDue({ policy }), { sent: 0, retried: 0, failed: 0 })
        yield* TestClock.adjust("31 seconds")
        assert.deepStrictEqual(yield* Delivery.deliverDue({ policy }), { sent: 0, retried: 1, failed: 0 })
        // Second backoff: 2 minutes.
        yield* TestClock.adjust("2 minutes")
        assert.deepStrictEqual(yield* Delivery.deliverDue({ policy }), { sent: 1, retried: 0, failed: 0 })
      }).pipe(Effect.provide(TestClock.layer()))
      assert.deepStrictEqual(yield* statusOf(number), { status: "sent", attempts: 3, last_error: null })
    }).pipe(Effect.provide(S.layers))
  )

  it.effect("after the last attempt a notification is parked as failed, not deleted", () =>
    Effect.gen(function* () {
      yield* S.closeEveryone
      const p = S.period("2025-03")
      yield* S.customerWithUsage(p, 2_000_000)
      const record = yield* MailRecord
      yield* BillingRun.run({ period: p })
      const number = (yield* S.invoicesOf(p))[0]!.number
      yield* Ref.set(record.failNext, -1)
      const now = yield* DateTime.now
      yield* Effect.gen(function* () {
        yield* TestClock.setTime(DateTime.toEpochMillis(now))
        for (let i = 0; i < policy.maxAttempts; i++) {
          yield* Delivery.deliverDue({ policy })
          yield* TestClock.adjust("1 hour")
        }
      }).pipe(Effect.provide(TestClock.layer()))
      yield* Ref.set(record.failNext, 0)
      assert.deepStrictEqual(yield* statusOf(number), {
        status: "failed",
        attempts: 3,
        last_error: "provider unavailable"
      })
    }).pipe(Effect.provide(S.layers))
  )

  it.effect(
    "the queued HTML and the attachments made at delivery reach the mailer; a failure to make them is a failed send",
    () =>
      Effect.gen(function* () {
        yield* S.closeEveryone
        const p = S.period("2025-04")
        yield* S.customerWithUsage(p, 2_000_000)
        const record = yield* MailRecord
        yield* BillingRun.run({ period: p })
        // A stand-in for the application's PDF maker (packages/app's InvoiceAttachments, tested
        // end to end there): bytes that name the notification's invoice, so the test can tell whose
        // attachment went with which e-mail.
        const failures = yield* Ref.make<ReadonlyArray<Mailer.MailError>>([])
        const attach: MailAttachments.MakeAttachments = (n) =>
          Effect.flatMap(
            Ref.modify(failures, ([next, ...rest]) => [next, rest] as const),
            (failure) =>
              failure === undefined
                ? Effect.succeed([
                    {
                      filename: `${n.data.invoiceNumber}.pdf`,
                      contentType: "application/pdf",
                      content: new TextEncoder().encode(`%PDF- ${n.data.invoiceId}`)
                    }
                  ])
                : Effect.fail(failure)
          )
        const deliver = Delivery.deliverDue({ policy }).pipe(
          Effect.provideService(MailAttachments.MailAttachments, attach)
        )
        yield* Delivery.deliverDue({ policy }) // older mail, without attachments
        const row = (yield* S.invoicesOf(p))[0]!
        const requeue = Effect.flatMap(SqlClient.SqlClient, (sql) =>
          sql`UPDATE notifications SET status = 'pending', attempts = 0, next_attempt_at = created_at
            WHERE payload->'data'->>'invoiceNumber' = ${row.number}`.pipe(Effect.orDie)
        )
        yield* requeue
        yield* Ref.set(failures, [
          new Mailer.MailError({ reason: "invoice PDF: database busy", retryable: true })
        ])
        assert.deepStrictEqual(yield* deliver, { sent: 0, retried: 1, failed: 0 })
        assert.strictEqual((yield* statusOf(row.number)).last_error, "invoice PDF: database busy")
        yield* requeue
        yield* Ref.set(failures, [
          new Mailer.MailError({ reason: "invoice PDF: NotFound", retryable: false })
        ])
        assert.deepStrictEqual(yield* deliver, { sent: 0, retried: 0, failed: 1 })
        assert.strictEqual((yield* statusOf(row.number)).status, "failed")
        yield* requeue
        const before = (yield* Ref.get(record.sent)).length
        assert.deepStrictEqual(yield* deliver, { sent: 1, retried: 0, failed: 0 })
        const mail = (yield* Ref.get(record.sent)).slice(before)[0]!
        assert.strictEqual(mail.tags?.invoiceNumber, row.number)
        assert.include(mail.html ?? "", `Invoice ${row.number}`)
        assert.include(mail.html ?? "", "<!doctype html>")
        assert.strictEqual(mail.attachments?.length, 1)
        assert.strictEqual(mail.attachments![0]!.filename, `${row.number}.pdf`)
        assert.strictEqual(
          new TextDecoder().decode(mail.attachments![0]!.content),
          `%PDF- ${mail.tags?.invoiceId}`
        )
      }).pipe(Effect.provide(S.layers))
  )

  it.effect("backoff doubles from the base up to the cap", () =>
    Effect.sync(() => {
      const waits = [1, 2, 3, 4, 7, 8].map((n) => Duration.toMillis(Delivery.backoff(policy, n)))
      assert.deepStrictEqual(waits, [60_000, 120_000, 240_000, 480_000, 3_600_000, 3_600_000])
    })
  )
})
