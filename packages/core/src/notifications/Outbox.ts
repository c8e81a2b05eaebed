/**
 * The transactional outbox port. `enqueue` writes in the caller's transaction (the one that
 * issues the invoice), so a notification exists if and only if its cause committed. The sender's
 * operations run inside `Tenancy.runAsWorker`: `claimNext` locks one due row for the rest of the
 * transaction (other senders skip it), and the mark that follows commits with that lock released.
 */
import { Context, type DateTime, type Effect, type Option } from "effect"
import type { PersistenceFailure, TenantAccessDenied } from "../persistence/PersistenceError.ts"
import type { NewNotification, NotificationId, QueuedNotification } from "./Notification.ts"

/** How many notifications are in each state. */
export interface OutboxCounts {
  readonly pending: number
  readonly sent: number
  readonly failed: number
}

/** The notifications table. */
export class Outbox extends Context.Service<
  Outbox,
  {
    /** Queues a notification in the current transaction. */
    readonly enqueue: (
      notification: NewNotification
    ) => Effect.Effect<void, TenantAccessDenied | PersistenceFailure>
    /**
     * Locks the oldest pending notification due at `now` that no other transaction holds, or
     * none. The lock lasts until the current transaction ends.
     */
    readonly claimNext: (
      now: DateTime.Utc
    ) => Effect.Effect<Option.Option<QueuedNotification>, PersistenceFailure>
    /** Marks a claimed notification sent (one more attempt, the provider's id). */
    readonly markSent: (
      id: NotificationId,
      options: { readonly at: DateTime.Utc; readonly providerId: string }
    ) => Effect.Effect<void, PersistenceFailure>
    /** Records a failed attempt and when to try again. */
    readonly reschedule: (
      id: NotificationId,
      options: { readonly error: string; readonly nextAttemptAt: DateTime.Utc }
    ) => Effect.Effect<void, PersistenceFailure>
    /** Records a final failed attempt: the notification stays in the table, parked as `failed`. */
    readonly markFailed: (id: NotificationId, error: string) => Effect.Effect<void, PersistenceFailure>
    /** Counts by status. */
    readonly counts: Effect.Effect<OutboxCounts, PersistenceFailure>
  }
>()("@securebase/core/notifications/Outbox") {}
