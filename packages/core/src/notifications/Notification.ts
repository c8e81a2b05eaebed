/**
 * Notifications: a message decided inside a transaction (an invoice issued, an invoice overdue)
 * and written to the outbox with that transaction, then delivered after commit by
 * {@link ./Delivery.ts}. The subject and body are rendered when the notification is queued, so
 * what is sent is exactly what was decided, whatever changes later.
 */
import { type DateTime, Effect, Schema } from "effect"
import type { CustomerId } from "../Ids.ts"
import * as Ids from "../Ids.ts"

/** A notification id: a UUID (also the idempotency key of its delivery). */
export const NotificationId = Schema.String.check(Schema.isUUID()).pipe(Schema.brand("NotificationId"))
export type NotificationId = typeof NotificationId.Type

/** The templates the billing run, the dunning sweep, the payments worker and the operators queue. */
export type Template =
  | "invoice_issued"
  | "invoice_overdue"
  | "dunning_reminder"
  | "account_suspended"
  | "payment_failed"
  | "credit_note_issued"

/** A notification to queue. */
export interface NewNotification {
  readonly id: NotificationId
  readonly customerId: CustomerId
  readonly channel: "email"
  readonly template: Template
  readonly recipient: string
  readonly subject: string
  readonly text: string
  /** The HTML alternative of `text`, when the template has one. */
  readonly html?: string | undefined
  /** Small facts for people and tools reading the outbox (invoice id, number). */
  readonly data: Readonly<Record<string, string>>
  readonly createdAt: DateTime.Utc
}

/** A queued notification as the sender claims it. */
export interface QueuedNotification extends NewNotification {
  /** Delivery attempts made so far (0 for a fresh one). */
  readonly attempts: number
}

/** A random (version 4) UUID from a CSPRNG: {@link Ids.randomUuid}. */
export const randomUuid: Effect.Effect<string> = Ids.randomUuid

/** A fresh notification id. */
export const makeId: Effect.Effect<NotificationId> = Effect.map(randomUuid, (u) => u as NotificationId)
