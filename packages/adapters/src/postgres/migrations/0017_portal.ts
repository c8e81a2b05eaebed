/**
 * What the customer portal writes: invoice e-mail resends and support ticket replies.
 *
 * The count of invoice e-mail resends (`InvoiceResend`): one row per resend, in the UTC hour it
 * counts in, with its slot in that hour. The database enforces the limit: the slot is unique per
 * invoice and hour (two requests racing for the last slot cannot both take it) and never above
 * the limit the row was written under (`max_per_window`, which the application's policy
 * supplies, so the number lives in one place). The invoice belongs to the row's customer (a
 * composite key), and row-level security shows and admits only the tenant's own rows; the
 * application may read and insert, never change or delete a resend.
 *
 * `support_ticket_replies`: a ticket's conversation, customer and operator replies alike
 * (`author_kind`), each bound to its ticket's customer by a composite key, under row-level
 * security; the application may read and insert. The operators' migration (0014, on its own
 * branch) defines the same table, constraint and policy identically: whichever runs first creates
 * them, the other finds them (IF NOT EXISTS, a guarded constraint, a policy replaced by itself).
 */
import * as Roles from "../Roles.ts"
import { type Migration, stmt } from "./Migration.ts"

const tenant = "customer_id = (SELECT app_current_customer_id())"

export const migration: Migration = {
  id: 17,
  name: "invoice_resends_ticket_replies",
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
    `GRANT SELECT, INSERT ON invoice_resends TO ${Roles.app}`,

    stmt`DO $do$
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'support_tickets_id_customer_key') THEN
          ALTER TABLE support_tickets ADD CONSTRAINT support_tickets_id_customer_key UNIQUE (id, customer_id);
        END IF;
      END
      $do$`,
    stmt`CREATE TABLE IF NOT EXISTS support_ticket_replies (
      id uuid PRIMARY KEY,
      ticket_id uuid NOT NULL,
      customer_id uuid NOT NULL,
      author_kind text NOT NULL CHECK (author_kind IN ('customer', 'operator')),
      author text NOT NULL CHECK (length(author) BETWEEN 1 AND 200),
      body text NOT NULL CHECK (length(body) BETWEEN 1 AND 20000),
      created_at timestamptz NOT NULL,
      FOREIGN KEY (ticket_id, customer_id) REFERENCES support_tickets (id, customer_id) ON DELETE CASCADE
    )`,
    stmt`CREATE INDEX IF NOT EXISTS support_ticket_replies_ticket_idx
      ON support_ticket_replies (customer_id, ticket_id, created_at)`,
    stmt`ALTER TABLE support_ticket_replies ENABLE ROW LEVEL SECURITY`,
    stmt`ALTER TABLE support_ticket_replies FORCE ROW LEVEL SECURITY`,
    stmt`DROP POLICY IF EXISTS tenant_isolation ON support_ticket_replies`,
    `CREATE POLICY tenant_isolation ON support_ticket_replies USING (${tenant}) WITH CHECK (${tenant})`,
    `GRANT SELECT, INSERT ON support_ticket_replies TO ${Roles.app}`
  ]
}
