/**
 * The embedded `Mailer`: every message becomes a file a person (or a mail client) can open,
 * `<dir>/<id>.eml`, e.g. under `.data/outbox/`: RFC 5322 headers and a plain-text body, or, for an
 * invoice e-mail, the MIME message SES would send (text and HTML alternatives, the PDF attached).
 *
 * The file is named by the notification id and written to a temporary name then renamed, so a
 * resend after a crash replaces the same file: delivery into the directory is effectively
 * exactly once, and a reader never sees half a message.
 */
import { mkdir, rename, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { Mailer } from "@securebase/core"
import { DateTime, Effect, Layer } from "effect"

/** Where messages go, who they are from and where replies go. */
export interface LocalOutboxConfig {
  readonly dir: string
  readonly from: string
  readonly replyTo?: string | undefined
}

// Header values must stay on one line.
const oneLine = (value: string) => value.replaceAll(/[\r\n]+/g, " ")

// RFC 2047: a header with non-ASCII text is sent as an encoded word.
const headerText = (value: string) =>
  /^[\x20-\x7E]*$/.test(value) ? value : `=?UTF-8?B?${Buffer.from(value, "utf8").toString("base64")}?=`

// RFC 2045: base64 in lines of at most 76 characters.
const base64Lines = (content: Uint8Array) =>
  (
    Buffer.from(content)
      .toString("base64")
      .match(/.{1,76}/g) ?? []
  ).join("\r\n")

const crlf = (text: string) => text.replaceAll(/\r?\n/g, "\r\n")

/**
 * The message as RFC 5322 text: a plain-text message as it always was; with an HTML alternative or
 * attachments, `multipart/mixed` holding a `multipart/alternative` (text, then HTML) and each
 * attachment in base64, the shape SES sends.
 */
export const compose = (
  message: Mailer.MailMessage,
  envelope: { readonly from: string; readonly replyTo?: string | undefined; readonly date: DateTime.Utc }
): string => {
  const headers = [
    `Message-ID: <${message.id}@securebase.local>`,
    `Date: ${new Date(DateTime.toEpochMillis(envelope.date)).toUTCString()}`,
    `From: ${oneLine(envelope.from)}`,
    ...(envelope.replyTo === undefined ? [] : [`Reply-To: ${oneLine(envelope.replyTo)}`]),
    `To: ${oneLine(message.to)}`,
    `Subject: ${headerText(oneLine(message.subject))}`,
    `X-SecureBase-Notification-Id: ${message.id}`,
    ...Object.entries(message.tags ?? {}).map(([k, v]) => `X-SecureBase-${oneLine(k)}: ${oneLine(v)}`),
    "MIME-Version: 1.0"
  ]
  const attachments = message.attachments ?? []
  if (message.html === undefined && attachments.length === 0)
    return `${[...headers, "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit"].join("\r\n")}\r\n\r\n${crlf(message.text)}\r\n`
  // Base64 never contains "-", so a boundary of this shape cannot occur inside a part.
  const mixed = `securebase-mixed-${message.id}`
  const alternative = `securebase-alt-${message.id}`
  const text = Buffer.from(crlf(message.text), "utf8")
  const parts = [
    `--${mixed}`,
    `Content-Type: multipart/alternative; boundary="${alternative}"`,
    "",
    `--${alternative}`,
    "Content-Type: text/plain; charset=utf-8",
    "Content-Transfer-Encoding: base64",
    "",
    base64Lines(text),
    ...(message.html === undefined
      ? []
      : [
          `--${alternative}`,
          "Content-Type: text/html; charset=utf-8",
          "Content-Transfer-Encoding: base64",
          "",
          base64Lines(Buffer.from(crlf(message.html), "utf8"))
        ]),
    `--${alternative}--`,
    ...attachments.flatMap((a) => {
      const name = oneLine(a.filename).replaceAll(/["\\]/g, "_")
      return [
        `--${mixed}`,
        `Content-Type: ${oneLine(a.contentType)}; name="${name}"`,
        `Content-Disposition: attachment; filename="${name}"`,
        "Content-Transfer-Encoding: base64",
        "",
        base64Lines(a.content)
      ]
    }),
    `--${mixed}--`
  ]
  return `${[...headers, `Content-Type: multipart/mixed; boundary="${mixed}"`].join("\r\n")}\r\n\r\n${parts.join("\r\n")}\r\n`
}

/** The mailer writing into `config.dir` (created if missing). */
export const make = (config: LocalOutboxConfig): Mailer.Mailer["Service"] =>
  Mailer.Mailer.of({
    send: (message) =>
      Effect.gen(function* () {
        const now = yield* DateTime.now
        const file = join(config.dir, `${message.id.replaceAll(/[^A-Za-z0-9-]/g, "_")}.eml`)
        const body = compose(message, { from: config.from, replyTo: config.replyTo, date: now })
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
