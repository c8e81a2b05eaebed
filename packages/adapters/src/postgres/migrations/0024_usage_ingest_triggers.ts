/**
 * Cheaper triggers on `usage_events` for batch ingestion (issue 16), with the same rules:
 *
 * - The closed-period statement trigger (migration 0007) called `usage_period_of` twice and
 *   `usage_period_lock_key` once for EVERY inserted row. Both are SQL functions with a
 *   `SET search_path`, which PostgreSQL cannot inline: each call saved and restored the setting
 *   and ran the function's plan, several microseconds a row. The rows of a batch fall in a
 *   handful of (customer, month) pairs, so the trigger now finds those pairs with built-ins
 *   (`date_trunc` in UTC, the month `usage_period_of` names) and calls the functions once per pair:
 *   the same shared locks, taken in the same key order, then the same probe of `invoices`. Only
 *   when a pair is invoiced does it look for the first refused event, by (customer, event id) as
 *   before, for the error's DETAIL.
 * - `usage_events_born_unvoided` ran its PL/pgSQL body for every row to check three columns that
 *   an insert leaves NULL. A `WHEN` condition on the trigger tests them without the call: the
 *   function still runs, and refuses, exactly when one of them is set.
 */
import { isolationSqlState, periodClosedSqlState } from "./0007_usage_periods.ts"
import { type Migration, stmt } from "./Migration.ts"

export const migration: Migration = {
  id: 24,
  name: "usage_ingest_triggers",
  statements: [
    // SECURITY INVOKER as before: the invoices are read under the caller's row-level security.
    stmt`CREATE OR REPLACE FUNCTION usage_events_refuse_closed_periods() RETURNS trigger
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
        -- The first instant of the UTC month of each row: usage_period_of of it is the row's period.
        FOR k IN
          SELECT DISTINCT usage_period_lock_key(p.customer_id, usage_period_of(p.month))
            FROM (SELECT DISTINCT n.customer_id, date_trunc('month', n.occurred_at, 'UTC') AS month
                    FROM inserted n) p
            ORDER BY 1
        LOOP
          PERFORM pg_advisory_xact_lock_shared(k);
        END LOOP;
        -- A new statement, so a new snapshot: it sees every invoice committed before the locks.
        IF EXISTS (
          SELECT FROM (SELECT DISTINCT n.customer_id, date_trunc('month', n.occurred_at, 'UTC') AS month
                         FROM inserted n) p
            JOIN invoices i ON i.customer_id = p.customer_id AND i.period = usage_period_of(p.month)
        ) THEN
          SELECT n.customer_id, n.event_id, usage_period_of(n.occurred_at) AS period INTO closed
            FROM inserted n
            JOIN invoices i ON i.customer_id = n.customer_id AND i.period = usage_period_of(n.occurred_at)
            ORDER BY n.customer_id, n.event_id
            LIMIT 1;
          RAISE EXCEPTION 'usage period % of customer % is invoiced: event % refused', closed.period, closed.customer_id, closed.event_id
            USING ERRCODE = '${periodClosedSqlState}',
              DETAIL = json_build_object('customer_id', closed.customer_id, 'period', closed.period, 'event_id', closed.event_id)::text;
        END IF;
        RETURN NULL;
      END
      $fn$`,

    stmt`DROP TRIGGER usage_events_born_unvoided ON usage_events`,
    stmt`CREATE TRIGGER usage_events_born_unvoided BEFORE INSERT ON usage_events
      FOR EACH ROW
      WHEN (NEW.voided_at IS NOT NULL OR NEW.voided_by IS NOT NULL OR NEW.void_reason IS NOT NULL)
      EXECUTE FUNCTION usage_events_born_unvoided()`
  ]
}
