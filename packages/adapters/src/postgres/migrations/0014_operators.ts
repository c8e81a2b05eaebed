/**
 * Operating the business (issue 13): operators, the customer's billing details, its plan history,
 * and the support side of tickets.
 *
 * - `operators`: the people and tools that run SecureBase (`sb_op_<id>_<secret>`, only the
 *   secret's SHA-256 stored, as for API keys). NOT a tenant table: no `customer_id`, and no tenant
 *   context reads it. Row-level security (ENABLE + FORCE) lets the application role read exactly
 *   the one operator whose id the transaction set in `app.operator_id` (authentication), never
 *   list them; the worker has no grant at all. Creating, listing and revoking operators is the
 *   CLI's, as the owner role (reached only by the migrator login or a superuser), through its own
 *   policy.
 * - `customers.billing_address` (a JSON object of address lines, city, region, postal code and
 *   country) and `customers.tax_id`, printed on the buyer block of invoices; `customers.closed_at`,
 *   so a closed customer is billed for the month it closed in and never after.
 * - `customer_plan_changes`: every plan change with the instant it takes effect, so the billing
 *   run prices each part of a month on the plan in force then. A tenant table.
 * - Support tickets: the lifecycle `open → in_progress → resolved → closed` (`pending` stays for
 *   rows written before), when the first response, the resolution and the closing happened, and
 *   `support_ticket_replies` with their author's kind (`customer` | `operator`). A tenant table.
 */
import * as Roles from "../Roles.ts"
import { type Migration, stmt } from "./Migration.ts"

const tenant = "customer_id = (SELECT app_current_customer_id())"

export const migration: Migration = {
  id: 14,
  name: "operators",
  statements: [
    stmt`CREATE TABLE operators (
      id text PRIMARY KEY CHECK (id ~ '^[a-z2-7]{16}$'),
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
      scopes text[] NOT NULL CHECK (cardinality(scopes) >= 1),
      secret_hash text NOT NULL CHECK (secret_hash ~ '^[0-9a-f]{64}$'),
      created_at timestamptz NOT NULL,
      revoked_at timestamptz
    )`,
    stmt`ALTER TABLE operators ENABLE ROW LEVEL SECURITY`,
    stmt`ALTER TABLE operators FORCE ROW LEVEL SECURITY`,
    stmt`CREATE FUNCTION app_current_operator_id() RETURNS text
      LANGUAGE sql STABLE
      AS $fn$ SELECT nullif(current_setting('app.operator_id', true), '') $fn$`,
    `CREATE POLICY operator_lookup ON operators FOR SELECT TO ${Roles.app}
      USING (id = (SELECT app_current_operator_id()))`,
    `CREATE POLICY operator_admin ON operators TO ${Roles.owner} USING (true) WITH CHECK (true)`,
    `GRANT SELECT ON operators TO ${Roles.app}`,

    stmt`ALTER TABLE customers ADD COLUMN billing_address jsonb
      CHECK (billing_address IS NULL OR jsonb_typeof(billing_address) = 'object')`,
    stmt`ALTER TABLE customers ADD COLUMN tax_id text CHECK (tax_id IS NULL OR length(tax_id) BETWEEN 1 AND 64)`,
    // When a customer was closed: billed for the month it closed in, never after.
    stmt`ALTER TABLE customers ADD COLUMN closed_at timestamptz`,

    stmt`CREATE TABLE customer_plan_changes (
      id uuid PRIMARY KEY,
      customer_id uuid NOT NULL REFERENCES customers (id),
      requested_at timestamptz NOT NULL,
      effective_at timestamptz NOT NULL,
      from_plan text NOT NULL,
      to_plan text NOT NULL,
      UNIQUE (customer_id, effective_at)
    )`,
    stmt`ALTER TABLE customer_plan_changes ENABLE ROW LEVEL SECURITY`,
    stmt`ALTER TABLE customer_plan_changes FORCE ROW LEVEL SECURITY`,
    `CREATE POLICY tenant_isolation ON customer_plan_changes USING (${tenant}) WITH CHECK (${tenant})`,
    `CREATE POLICY worker_all_tenants ON customer_plan_changes FOR SELECT TO ${Roles.worker} USING (true)`,
    `GRANT SELECT, INSERT, DELETE ON customer_plan_changes TO ${Roles.app}`,
    `GRANT SELECT ON customer_plan_changes TO ${Roles.worker}`,

    stmt`ALTER TABLE support_tickets DROP CONSTRAINT support_tickets_status_check`,
    stmt`ALTER TABLE support_tickets ADD CONSTRAINT support_tickets_status_check
      CHECK (status IN ('open', 'pending', 'in_progress', 'resolved', 'closed'))`,
    stmt`ALTER TABLE support_tickets
      ADD COLUMN first_responded_at timestamptz,
      ADD COLUMN resolved_at timestamptz,
      ADD COLUMN closed_at timestamptz`,
    stmt`ALTER TABLE support_tickets ADD CONSTRAINT support_tickets_id_customer_key UNIQUE (id, customer_id)`,
    stmt`CREATE TABLE support_ticket_replies (
      id uuid PRIMARY KEY,
      ticket_id uuid NOT NULL,
      customer_id uuid NOT NULL,
      author_kind text NOT NULL CHECK (author_kind IN ('customer', 'operator')),
      author text NOT NULL CHECK (length(author) BETWEEN 1 AND 200),
      body text NOT NULL CHECK (length(body) BETWEEN 1 AND 20000),
      created_at timestamptz NOT NULL,
      FOREIGN KEY (ticket_id, customer_id) REFERENCES support_tickets (id, customer_id) ON DELETE CASCADE
    )`,
    stmt`CREATE INDEX support_ticket_replies_ticket_idx ON support_ticket_replies (customer_id, ticket_id, created_at)`,
    stmt`ALTER TABLE support_ticket_replies ENABLE ROW LEVEL SECURITY`,
    stmt`ALTER TABLE support_ticket_replies FORCE ROW LEVEL SECURITY`,
    `CREATE POLICY tenant_isolation ON support_ticket_replies USING (${tenant}) WITH CHECK (${tenant})`,
    `GRANT SELECT, INSERT ON support_ticket_replies TO ${Roles.app}`
  ]
}
