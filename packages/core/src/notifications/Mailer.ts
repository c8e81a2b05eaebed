/**
 * The mail port: hands one message to a mail system. Adapters: Amazon SES v2 and the local
 * outbox directory (the embedded default). Delivery through the transactional outbox
 * ({@link ./Delivery.ts}) calls it after commit and retries what fails.
 */
import { Context, type Effect, Schema } from "effect"

/** A file sent with a message (the invoice PDF). */
export interface MailAttachment {
  readonly filename: string
  readonly contentType: string
  readonly content: Uint8Array
}

/**
 * One e-mail: plain text, optionally with an HTML alternative and attachments. `id` is the
 * notification id: adapters use it to recognise a resend.
 */
export interface MailMessage {
  readonly id: string
  readonly to: string
  readonly subject: string
  readonly text: string
  readonly html?: string | undefined
  readonly attachments?: ReadonlyArray<MailAttachment> | undefined
  readonly tags?: Readonly<Record<string, string>>
}

/** The mail system did not take the message. `retryable` is false for a refusal that will not change. */
export class MailError extends Schema.TaggedError<MailError>()("MailError", {
  reason: Schema.String,
  retryable: Schema.Boolean
}) {
  /** Stable error code. */
  readonly code = "MAIL.NOT_SENT"
}

/** Sends e-mail. */
export class Mailer extends Context.Service<
  Mailer,
  {
    /** Sends a message; succeeds with the provider's message id once the provider accepted it. */
    readonly send: (message: MailMessage) => Effect.Effect<string, MailError>
  }
>()("@securebase/core/notifications/Mailer") {}
