/**
 * What a notification carries besides its text: the invoice e-mails attach the invoice's PDF. The
 * files are made when the notification is delivered, inside the sender's worker transaction, not
 * when it is queued: the billing run stays as fast as before and the outbox row stays small, and
 * the PDF is the one `GET /invoices/{id}/download` serves at that moment. Without a provider, no
 * attachments (the core does not draw PDFs; the application provides one that does).
 */
import { Context, Effect } from "effect"
import type { MailAttachment, MailError } from "./Mailer.ts"
import type { QueuedNotification } from "./Notification.ts"

/** Makes a notification's attachments; a failure is a failed send (retried when `retryable`). */
export type MakeAttachments = (
  notification: QueuedNotification
) => Effect.Effect<ReadonlyArray<MailAttachment>, MailError>

/** The attachments of the current process's notifications (none by default). */
export const MailAttachments = Context.Reference<MakeAttachments>(
  "@securebase/core/notifications/MailAttachments",
  { defaultValue: () => () => Effect.succeed([]) }
)
