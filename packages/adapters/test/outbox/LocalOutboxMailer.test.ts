/**
 * The embedded mailer: one readable `.eml` per message, and a resend replaces it rather than adding
 * one. An invoice e-mail is a MIME message (text and HTML alternatives, the PDF attached), read back
 * here with `mailparser` (the parser behind Nodemailer and aws-ses-v2-local), as a mail client would.
 */
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { DateTime, Effect } from "effect"
import { simpleParser } from "mailparser"
import * as LocalOutboxMailer from "../../src/outbox/LocalOutboxMailer.ts"

describe("LocalOutboxMailer", () => {
  it.live("writes an .eml a person can read, once per notification id", () =>
    Effect.gen(function* () {
      const dir = yield* Effect.acquireRelease(
        Effect.promise(() => mkdtemp(join(tmpdir(), "securebase-outbox-"))),
        (d) => Effect.promise(() => rm(d, { recursive: true, force: true }))
      )
      const mailer = LocalOutboxMailer.make({ dir: join(dir, "outbox"), from: "billing@securebase.test" })
      const message = {
        id: "6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b",
        to: "ap@customer.test",
        subject: "Invoice INV-2026-000007 for 2026-10",
        text: "INVOICE INV-2026-000007\nTOTAL $12.34",
        tags: { invoiceNumber: "INV-2026-000007" }
      }
      const file = yield* mailer.send(message)
      yield* mailer.send(message)
      const files = yield* Effect.promise(() => readdir(join(dir, "outbox")))
      assert.deepStrictEqual(files, [`${message.id}.eml`])
      const eml = yield* Effect.promise(() => readFile(file, "utf8"))
      assert.include(eml, "To: ap@customer.test\r\n")
      assert.include(eml, "Subject: Invoice INV-2026-000007 for 2026-10\r\n")
      assert.include(eml, `X-SecureBase-Notification-Id: ${message.id}\r\n`)
      assert.isTrue(eml.endsWith("\r\n\r\nINVOICE INV-2026-000007\r\nTOTAL $12.34\r\n"))
    }).pipe(Effect.scoped)
  )

  it.live(
    "an invoice e-mail is multipart: text, HTML and the PDF, byte for byte; Reply-To and a UTF-8 subject",
    () =>
      Effect.gen(function* () {
        const dir = yield* Effect.acquireRelease(
          Effect.promise(() => mkdtemp(join(tmpdir(), "securebase-outbox-"))),
          (d) => Effect.promise(() => rm(d, { recursive: true, force: true }))
        )
        const mailer = LocalOutboxMailer.make({
          dir,
          from: "Billing <billing@securebase.test>",
          replyTo: "help@securebase.test"
        })
        // Every byte value, and more than one base64 line's worth.
        const pdf = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7) % 256)
        const message = {
          id: "6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4c",
          to: "ap@customer.test",
          subject: "Invoice INV-2026-000008 for Пётр Ærø",
          text: "Hello Пётр,\nTOTAL $12.34",
          html: "<p>Hello Пётр,</p><p>TOTAL $12.34</p>",
          attachments: [{ filename: "INV-2026-000008.pdf", contentType: "application/pdf", content: pdf }],
          tags: { invoiceNumber: "INV-2026-000008" }
        }
        const file = yield* mailer.send(message)
        const raw = yield* Effect.promise(() => readFile(file))
        const parsed = yield* Effect.promise(() => simpleParser(raw))
        assert.strictEqual(parsed.subject, message.subject)
        assert.strictEqual(parsed.replyTo?.text, "help@securebase.test")
        assert.strictEqual(parsed.text?.trim(), "Hello Пётр,\nTOTAL $12.34")
        assert.strictEqual(parsed.html, message.html)
        assert.strictEqual(parsed.attachments.length, 1)
        const attachment = parsed.attachments[0]!
        assert.strictEqual(attachment.filename, "INV-2026-000008.pdf")
        assert.strictEqual(attachment.contentType, "application/pdf")
        assert.strictEqual(attachment.contentDisposition, "attachment")
        assert.deepStrictEqual(new Uint8Array(attachment.content), pdf)
        assert.strictEqual(parsed.headers.get("x-securebase-notification-id"), message.id)
        // Lines stay within RFC 5322's 998 characters (base64 is wrapped at 76).
        assert.isTrue(
          raw
            .toString("latin1")
            .split("\r\n")
            .every((l) => l.length <= 998)
        )
      }).pipe(Effect.scoped)
  )

  it("compose: a plain message without HTML or attachments stays one text/plain part", () => {
    const eml = LocalOutboxMailer.compose(
      { id: "6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4d", to: "a@b.test", subject: "Hi", text: "x" },
      { from: "f@b.test", date: DateTime.makeUnsafe("2026-11-01T00:00:00Z") }
    )
    assert.include(eml, "Content-Type: text/plain; charset=utf-8\r\n")
    assert.notInclude(eml, "multipart")
    assert.notInclude(eml, "Reply-To")
  })
})
