/**
 * Held refunds whose payment was never linked (issue 14 follow-up): a payment made before the
 * endpoint listened to `invoice_payment.paid`, or whose event Stripe gave up on, is looked up at
 * the provider by the daily job (`LookUpHeldRefunds`), outside any transaction, with backoff.
 *
 * - `lookup_attempts`: lookups made so far;
 * - `next_lookup_at`: when the next is due (null: given up, or the answer named no invoice of ours;
 *   the refund stays held, listed by `securebase payments held`, and a late link still credits it).
 *   Rows held before this migration are due at once;
 * - `lookup_error`: why the last lookup did not credit it.
 *
 * The payments worker may now update these three columns (only these: the refund's facts stay as
 * the event held them).
 */
import * as Roles from "../Roles.ts"
import { type Migration, stmt } from "./Migration.ts"

export const migration: Migration = {
  id: 31,
  name: "pending_refund_lookups",
  statements: [
    stmt`ALTER TABLE payment_pending_refunds
      ADD COLUMN lookup_attempts integer NOT NULL DEFAULT 0 CHECK (lookup_attempts >= 0),
      ADD COLUMN next_lookup_at timestamptz DEFAULT now(),
      ADD COLUMN lookup_error text CHECK (length(lookup_error) <= 1000)`,
    stmt`CREATE INDEX payment_pending_refunds_lookup_idx ON payment_pending_refunds (next_lookup_at)
      WHERE next_lookup_at IS NOT NULL`,
    stmt`GRANT UPDATE (lookup_attempts, next_lookup_at, lookup_error) ON payment_pending_refunds TO ${Roles.worker}`
  ]
}
