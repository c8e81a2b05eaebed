/**
 * The model: enum types, the tenant tables, the reference table of tier features and the
 * per-year invoice number counters. Every tenant table carries `customer_id` (even invoice lines,
 * so their policy needs no join) and starts its primary key or an index with it, because that is
 * the column every row-level-security policy filters on.
 */
import { type Migration, stmt } from "./Migration.ts"

export const migration: Migration = {
  id: 1,
  name: "schema",
  statements: [
    stmt`CREATE TYPE customer_tier AS ENUM ('standard', 'fintech', 'healthcare', 'gov-federal')`,
    stmt`CREATE TYPE invoice_status AS ENUM ('draft', 'issued', 'paid', 'overdue', 'cancelled')`,
    stmt`CREATE TYPE ticket_priority AS ENUM ('low', 'normal', 'high', 'critical')`,

    stmt`CREATE TABLE customers (
      id uuid PRIMARY KEY,
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      email text NOT NULL CHECK (email LIKE '%_@_%'),
      tier customer_tier NOT NULL,
      status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'closed')),
      tax_profile jsonb NOT NULL DEFAULT '{}'::jsonb,
      net_days integer NOT NULL DEFAULT 30 CHECK (net_days BETWEEN 0 AND 365),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`,

    stmt`CREATE TABLE tier_features (
      tier customer_tier PRIMARY KEY,
      display_name text NOT NULL,
      max_accounts integer NOT NULL CHECK (max_accounts >= 1),
      max_api_keys integer NOT NULL CHECK (max_api_keys >= 1),
      api_rate_limit_per_minute integer NOT NULL CHECK (api_rate_limit_per_minute >= 1),
      compliance_frameworks text[] NOT NULL,
      audit_retention_days integer NOT NULL CHECK (audit_retention_days >= 1),
      support_level text NOT NULL,
      critical_response_hours integer NOT NULL CHECK (critical_response_hours >= 1),
      uptime_sla_basis_points integer NOT NULL CHECK (uptime_sla_basis_points BETWEEN 0 AND 10000),
      sso_required boolean NOT NULL,
      customer_managed_keys boolean NOT NULL,
      data_residency text NOT NULL
    )`,

    // The id is the key's public part (`sb_live_<id>_<secret>`); only a SHA-256 of the secret is
    // stored (a 32-byte random secret needs no slow hash).
    stmt`CREATE TABLE api_keys (
      id text PRIMARY KEY CHECK (id ~ '^[a-z2-7]{16}$'),
      customer_id uuid NOT NULL REFERENCES customers (id),
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
      mode text NOT NULL CHECK (mode IN ('live', 'test')),
      prefix text NOT NULL UNIQUE,
      secret_hash text NOT NULL CHECK (secret_hash ~ '^[0-9a-f]{64}$'),
      scopes text[] NOT NULL CHECK (cardinality(scopes) >= 1),
      created_at timestamptz NOT NULL,
      expires_at timestamptz,
      revoked_at timestamptz,
      last_used_at timestamptz
    )`,
    stmt`CREATE INDEX api_keys_customer_id_idx ON api_keys (customer_id)`,

    // The primary key is the idempotency key: (customer, sender-chosen event id).
    stmt`CREATE TABLE usage_events (
      customer_id uuid NOT NULL REFERENCES customers (id),
      event_id text NOT NULL CHECK (event_id ~ '^[A-Za-z0-9._:/-]{1,128}$'),
      metric text NOT NULL,
      occurred_at timestamptz NOT NULL,
      quantity numeric NOT NULL CHECK (quantity >= 0),
      subject text,
      received_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (customer_id, event_id)
    )`,
    stmt`CREATE INDEX usage_events_customer_occurred_idx ON usage_events (customer_id, occurred_at)`,

    stmt`CREATE TABLE usage_metrics (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      customer_id uuid NOT NULL REFERENCES customers (id),
      period text NOT NULL CHECK (period ~ '^\d{4}-(0[1-9]|1[0-2])$'),
      metric text NOT NULL,
      quantity numeric NOT NULL CHECK (quantity >= 0),
      computed_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (customer_id, period, metric)
    )`,

    // One invoice per customer and period: the billing run can be retried without double billing.
    // The reconciliation identities are checked here too, so no writer can store a total that
    // does not add up.
    stmt`CREATE TABLE invoices (
      id uuid PRIMARY KEY,
      customer_id uuid NOT NULL REFERENCES customers (id),
      number text UNIQUE CHECK (number ~ '^INV-\d{4}-\d{6,}$'),
      tier customer_tier NOT NULL,
      period text NOT NULL CHECK (period ~ '^\d{4}-(0[1-9]|1[0-2])$'),
      currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
      price_book_id text NOT NULL,
      status invoice_status NOT NULL DEFAULT 'draft',
      subtotal bigint NOT NULL CHECK (subtotal >= 0),
      discount bigint NOT NULL CHECK (discount >= 0),
      discount_description text,
      taxable bigint NOT NULL CHECK (taxable >= 0),
      tax_lines jsonb NOT NULL DEFAULT '[]'::jsonb,
      tax bigint NOT NULL CHECK (tax >= 0),
      tax_exemption text,
      total bigint NOT NULL CHECK (total >= 0),
      net_days integer NOT NULL CHECK (net_days BETWEEN 0 AND 365),
      created_at timestamptz NOT NULL,
      issued_at timestamptz,
      due_at timestamptz,
      paid_at timestamptz,
      overdue_at timestamptz,
      cancelled_at timestamptz,
      payment_reference text,
      cancellation_reason text,
      UNIQUE (customer_id, period),
      UNIQUE (id, customer_id),
      CHECK (taxable = subtotal - discount),
      CHECK (total = taxable + tax),
      CHECK ((status = 'draft') = (number IS NULL))
    )`,

    // customer_id is repeated on each line and tied to its invoice's by the composite foreign key,
    // so a line can never belong to one customer while its invoice belongs to another.
    stmt`CREATE TABLE invoice_lines (
      invoice_id uuid NOT NULL,
      customer_id uuid NOT NULL,
      position integer NOT NULL CHECK (position >= 1),
      code text NOT NULL,
      description text NOT NULL,
      kind text NOT NULL CHECK (kind IN ('flat', 'usage')),
      metric text,
      quantity numeric NOT NULL,
      included numeric NOT NULL,
      billable numeric NOT NULL,
      pricing text NOT NULL,
      amount bigint NOT NULL CHECK (amount >= 0),
      discount bigint NOT NULL CHECK (discount >= 0 AND discount <= amount),
      PRIMARY KEY (invoice_id, position),
      FOREIGN KEY (invoice_id, customer_id) REFERENCES invoices (id, customer_id) ON DELETE CASCADE
    )`,
    stmt`CREATE INDEX invoice_lines_customer_id_idx ON invoice_lines (customer_id)`,

    // Gap-free invoice numbers: a counter row per year, incremented in the issuing transaction.
    // The row lock serializes issuers and a rollback returns the number, unlike a SEQUENCE.
    stmt`CREATE TABLE invoice_number_sequences (
      year integer PRIMARY KEY CHECK (year BETWEEN 1900 AND 2199),
      last_value bigint NOT NULL CHECK (last_value >= 0)
    )`,
    stmt`CREATE FUNCTION next_invoice_number(p_year integer) RETURNS bigint
      LANGUAGE sql VOLATILE
      AS $fn$
        INSERT INTO invoice_number_sequences AS s (year, last_value) VALUES (p_year, 1)
        ON CONFLICT (year) DO UPDATE SET last_value = s.last_value + 1
        RETURNING last_value
      $fn$`,

    stmt`CREATE TABLE support_tickets (
      id uuid PRIMARY KEY,
      customer_id uuid NOT NULL REFERENCES customers (id),
      subject text NOT NULL CHECK (length(subject) BETWEEN 3 AND 200),
      description text NOT NULL,
      priority ticket_priority NOT NULL DEFAULT 'normal',
      status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'pending', 'resolved', 'closed')),
      created_at timestamptz NOT NULL DEFAULT now(),
      first_response_due_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`,
    stmt`CREATE INDEX support_tickets_customer_id_idx ON support_tickets (customer_id)`,

    // The outbox: a row written in the transaction that decides to notify, delivered after commit.
    stmt`CREATE TABLE notifications (
      id uuid PRIMARY KEY,
      customer_id uuid NOT NULL REFERENCES customers (id),
      channel text NOT NULL CHECK (channel IN ('email', 'sms')),
      template text NOT NULL,
      recipient text NOT NULL,
      payload jsonb NOT NULL DEFAULT '{}'::jsonb,
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
      attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
      created_at timestamptz NOT NULL DEFAULT now(),
      sent_at timestamptz,
      last_error text
    )`,
    stmt`CREATE INDEX notifications_customer_id_idx ON notifications (customer_id)`,
    stmt`CREATE INDEX notifications_pending_idx ON notifications (created_at) WHERE status = 'pending'`,

    stmt`CREATE TABLE compliance_findings (
      id uuid PRIMARY KEY,
      customer_id uuid NOT NULL REFERENCES customers (id),
      framework text NOT NULL,
      control_id text NOT NULL CHECK (length(control_id) BETWEEN 1 AND 64),
      title text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
      severity text NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
      status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved', 'accepted')),
      resource text,
      detected_at timestamptz NOT NULL,
      resolved_at timestamptz
    )`,
    stmt`CREATE INDEX compliance_findings_customer_id_idx ON compliance_findings (customer_id)`
  ]
}
