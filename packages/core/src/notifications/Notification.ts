/**
 * Notifications: a message decided inside a transaction (an invoice issued, an invoice overdue)
 * and written to the outbox with that transaction, then delivered after commit by
 * {@link ./Delivery.ts}. The subject and body are rendered when the notification is queued, so
 * what is sent is exactly what was decided, whatever changes later.
 */
import { type DateTime, Effect, Random, Schema } from "effect"
import type { CustomerId } from "../Ids.ts"

/** A notification id: a UUID (also the idempotency key of its delivery). */
export const NotificationId = Schema.String.check(Schema.isUUID()).pipe(Schema.brand("NotificationId"))
export type NotificationId = typeof NotificationId.Type

/** The templates the billing run queues. */
export type Template = "invoice_issued" | "invoice_overdue"

/** A notification to queue. */
export interface NewNotification {
  readonly id: NotificationId
  readonly customerId: CustomerId
  readonly channel: "email"
  readonly template: Template
  readonly recipient: string
  readonly subject: string
  readonly text: string
  /** Small facts for people and tools reading the outbox (invoice id, number). */
  readonly data: Readonly<Record<string, string>>
  readonly createdAt: DateTime.Utc
}

/** A queued notification as the sender claims it. */
export interface QueuedNotification extends NewNotification {
  /** Delivery attempts made so far (0 for a fresh one). */
  readonly attempts: number
}

const hex = (n: number) => n.toString(16).padStart(2, "0")

/**
 * A random (version 4) UUID from the `Random` service, so that core code needs no platform API
 * and a seeded `Random` makes ids reproducible in tests.
 */
export const randomUuid: Effect.Effect<string> = Effect.gen(function* () {
  const bytes: Array<number> = []
  for (let i = 0; i < 16; i++) bytes.push(Math.floor((yield* Random.next) * 256))
  bytes[6] = (bytes[6]! & 0x0f) | 0x40
  bytes[8] = (bytes[8]! & 0x3f) | 0x80
  const h = bytes.map(hex).join("")
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
})

/** A fresh notification id. */
export const makeId: Effect.Effect<NotificationId> = Effect.map(randomUuid, (u) => u as NotificationId)
