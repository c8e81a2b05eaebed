/**
 * Receivables (issue 13): payments, credit notes with their own gap-free numbers, and the dunning
 * steps taken on overdue invoices.
 *
 * - `payments`: idempotent by `(customer_id, idempotency_key)`, a unique constraint, so two
 *   concurrent requests with one key store one payment whatever the application does.
 * - `credit_notes` + `credit_note_lines`: numbered `CN-YYYY-NNNNNN` from a counter row per year
 *   (`next_credit_note_number`), incremented in the issuing transaction like the invoices' own:
 *   the row lock serializes issuers and a rollback gives the number back, so there is no gap.
 *   Operators issue notes as the customer (the application role), which may not touch the counter
 *   table: the function is SECURITY DEFINER and the only way in.
 * - A trigger re-checks what the core already refuses, under the invoice's row lock: payments plus
 *   the credited part of credit notes never exceed the invoice's total, and credit notes never
 *   exceed it either.
 * - `dunning_steps`: one row per (invoice, kind, days) taken, so each reminder is sent once; the
 *   worker records them and may now set a customer's status (suspension after N days past due).
 *   Its two new audit actions join `audit_worker_actions` (and core `AuditEvent.workerActions`).
 *
 * All four tables are tenant tables: ENABLE + FORCE row-level security on `customer_id`, with
 * read-only worker policies on payments and credit notes with their lines (the dunning sweep reads
 * amounts due).
 */
import * as Roles from "../Roles.ts"
import { type Migration, stmt } from "./Migration.ts"

const tenant = `customer_id = (SELECT app_current_customer_id())`
const tables = ["payments", "credit_notes", "credit_note_lines", "dunning_steps"] as const

