/**
 * The `Mailer` port on Amazon SES v2 (`SendEmail`, simple content: a text body, an HTML
 * alternative and attachments such as the invoice PDF, which SES assembles into one MIME
 * message; `Reply-To` from the configuration). The notification id travels
 * as a header (`X-SecureBase-Notification-Id`) and a message tag, so a duplicate from an
 * at-least-once resend can be recognised downstream (SES itself has no idempotency key).
 *
 * Errors are classified: a refusal that a retry cannot fix (`MessageRejected`, an unverified
 * sender, a malformed request) is not retryable; throttling, 5xx and network errors are.
 */
import { SESv2Client, type SESv2ClientConfig, SendEmailCommand } from "@aws-sdk/client-sesv2"
import { Mailer } from "@securebase/core"
import { Effect, Layer } from "effect"

/** How to send. */
export interface SesMailerConfig {
  /** The verified sender, e.g. `SecureBase Billing <billing@securebase.example>`. */
  readonly from: string
  /** Where replies go (the support desk), when not the sender. */
  readonly replyTo?: string | undefined
  readonly configurationSetName?: string
}

const permanent = new Set([
  "MessageRejected",
  "MailFromDomainNotVerifiedException",
  "BadRequestException",
  "NotFoundException"
])

const tagValue = (value: string) => value.replaceAll(/[^A-Za-z0-9_.@-]/g, "_").slice(0, 256) || "_"

/** The mailer over an SES v2 client the caller owns. */
export const make = (client: SESv2Client, config: SesMailerConfig): Mailer.Mailer["Service"] =>
  Mailer.Mailer.of({
    send: (message) =>
      Effect.tryPromise({
        try: (signal) =>
          client.send(
            new SendEmailCommand({
              FromEmailAddress: config.from,
              Destination: { ToAddresses: [message.to] },
              ...(config.replyTo === undefined ? {} : { ReplyToAddresses: [config.replyTo] }),
              Content: {
                Simple: {
                  Subject: { Data: message.subject, Charset: "UTF-8" },
                  Body: {
                    Text: { Data: message.text, Charset: "UTF-8" },
                    ...(message.html === undefined ? {} : { Html: { Data: message.html, Charset: "UTF-8" } })
                  },
                  Headers: [{ Name: "X-SecureBase-Notification-Id", Value: message.id }],
                  ...(message.attachments === undefined || message.attachments.length === 0
                    ? {}
                    : {
                        Attachments: message.attachments.map((a) => ({
                          FileName: a.filename,
                          ContentType: a.contentType,
                          ContentDisposition: "ATTACHMENT" as const,
                          ContentTransferEncoding: "BASE64" as const,
                          RawContent: a.content
                        }))
                      })
                }
              },
              EmailTags: [
                { Name: "notification_id", Value: tagValue(message.id) },
                ...Object.entries(message.tags ?? {}).map(([k, v]) => ({
                  Name: tagValue(k),
                  Value: tagValue(v)
                }))
              ],
              ...(config.configurationSetName === undefined
                ? {}
                : { ConfigurationSetName: config.configurationSetName })
            }),
            { abortSignal: signal }
          ),
        catch: (error) => {
          const name = (error as { readonly name?: unknown }).name
          const reason = typeof name === "string" ? name : "SendEmailFailed"
          return new Mailer.MailError({ reason: `SES: ${reason}`, retryable: !permanent.has(reason) })
        }
      }).pipe(
        Effect.map((out) => out.MessageId ?? ""),
        Effect.withSpan("SesMailer.send")
      )
  })

/** The mailer with its own client (region, endpoint and credentials from `clientConfig` or the environment). */
export const layer = (
  config: SesMailerConfig & { readonly clientConfig?: SESv2ClientConfig }
): Layer.Layer<Mailer.Mailer> =>
  Layer.effect(
    Mailer.Mailer,
    Effect.map(
      Effect.acquireRelease(
        Effect.sync(() => new SESv2Client(config.clientConfig ?? {})),
        (client) => Effect.sync(() => client.destroy())
      ),
      (client) => make(client, config)
    )
  )
