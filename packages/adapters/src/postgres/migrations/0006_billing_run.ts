/**
 * The billing run and the outbox sender.
 *
 * - `billing_claims`: one row per (period, customer). A worker bills a customer inside the
 *   transaction that holds the row's lock (`FOR UPDATE SKIP LOCKED`), so a crash frees the claim
 *   and concurrent workers skip each other's. Worker-only: row-level security with a single
 *   worker policy, no grant to the application role.
 * - `notifications.next_attempt_at`: when a pending notification is next due (retry backoff).
 * - An index of issued invoices by due date for the overdue sweep.
 */
import * as Roles from "../Roles.ts"
import { type Migration, stmt } from "./Migration.ts"

export const migration: Migration = {
  id: 6,
  name: "billing_run",
  statements: [
    stmt`CREATE TABLE billing_claims (
      period text NOT NULL CHECK (period ~ '^\d{4}-(0[1-9]|1[0-2])$'),
      customer_id uuid NOT NULL REFERENCES customers (id),
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'failed')),
      attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
      invoice_id uuid,
      last_error text,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (period, customer_id)
    )`,
    stmt`CREATE INDEX billing_claims_pending_idx ON billing_claims (period, customer_id) WHERE status = 'pending'`,
    stmt`ALTER TABLE billing_claims ENABLE ROW LEVEL SECURITY`,
    stmt`ALTER TABLE billing_claims FORCE ROW LEVEL SECURITY`,
    `CREATE POLICY worker_all_tenants ON billing_claims TO ${Roles.worker} USING (true) WITH CHECK (true)`,
    `GRANT SELECT, INSERT, UPDATE ON billing_claims TO ${Roles.worker}`,
    stmt`ALTER TABLE notifications ADD COLUMN next_attempt_at timestamptz NOT NULL DEFAULT now()`,
    stmt`CREATE INDEX notifications_due_idx ON notifications (next_attempt_at, id) WHERE status = 'pending'`,
    stmt`CREATE INDEX invoices_issued_due_idx ON invoices (due_at, id) WHERE status = 'issued'`
  ]
}
