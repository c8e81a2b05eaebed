/**
 * What a provider's events do to the receivables (issue 14): the payments worker records a
 * payment, issues a credit note for a refund and takes a dunning step for a failed payment, in the
 * worker transaction that records the event id (exactly once).
 *
 * - The worker may now insert payments and credit notes with their lines (a `FOR INSERT` policy
 *   beside its read-only ones of 0015) and take the next credit note number.
 * - `payment_refunds`: each credit note a provider's refund event issued, with the provider's
 *   charge id and the amount credited (one row per event, keyed by the event id). The charge's
 *   rows sum to what has been credited for it, so an event reporting the charge's cumulative
 *   refunded amount credits only the difference (a redelivered or older event, nothing). A tenant
 *   table like the other payment tables of 0018. (Edited in place before any release: it held one
 *   row per refund id, which Stripe's charges no longer list unless expanded.)
 * - `dunning_steps` takes a third kind, `payment_failed`, whose `days` is the provider's attempt
 *   number (so one attempt is one step) rather than days past due.
 * - `audit_shared_actions`: actions both a customer's transaction (an operator recording a payment
 *   or issuing a credit note) and the worker (the same, from a provider event) append, the same
 *   list as core `AuditEvent.sharedActions`. Not in `audit_worker_actions`, which the application
 *   role may not write; the worker's restrictive policy is recreated to accept both lists, and a
 *   `credit_note` subject must be a credit note of the event's customer.
 */
import * as Roles from "../Roles.ts"
import { type Migration, stmt } from "./Migration.ts"

const tenantPredicate = "customer_id = (SELECT app_current_customer_id())"

export const migration: Migration = {
  id: 19,
  name: "payment_effects",
  statements: [
    ...["payments", "credit_notes", "credit_note_lines"].map(
      (table) =>
        `CREATE POLICY worker_writes_all_tenants ON ${table} FOR INSERT TO ${Roles.worker} WITH CHECK (true)`
    ),
    `GRANT INSERT ON payments, credit_notes, credit_note_lines TO ${Roles.worker}`,
    `GRANT EXECUTE ON FUNCTION next_credit_note_number(integer) TO ${Roles.worker}`,

    stmt`CREATE TABLE payment_refunds (
      provider text NOT NULL CHECK (provider ~ '^[a-z]{1,32}$'),
      provider_charge_id text NOT NULL CHECK (length(provider_charge_id) BETWEEN 1 AND 255),
      customer_id uuid NOT NULL REFERENCES customers (id),
      invoice_id uuid NOT NULL,
      credit_note_id uuid NOT NULL,
      amount bigint NOT NULL CHECK (amount > 0),
      event_id text NOT NULL CHECK (length(event_id) BETWEEN 1 AND 255),
      PRIMARY KEY (provider, event_id),
      UNIQUE (credit_note_id),
      FOREIGN KEY (invoice_id, customer_id) REFERENCES invoices (id, customer_id),
      FOREIGN KEY (credit_note_id, customer_id) REFERENCES credit_notes (id, customer_id)
    )`,
    stmt`CREATE INDEX payment_refunds_customer_idx ON payment_refunds (customer_id, invoice_id)`,
    stmt`CREATE INDEX payment_refunds_charge_idx ON payment_refunds (provider, provider_charge_id)`,
    `ALTER TABLE payment_refunds ENABLE ROW LEVEL SECURITY`,
    `ALTER TABLE payment_refunds FORCE ROW LEVEL SECURITY`,
    `CREATE POLICY tenant_isolation ON payment_refunds USING (${tenantPredicate}) WITH CHECK (${tenantPredicate})`,
    `CREATE POLICY worker_all_tenants ON payment_refunds TO ${Roles.worker} USING (true) WITH CHECK (true)`,
    `GRANT SELECT, INSERT ON payment_refunds TO ${Roles.worker}`,
    `GRANT SELECT ON payment_refunds TO ${Roles.app}`,

    `ALTER TABLE dunning_steps DROP CONSTRAINT dunning_steps_kind_check`,
    `ALTER TABLE dunning_steps ADD CONSTRAINT dunning_steps_kind_check
      CHECK (kind IN ('reminder', 'suspension', 'payment_failed'))`,
    `ALTER TABLE dunning_steps DROP CONSTRAINT dunning_steps_check`,
    `ALTER TABLE dunning_steps ADD CONSTRAINT dunning_steps_check
      CHECK (kind = 'payment_failed' OR days_past_due >= days)`,
    `ALTER TABLE dunning_steps ADD CONSTRAINT dunning_steps_days_past_due_check CHECK (days_past_due >= 0)`,

    stmt`CREATE TABLE audit_shared_actions (
      action text PRIMARY KEY CHECK (action ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$'),
      subject_type text NOT NULL CHECK (subject_type IN ('invoice', 'credit_note'))
    )`,
    stmt`INSERT INTO audit_shared_actions (action, subject_type) VALUES
      ('invoice.payment_recorded', 'invoice'),
      ('invoice.paid', 'invoice'),
      ('credit_note.issued', 'credit_note')`,
    `GRANT SELECT ON audit_shared_actions TO ${Roles.app}, ${Roles.worker}`,
    `DROP POLICY worker_billing_actions_only ON audit_events`,
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
            ELSE false
          END))`
  ]
}
