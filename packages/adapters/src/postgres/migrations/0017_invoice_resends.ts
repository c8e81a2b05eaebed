/**
 * The count of invoice e-mail resends (`InvoiceResend`): one row per resend, in the UTC hour it
 * counts in, with its slot in that hour. The database enforces the limit: the slot is unique per
 * invoice and hour (two requests racing for the last slot cannot both take it) and never above
 * the limit the row was written under (`max_per_window`, which the application's policy
 * supplies, so the number lives in one place). The invoice belongs to the row's customer (a
 * composite key), and row-level security shows and admits only the tenant's own rows; the
 * application may read and insert, never change or delete a resend.
 */
import * as Roles from "../Roles.ts"
import { type Migration, stmt } from "./Migration.ts"

const tenant = "customer_id = (SELECT app_current_customer_id())"

export const migration: Migration = {
  id: 17,
  name: "invoice_resends",
  statements: [
    stmt`CREATE TABLE invoice_resends (
      customer_id uuid NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
      invoice_id uuid NOT NULL,
      window_start timestamptz NOT NULL,
      slot smallint NOT NULL,
      max_per_window smallint NOT NULL CHECK (max_per_window >= 1),
      notification_id uuid NOT NULL UNIQUE
        REFERENCES notifications (id) DEFERRABLE INITIALLY DEFERRED,
      requested_at timestamptz NOT NULL,
      PRIMARY KEY (invoice_id, window_start, slot),
      CONSTRAINT invoice_resends_slot_within_limit CHECK (slot BETWEEN 1 AND max_per_window),
      CONSTRAINT invoice_resends_in_window CHECK (
        requested_at >= window_start AND requested_at < window_start + interval '1 hour'
      ),
      FOREIGN KEY (invoice_id, customer_id) REFERENCES invoices (id, customer_id) ON DELETE CASCADE
    )`,
    stmt`CREATE INDEX invoice_resends_customer_id_idx ON invoice_resends (customer_id)`,
    stmt`ALTER TABLE invoice_resends ENABLE ROW LEVEL SECURITY`,
    stmt`ALTER TABLE invoice_resends FORCE ROW LEVEL SECURITY`,
    `CREATE POLICY tenant_read ON invoice_resends FOR SELECT USING (${tenant})`,
    `CREATE POLICY tenant_insert ON invoice_resends FOR INSERT WITH CHECK (${tenant})`,
    `GRANT SELECT, INSERT ON invoice_resends TO ${Roles.app}`
  ]
}
