/**
 * Closed periods, enforced by the database, and the customer's overdue grace.
 *
 * - An event for a (customer, period) that is invoiced is refused, whoever writes it (the API, a
 *   second instance, a psql session): an AFTER INSERT statement trigger takes a SHARED
 *   transaction-level advisory lock on every (customer, period) the statement inserted into, in
 *   key order, then refuses the whole statement with SQLSTATE {@link periodClosedSqlState} if an
 *   invoice for one of them exists. The billing of a customer takes the EXCLUSIVE lock on the
 *   same key (`lock_usage_periods`) before it reads the usage: it waits for every transaction
 *   still storing events there, reads them (READ COMMITTED: the statement after the lock sees what
 *   committed before it), and keeps new ones waiting until its invoice commits, after which they
 *   see the invoice and are refused. So an accepted event is on its period's invoice, or refused.
 *   One statement-level check rather than one per row: a batch of 1,000 events for one month
 *   takes one lock and one index probe, and events that ON CONFLICT DO NOTHING skipped (resends of
 *   stored events) are not in the transition table, so a resend of a billed event stays a
 *   duplicate instead of an error.
 * - The check reads the latest committed invoices, which only READ COMMITTED guarantees: under
 *   REPEATABLE READ or SERIALIZABLE the snapshot can predate the invoice, so such inserts are
 *   refused (SQLSTATE {@link isolationSqlState}).
 * - `customers.overdue_grace_days`: days after the due date before an invoice is overdue.
 *   Existing customers get `Customer.defaultOverdueGraceDays` (5), as do rows inserted without it
 *   (as `net_days` has its default of 30); the application always writes it.
 */
import { type Migration, stmt } from "./Migration.ts"

/** The SQLSTATE of an event refused because its customer is invoiced for its period. */
export const periodClosedSqlState = "SB001"

/** The SQLSTATE of an event insert refused because the transaction is not READ COMMITTED. */
export const isolationSqlState = "SB002"

export const migration: Migration = {
  id: 7,
  name: "usage_periods",
  statements: [
    // The period of an instant: its calendar month in UTC, as Period.ofDateTime computes it.
    stmt`CREATE FUNCTION usage_period_of(p_at timestamptz) RETURNS text
      LANGUAGE sql STABLE
      SET search_path = pg_catalog
      AS $fn$ SELECT to_char(p_at AT TIME ZONE 'UTC', 'YYYY-MM') $fn$`,
    stmt`CREATE FUNCTION usage_period_lock_key(p_customer_id uuid, p_period text) RETURNS bigint
      LANGUAGE sql IMMUTABLE
      SET search_path = pg_catalog
      AS $fn$ SELECT hashtextextended('securebase.usage_period:' || p_customer_id::text || '/' || p_period, 0) $fn$`,

    // The billing side: EXCLUSIVE locks on (customer, period), in key order so that two billing
    // transactions can never wait for each other in a cycle. Held until the transaction ends.
    stmt`CREATE FUNCTION lock_usage_periods(p_customer_ids uuid[], p_period text) RETURNS void
      LANGUAGE plpgsql
      SET search_path = public, pg_catalog
      AS $fn$
      DECLARE
        k bigint;
      BEGIN
        FOR k IN SELECT DISTINCT usage_period_lock_key(c, p_period) FROM unnest(p_customer_ids) AS c ORDER BY 1 LOOP
          PERFORM pg_advisory_xact_lock(k);
        END LOOP;
      END
      $fn$`,

    // SECURITY INVOKER on purpose: the invoices are read under the caller's row-level security.
    // The rows of an AFTER trigger have passed the policy's WITH CHECK, so they are the caller's
    // tenant's, whose invoices the caller sees.
    stmt`CREATE FUNCTION usage_events_refuse_closed_periods() RETURNS trigger
      LANGUAGE plpgsql
      SET search_path = public, pg_catalog
      AS $fn$
      DECLARE
        k bigint;
        closed record;
      BEGIN
        IF current_setting('transaction_isolation') <> 'read committed' THEN
          RAISE EXCEPTION 'usage events can be inserted only under READ COMMITTED (the closed-period check must see the latest invoices)'
            USING ERRCODE = '${isolationSqlState}';
        END IF;
        FOR k IN
          SELECT DISTINCT usage_period_lock_key(n.customer_id, usage_period_of(n.occurred_at)) FROM inserted n ORDER BY 1
        LOOP
          PERFORM pg_advisory_xact_lock_shared(k);
        END LOOP;
        SELECT n.customer_id, n.event_id, usage_period_of(n.occurred_at) AS period INTO closed
          FROM inserted n
          JOIN invoices i ON i.customer_id = n.customer_id AND i.period = usage_period_of(n.occurred_at)
          ORDER BY n.customer_id, n.event_id
          LIMIT 1;
        IF FOUND THEN
          RAISE EXCEPTION 'usage period % of customer % is invoiced: event % refused', closed.period, closed.customer_id, closed.event_id
            USING ERRCODE = '${periodClosedSqlState}',
              DETAIL = json_build_object('customer_id', closed.customer_id, 'period', closed.period, 'event_id', closed.event_id)::text;
        END IF;
        RETURN NULL;
      END
      $fn$`,
    stmt`CREATE TRIGGER usage_events_refuse_closed_periods AFTER INSERT ON usage_events
      REFERENCING NEW TABLE AS inserted
      FOR EACH STATEMENT EXECUTE FUNCTION usage_events_refuse_closed_periods()`,

    stmt`ALTER TABLE customers ADD COLUMN overdue_grace_days integer NOT NULL DEFAULT 5
      CHECK (overdue_grace_days BETWEEN 0 AND 365)`
  ]
}
