/**
 * The `notifications` row a queued message is written as, defined once: `PgOutbox` inserts one at
 * a time and `PgBillingBatch` many per statement, and both must write exactly the same rows.
 */
import type { Notification } from "@securebase/core"
import { DateTime } from "effect"

/** A `notifications` row: queued, first attempt due at once. */
export const write = (n: Notification.NewNotification) => ({
  id: n.id,
  customer_id: n.customerId,
  channel: n.channel,
  template: n.template,
  recipient: n.recipient,
  payload: JSON.stringify({
    subject: n.subject,
    text: n.text,
    ...(n.html === undefined ? {} : { html: n.html }),
    data: n.data
  }),
  created_at: DateTime.formatIso(n.createdAt),
  next_attempt_at: DateTime.formatIso(n.createdAt)
})