export const migration: Migration = {
  id: 15,
  name: "receivables",
  statements: [
    stmt`CREATE TABLE payments (
      id uuid PRIMARY KEY,
      customer_id uuid NOT NULL REFERENCES customers (id),
      invoice_id uuid NOT NULL,
      currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
      amount bigint NOT NULL CHECK (amount > 0),
      method text NOT NULL CHECK (method ~ '^[a-z_]{1,32}$'),
      reference text NOT NULL CHECK (length(reference) BETWEEN 1 AND 200),
      paid_at timestamptz NOT NULL,
      idempotency_key text NOT NULL CHECK (idempotency_key ~ '^[A-Za-z0-9._:/-]{1,128}$'),
      recorded_at timestamptz NOT NULL,
      CONSTRAINT payments_idempotency_key UNIQUE (customer_id, idempotency_key),
      FOREIGN KEY (invoice_id, customer_id) REFERENCES invoices (id, customer_id)
    )`,
    stmt`CREATE INDEX payments_invoice_idx ON payments (customer_id, invoice_id)`,

    stmt`CREATE TABLE credit_notes (
      id uuid PRIMARY KEY,
      customer_id uuid NOT NULL REFERENCES customers (id),
      invoice_id uuid NOT NULL,
      number text NOT NULL UNIQUE CHECK (number ~ '^CN-\d{4}-\d{6,}$'),
      currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
      reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
      amount bigint NOT NULL CHECK (amount > 0),
      credited bigint NOT NULL CHECK (credited >= 0),
      refunded bigint NOT NULL CHECK (refunded >= 0),
      issued_at timestamptz NOT NULL,
      CHECK (amount = credited + refunded),
      UNIQUE (id, customer_id),
      FOREIGN KEY (invoice_id, customer_id) REFERENCES invoices (id, customer_id)
    )`,
    stmt`CREATE INDEX credit_notes_invoice_idx ON credit_notes (customer_id, invoice_id)`,
    stmt`CREATE TABLE credit_note_lines (
      credit_note_id uuid NOT NULL,
      customer_id uuid NOT NULL,
      position integer NOT NULL CHECK (position >= 1),
      description text NOT NULL CHECK (length(description) BETWEEN 1 AND 500),
      invoice_line integer CHECK (invoice_line >= 1),
      amount bigint NOT NULL CHECK (amount > 0),
      PRIMARY KEY (credit_note_id, position),
      FOREIGN KEY (credit_note_id, customer_id) REFERENCES credit_notes (id, customer_id) ON DELETE CASCADE
    )`,
    stmt`CREATE INDEX credit_note_lines_customer_idx ON credit_note_lines (customer_id)`,

    stmt`CREATE TABLE credit_note_number_sequences (
      year integer PRIMARY KEY CHECK (year BETWEEN 1900 AND 2199),
      last_value bigint NOT NULL CHECK (last_value >= 0)
    )`,
    stmt`CREATE FUNCTION next_credit_note_number(p_year integer) RETURNS bigint
      LANGUAGE sql VOLATILE SECURITY DEFINER
      SET search_path = public, pg_catalog
      AS $fn$
        INSERT INTO credit_note_number_sequences AS s (year, last_value) VALUES (p_year, 1)
        ON CONFLICT (year) DO UPDATE SET last_value = s.last_value + 1
        RETURNING last_value
      $fn$`,
    `REVOKE EXECUTE ON FUNCTION next_credit_note_number(integer) FROM PUBLIC`,
    `GRANT EXECUTE ON FUNCTION next_credit_note_number(integer) TO ${Roles.app}`,

    // Runs as the writer, under its row-level security: it sees exactly the invoice's rows.
    stmt`CREATE FUNCTION receivables_within_total() RETURNS trigger
      LANGUAGE plpgsql
      SET search_path = public, pg_catalog
      AS $fn$
      DECLARE
        v_total bigint;
        v_paid bigint;
        v_credited bigint;
        v_notes bigint;
      BEGIN
        SELECT total INTO v_total FROM invoices WHERE id = NEW.invoice_id FOR UPDATE;
        SELECT coalesce(sum(amount), 0) INTO v_paid FROM payments WHERE invoice_id = NEW.invoice_id;
        SELECT coalesce(sum(credited), 0), coalesce(sum(amount), 0) INTO v_credited, v_notes
          FROM credit_notes WHERE invoice_id = NEW.invoice_id;
        IF TG_TABLE_NAME = 'payments' THEN
          v_paid := v_paid + NEW.amount;
        ELSE
          v_credited := v_credited + NEW.credited;
          v_notes := v_notes + NEW.amount;
        END IF;
        IF v_paid + v_credited > v_total OR v_notes > v_total THEN
          RAISE EXCEPTION 'payments and credit notes may not exceed the invoice total'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'receivables_within_total';
        END IF;
        RETURN NEW;
      END
      $fn$`,
    stmt`CREATE TRIGGER payments_within_total BEFORE INSERT ON payments
      FOR EACH ROW EXECUTE FUNCTION receivables_within_total()`,
    stmt`CREATE TRIGGER credit_notes_within_total BEFORE INSERT ON credit_notes
      FOR EACH ROW EXECUTE FUNCTION receivables_within_total()`,

    stmt`CREATE TABLE dunning_steps (
      customer_id uuid NOT NULL REFERENCES customers (id),
      invoice_id uuid NOT NULL,
      kind text NOT NULL CHECK (kind IN ('reminder', 'suspension')),
      days integer NOT NULL CHECK (days BETWEEN 0 AND 3650),
      days_past_due integer NOT NULL CHECK (days_past_due >= days),
      notification_id uuid,
      taken_at timestamptz NOT NULL,
      PRIMARY KEY (customer_id, invoice_id, kind, days),
      FOREIGN KEY (invoice_id, customer_id) REFERENCES invoices (id, customer_id)
    )`,

    ...tables.flatMap((table) => [
      `ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`,
      `ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`,
      `CREATE POLICY tenant_isolation ON ${table} USING (${tenant}) WITH CHECK (${tenant})`
    ]),
    `CREATE POLICY worker_reads_all_tenants ON payments FOR SELECT TO ${Roles.worker} USING (true)`,
    `CREATE POLICY worker_reads_all_tenants ON credit_notes FOR SELECT TO ${Roles.worker} USING (true)`,
    `CREATE POLICY worker_reads_all_tenants ON credit_note_lines FOR SELECT TO ${Roles.worker} USING (true)`,
    `CREATE POLICY worker_all_tenants ON dunning_steps TO ${Roles.worker} USING (true) WITH CHECK (true)`,
    `GRANT SELECT, INSERT ON payments, credit_notes, credit_note_lines TO ${Roles.app}`,
    `GRANT SELECT ON dunning_steps TO ${Roles.app}`,
    `GRANT SELECT ON payments, credit_notes, credit_note_lines TO ${Roles.worker}`,
    `GRANT SELECT, INSERT ON dunning_steps TO ${Roles.worker}`,
    // Suspension after N days past due: the worker sets the status, nothing else of a customer.
    // (`CustomerRepo.setStatus` also clears `closed_at`, migration 0014, for any status but closed.)
    `GRANT UPDATE (status, updated_at, closed_at) ON customers TO ${Roles.worker}`,
    stmt`INSERT INTO audit_worker_actions (action, subject_type) VALUES
      ('invoice.dunning_reminder', 'invoice'),
      ('invoice.dunning_suspension', 'invoice')`
  ]
}
