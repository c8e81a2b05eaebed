/**
 * Payments through a provider (Stripe): the provider's ids beside ours, the push outbox, payment
 * attempts and processed webhook events. Provider-neutral tables with a `provider` column, so a
 * second provider needs no new schema.
 *
 * - `payment_customers`: our customer ↔ the provider's (one per provider and customer).
 * - `payment_invoices`: our invoice ↔ the provider's, its hosted payment link, and the provider
 *   state with the creation time of the event that set it (`state_at`, NULL before any event: the
 *   provider's clock, not ours, orders its events): an older event never
 *   moves it (the adapter's UPDATE compares), and `paid` moves only to `refunded`.
 * - `payment_pushes`: the outbox of invoices to create at the provider, queued in the issuing
 *   transaction; one row per invoice, so an invoice is never queued (nor pushed) twice.
 * - `payment_attempts`: each payment success, failure or refund the provider reported (one per
 *   event).
 * - `payment_webhook_events`: every processed event id, inserted in the transaction of its effect
 *   (exactly once). Worker-only, like `billing_claims`; its customer may be unknown.
 *
 * The four tenant tables are under row-level security (ENABLE + FORCE) with the tenant policy on
 * `app.customer_id` and the worker's cross-tenant policy; the application role may only read
 * them. The worker appends three more billing actions (`invoice.pushed`,
 * `invoice.paid_by_provider`, `invoice.payment_failed`), the same list as the core's
 * `AuditEvent.workerActions`.
 */
import * as Roles from "../Roles.ts"
import { type Migration, stmt } from "./Migration.ts"

/** The tenant tables of this migration. */
export const paymentTenantTables = [
  "payment_customers",
  "payment_invoices",
  "payment_pushes",
  "payment_attempts"
] as const

const tenantPredicate = "customer_id = (SELECT app_current_customer_id())"

export const migration: Migration = {
  id: 18,
  name: "payments",
  statements: [
    stmt`CREATE TABLE payment_customers (
      provider text NOT NULL CHECK (provider ~ '^[a-z]{1,32}$'),
      customer_id uuid NOT NULL REFERENCES customers (id),
      provider_customer_id text NOT NULL CHECK (length(provider_customer_id) BETWEEN 1 AND 255),
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (provider, customer_id),
      UNIQUE (provider, provider_customer_id)
    )`,
    stmt`CREATE INDEX payment_customers_customer_idx ON payment_customers (customer_id)`,
    stmt`CREATE TABLE payment_invoices (
      invoice_id uuid PRIMARY KEY REFERENCES invoices (id),
      customer_id uuid NOT NULL REFERENCES customers (id),
      provider text NOT NULL CHECK (provider ~ '^[a-z]{1,32}$'),
      provider_invoice_id text NOT NULL CHECK (length(provider_invoice_id) BETWEEN 1 AND 255),
      hosted_url text CHECK (hosted_url IS NULL OR hosted_url ~ '^https?://'),
      state text NOT NULL CHECK (state IN ('open', 'paid', 'payment_failed', 'refunded')),
      state_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (provider, provider_invoice_id)
    )`,
    stmt`CREATE INDEX payment_invoices_customer_idx ON payment_invoices (customer_id)`,
    stmt`CREATE TABLE payment_pushes (
      invoice_id uuid PRIMARY KEY REFERENCES invoices (id),
      customer_id uuid NOT NULL REFERENCES customers (id),
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'pushed', 'failed')),
      attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
      next_attempt_at timestamptz NOT NULL,
      last_error text,
      created_at timestamptz NOT NULL,
      pushed_at timestamptz
    )`,
    stmt`CREATE INDEX payment_pushes_due_idx ON payment_pushes (next_attempt_at, invoice_id) WHERE status = 'pending'`,
    stmt`CREATE INDEX payment_pushes_customer_idx ON payment_pushes (customer_id)`,
    stmt`CREATE TABLE payment_attempts (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      invoice_id uuid NOT NULL REFERENCES invoices (id),
      customer_id uuid NOT NULL REFERENCES customers (id),
      provider text NOT NULL CHECK (provider ~ '^[a-z]{1,32}$'),
      event_id text NOT NULL CHECK (length(event_id) BETWEEN 1 AND 255),
      outcome text NOT NULL CHECK (outcome IN ('succeeded', 'failed', 'refunded')),
      amount bigint NOT NULL CHECK (amount >= 0),
      currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
      reason text,
      occurred_at timestamptz NOT NULL,
      UNIQUE (provider, event_id)
    )`,
    stmt`CREATE INDEX payment_attempts_customer_idx ON payment_attempts (customer_id, invoice_id)`,
    ...paymentTenantTables.flatMap((table) => [
      `ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`,
      `ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`,
      `CREATE POLICY tenant_isolation ON ${table} USING (${tenantPredicate}) WITH CHECK (${tenantPredicate})`,
      `CREATE POLICY worker_all_tenants ON ${table} TO ${Roles.worker} USING (true) WITH CHECK (true)`,
      `GRANT SELECT, INSERT, UPDATE ON ${table} TO ${Roles.worker}`
    ]),
    `GRANT SELECT ON payment_customers, payment_invoices, payment_attempts TO ${Roles.app}`,
    stmt`CREATE TABLE payment_webhook_events (
      provider text NOT NULL CHECK (provider ~ '^[a-z]{1,32}$'),
      event_id text NOT NULL CHECK (length(event_id) BETWEEN 1 AND 255),
      type text NOT NULL CHECK (length(type) BETWEEN 1 AND 255),
      created_at timestamptz NOT NULL,
      customer_id uuid REFERENCES customers (id),
      received_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (provider, event_id)
    )`,
    stmt`ALTER TABLE payment_webhook_events ENABLE ROW LEVEL SECURITY`,
    stmt`ALTER TABLE payment_webhook_events FORCE ROW LEVEL SECURITY`,
    `CREATE POLICY worker_all_tenants ON payment_webhook_events TO ${Roles.worker} USING (true) WITH CHECK (true)`,
    `GRANT SELECT, INSERT ON payment_webhook_events TO ${Roles.worker}`,
    stmt`INSERT INTO audit_worker_actions (action, subject_type) VALUES
      ('invoice.pushed', 'invoice'),
      ('invoice.paid_by_provider', 'invoice'),
      ('invoice.payment_failed', 'invoice')`
  ]
}
