/**
 * Row-level security and grants.
 *
 * Every tenant table gets ENABLE and FORCE ROW LEVEL SECURITY (FORCE so the owner is bound too)
 * and one policy for everyone: `customer_id` must equal the transaction's `app.customer_id`. The
 * setting is read through `app_current_customer_id()`, wrapped in a sub-select so PostgreSQL
 * evaluates it once per statement. The function maps the empty string to NULL: after a
 * transaction that set the value with `set_config(..., true)` ends, PostgreSQL leaves the
 * placeholder on the connection as '' (not NULL), and `''::uuid` would raise instead of matching
 * nothing.
 *
 * The worker is cross-tenant through explicit, separate `TO securebase_worker` policies on the
 * tables the billing run and outbox sender need, never through BYPASSRLS or ownership; its grants
 * keep it away from API keys, tickets and findings, and audit stays insert + select.
 */
import * as Roles from "../Roles.ts"
import { type Migration, stmt } from "./Migration.ts"

/** The tenant tables and the column their policy filters on. */
export const tenantTables = [
  { table: "customers", column: "id" },
  { table: "api_keys", column: "customer_id" },
  { table: "usage_events", column: "customer_id" },
  { table: "usage_metrics", column: "customer_id" },
  { table: "invoices", column: "customer_id" },
  { table: "invoice_lines", column: "customer_id" },
  { table: "audit_events", column: "customer_id" },
  { table: "support_tickets", column: "customer_id" },
  { table: "notifications", column: "customer_id" },
  { table: "compliance_findings", column: "customer_id" }
] as const

/** What the application role may do per table (least privilege: usage and audit are immutable). */
const appGrants: ReadonlyArray<readonly [string, string]> = [
  ["customers", "SELECT, INSERT, UPDATE, DELETE"],
  ["api_keys", "SELECT, INSERT, UPDATE, DELETE"],
  ["usage_events", "SELECT, INSERT"],
  ["usage_metrics", "SELECT"],
  ["invoices", "SELECT, INSERT, UPDATE"],
  ["invoice_lines", "SELECT, INSERT"],
  ["audit_events", "SELECT, INSERT"],
  ["support_tickets", "SELECT, INSERT, UPDATE, DELETE"],
  ["notifications", "SELECT, INSERT"],
  ["compliance_findings", "SELECT, INSERT, UPDATE, DELETE"],
  ["tier_features", "SELECT"]
]

/** What the worker may do, and on which tenant tables its cross-tenant policy applies. */
const workerGrants: ReadonlyArray<readonly [string, string]> = [
  ["customers", "SELECT"],
  ["usage_events", "SELECT"],
  ["usage_metrics", "SELECT, INSERT, UPDATE"],
  ["invoices", "SELECT, INSERT, UPDATE"],
  ["invoice_lines", "SELECT, INSERT"],
  ["audit_events", "SELECT, INSERT"],
  ["notifications", "SELECT, INSERT, UPDATE"],
  ["tier_features", "SELECT"],
  ["invoice_number_sequences", "SELECT, INSERT, UPDATE"]
]

const tenantPredicate = (column: string) => `${column} = (SELECT app_current_customer_id())`

export const migration: Migration = {
  id: 3,
  name: "row_level_security",
  statements: [
    stmt`CREATE FUNCTION app_current_customer_id() RETURNS uuid
      LANGUAGE sql STABLE
      AS $fn$ SELECT nullif(current_setting('app.customer_id', true), '')::uuid $fn$`,
    ...tenantTables.flatMap(({ table, column }) => [
      `ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`,
      `ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`,
      `CREATE POLICY tenant_isolation ON ${table} USING (${tenantPredicate(column)}) WITH CHECK (${tenantPredicate(column)})`
    ]),
    ...workerGrants
      .filter(([table]) => tenantTables.some((t) => t.table === table))
      .map(
        ([table]) =>
          `CREATE POLICY worker_all_tenants ON ${table} TO ${Roles.worker} USING (true) WITH CHECK (true)`
      ),
    ...appGrants.map(([table, privileges]) => `GRANT ${privileges} ON ${table} TO ${Roles.app}`),
    ...workerGrants.map(([table, privileges]) => `GRANT ${privileges} ON ${table} TO ${Roles.worker}`),
    // Functions are executable by PUBLIC by default; numbering invoices is the worker's job only.
    `REVOKE EXECUTE ON FUNCTION next_invoice_number(integer) FROM PUBLIC`,
    `GRANT EXECUTE ON FUNCTION next_invoice_number(integer) TO ${Roles.worker}`
  ]
}
