/**
 * The provider's customer and subscription events (`ProcessCustomerEvent`), applied by the
 * payments worker:
 *
 * - `payment_subscriptions`: the provider's subscriptions of our customers, with their status, the
 *   plan code they name (as the provider gave it, possibly not one of ours) and the creation time
 *   of the event that set that state (`state_at`): the adapter's upsert never lets an older event
 *   overwrite it. A tenant table under row-level security (ENABLE + FORCE) with the tenant policy
 *   and the worker's cross-tenant policy; the application role may only read it.
 * - `payment_customers.details_at`: the creation time of the newest processed event about the
 *   provider customer's details (e-mail, address); an older one changes nothing.
 * - The worker may now write what a provider's event changes of a customer: its billing e-mail and
 *   address and its plan (with the plan history's rows: a change replaces one still scheduled).
 * - Its three actions join `audit_worker_actions` (and core `AuditEvent.workerActions`), about a
 *   new kind of subject, the customer itself: the worker's restrictive audit policy accepts one
 *   only when the subject is the event's own customer.
 */
import * as Roles from "../Roles.ts"
import { type Migration, stmt } from "./Migration.ts"

const tenantPredicate = "customer_id = (SELECT app_current_customer_id())"

export const migration: Migration = {
  id: 20,
  name: "payment_subscriptions",
  statements: [
    stmt`CREATE TABLE payment_subscriptions (
      provider text NOT NULL CHECK (provider ~ '^[a-z]{1,32}$'),
      provider_subscription_id text NOT NULL CHECK (length(provider_subscription_id) BETWEEN 1 AND 255),
      customer_id uuid NOT NULL REFERENCES customers (id),
      status text NOT NULL CHECK (length(status) BETWEEN 1 AND 64),
      plan_code text CHECK (plan_code IS NULL OR length(plan_code) BETWEEN 1 AND 255),
      state_at timestamptz NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (provider, provider_subscription_id)
    )`,
    stmt`CREATE INDEX payment_subscriptions_customer_idx ON payment_subscriptions (customer_id)`,
    stmt`ALTER TABLE payment_subscriptions ENABLE ROW LEVEL SECURITY`,
    stmt`ALTER TABLE payment_subscriptions FORCE ROW LEVEL SECURITY`,
    `CREATE POLICY tenant_isolation ON payment_subscriptions USING (${tenantPredicate}) WITH CHECK (${tenantPredicate})`,
    `CREATE POLICY worker_all_tenants ON payment_subscriptions TO ${Roles.worker} USING (true) WITH CHECK (true)`,
    `GRANT SELECT, INSERT, UPDATE ON payment_subscriptions TO ${Roles.worker}`,
    `GRANT SELECT ON payment_subscriptions TO ${Roles.app}`,

    stmt`ALTER TABLE payment_customers ADD COLUMN details_at timestamptz`,

    // What a provider's event may change of a customer (status and closed_at: migration 0015).
    `GRANT UPDATE (email, billing_address, plan) ON customers TO ${Roles.worker}`,
    `CREATE POLICY worker_inserts_plan_changes ON customer_plan_changes FOR INSERT TO ${Roles.worker} WITH CHECK (true)`,
    `CREATE POLICY worker_deletes_plan_changes ON customer_plan_changes FOR DELETE TO ${Roles.worker} USING (true)`,
    `GRANT INSERT, DELETE ON customer_plan_changes TO ${Roles.worker}`,

    stmt`ALTER TABLE audit_worker_actions DROP CONSTRAINT audit_worker_actions_subject_type_check`,
    stmt`ALTER TABLE audit_worker_actions ADD CONSTRAINT audit_worker_actions_subject_type_check
      CHECK (subject_type IN ('invoice', 'notification', 'customer'))`,
    stmt`DROP POLICY worker_billing_actions_only ON audit_events`,
    // Migration 0019's policy (the worker's own actions and the shared ones), with the customer branch.
    `CREATE POLICY worker_billing_actions_only ON audit_events AS RESTRICTIVE FOR INSERT TO ${Roles.worker}
      WITH CHECK (EXISTS (
        SELECT 1 FROM (
          SELECT a.action, a.subject_type FROM public.audit_worker_actions a
          UNION ALL SELECT s.action, s.subject_type FROM public.audit_shared_actions s
        ) w
        WHERE w.action = audit_events.action AND w.subject_type = audit_events.subject_type
          AND CASE w.subject_type
            WHEN 'invoice' THEN EXISTS (SELECT 1 FROM public.invoices i
              WHERE i.id = public.audit_uuid_or_null(audit_events.subject_id)
                AND i.customer_id = audit_events.customer_id)
            WHEN 'notification' THEN EXISTS (SELECT 1 FROM public.notifications n
              WHERE n.id = public.audit_uuid_or_null(audit_events.subject_id)
                AND n.customer_id = audit_events.customer_id)
            WHEN 'credit_note' THEN EXISTS (SELECT 1 FROM public.credit_notes c
              WHERE c.id = public.audit_uuid_or_null(audit_events.subject_id)
                AND c.customer_id = audit_events.customer_id)
            WHEN 'customer' THEN public.audit_uuid_or_null(audit_events.subject_id) = audit_events.customer_id
            ELSE false
          END))`,
    stmt`INSERT INTO audit_worker_actions (action, subject_type) VALUES
      ('customer.updated_by_provider', 'customer'),
      ('customer.plan_changed_by_provider', 'customer'),
      ('customer.closed_by_provider', 'customer')`
  ]
}
