/** The embedded mailer: one readable `.eml` per message, and a resend replaces it rather than adding one. */
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
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
})
