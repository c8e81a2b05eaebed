/**
 * Performance of the billing run (issue 16): `billable_usage(customers, period, from, to)` closes
 * the customers' period to new usage and reads it in ONE round trip instead of two (what a
 * per-customer transaction uses; a batch keeps the two statements, whose read is a hash join).
 *
 * It takes the EXCLUSIVE usage-period locks (`lock_usage_periods`, migration 0007), then returns
 * the period's events, voided ones excluded. The function is VOLATILE on purpose: under READ
 * COMMITTED each statement of a volatile function takes a fresh snapshot, so the read (the
 * second statement) sees every insert and void that committed before the locks were granted,
 * exactly as the two statements sent one after the other did. SECURITY INVOKER: the rows are read
 * under the caller's row-level security (the worker's). Only the worker role may call it.
 */
import * as Roles from "../Roles.ts"
import { type Migration, stmt } from "./Migration.ts"

export const migration: Migration = {
  id: 22,
  name: "billable_usage",
  statements: [
    stmt`CREATE FUNCTION billable_usage(p_customer_ids uuid[], p_period text, p_from timestamptz, p_to timestamptz)
      RETURNS SETOF usage_events
      LANGUAGE plpgsql VOLATILE
      SET search_path = public, pg_catalog
      AS $fn$
      BEGIN
        PERFORM lock_usage_periods(p_customer_ids, p_period);
        RETURN QUERY SELECT * FROM usage_events e
          WHERE e.customer_id = ANY (p_customer_ids)
            AND e.occurred_at >= p_from AND e.occurred_at < p_to
            AND e.voided_at IS NULL;
      END
      $fn$`,
    `REVOKE EXECUTE ON FUNCTION billable_usage(uuid[], text, timestamptz, timestamptz) FROM PUBLIC`,
    `GRANT EXECUTE ON FUNCTION billable_usage(uuid[], text, timestamptz, timestamptz) TO ${Roles.worker}`
  ]
}
