/**
 * The embedded `Mailer`: every message becomes a file a person can open, `<dir>/<id>.eml`
 * (RFC 5322 headers, a plain-text body), e.g. under `.data/outbox/`.
 *
 * The file is named by the notification id and written to a temporary name then renamed, so a
 * resend after a crash replaces the same file: delivery into the directory is effectively
 * exactly once, and a reader never sees half a message.
 */
import { mkdir, rename, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { Mailer } from "@securebase/core"
import { DateTime, Effect, Layer } from "effect"

/** Where messages go and who they are from. */
export interface LocalOutboxConfig {
  readonly dir: string
  readonly from: string
}

// Header values must stay on one line.
const oneLine = (value: string) => value.replaceAll(/[\r\n]+/g, " ")

/** The mailer writing into `config.dir` (created if missing). */
export const make = (config: LocalOutboxConfig): Mailer.Mailer["Service"] =>
  Mailer.Mailer.of({
    send: (message) =>
      Effect.gen(function* () {
        const now = yield* DateTime.now
        const file = join(config.dir, `${message.id.replaceAll(/[^A-Za-z0-9-]/g, "_")}.eml`)
        const headers = [
          `Message-ID: <${message.id}@securebase.local>`,
          `Date: ${new Date(DateTime.toEpochMillis(now)).toUTCString()}`,
          `From: ${oneLine(config.from)}`,
          `To: ${oneLine(message.to)}`,
          `Subject: ${oneLine(message.subject)}`,
          `X-SecureBase-Notification-Id: ${message.id}`,
          ...Object.entries(message.tags ?? {}).map(([k, v]) => `X-SecureBase-${oneLine(k)}: ${oneLine(v)}`),
          "MIME-Version: 1.0",
          "Content-Type: text/plain; charset=utf-8",
          "Content-Transfer-Encoding: 8bit"
        ]
        const body = `${headers.join("\r\n")}\r\n\r\n${message.text.replaceAll(/\r?\n/g, "\r\n")}\r\n`
        yield* Effect.tryPromise({
          try: async () => {
            await mkdir(config.dir, { recursive: true })
            const temporary = `${file}.${crypto.randomUUID()}.tmp`
            await writeFile(temporary, body, "utf8")
            await rename(temporary, file)
          },
          catch: (error) =>
            new Mailer.MailError({
              reason: `outbox: ${(error as { readonly code?: string }).code ?? "write failed"}`,
              retryable: true
            })
        })
        return file
      }).pipe(Effect.withSpan("LocalOutboxMailer.send"))
  })

/** The local outbox as the `Mailer`. */
export const layer = (config: LocalOutboxConfig): Layer.Layer<Mailer.Mailer> =>
  Layer.succeed(Mailer.Mailer, make(config))
