/**
 * Whether a push mails its invoice: with online collection the push, not the issuing transaction,
 * queues the invoice's e-mail (with the hosted payment link). History billed without notice (the
 * demo's past months, `notify: false`) is still pushed, so it can be paid online, but not mailed.
 * Existing pushes mail, as they did.
 */
import type { Migration } from "./Migration.ts"

export const migration: Migration = {
  id: 21,
  name: "push_notify",
  statements: [`ALTER TABLE payment_pushes ADD COLUMN notify boolean NOT NULL DEFAULT true`]
}
