/**
 * Voiding a usage event (the operator's repair tool).
 *
 * - `usage_events` gains `voided_at`, `voided_by`, `void_reason`: all three set or none. An event is
 *   born unvoided (a trigger refuses an INSERT that sets them), and only `usage_event_void()` sets
 *   them: the application role keeps SELECT and INSERT on the table, never UPDATE.
 * - `usage_event_void(event_id, reason, actor)` is SECURITY DEFINER with that narrow signature and
 *   executable by the application role only. It works inside the caller's tenant context (the
 *   owner is bound by the same FORCE ROW LEVEL SECURITY policy, so it sees only that tenant's
 *   events), voids one event with the transaction's time, and appends `usage_event.voided` to the
 *   tenant's audit chain in the same transaction: a void cannot happen unaudited. It answers an
 *   outcome instead of raising for what a caller can expect (unknown, already voided, period
 *   already invoiced).
 * - A void takes the SHARED advisory lock of the customer's usage for the event's month
 *   (`usage_period_lock_key`, migration 0007), as an insert does, before it looks for an invoice;
 *   the billing of that customer holds the same lock EXCLUSIVELY from before it reads the usage
 *   until its invoice commits. So a void never lands in a month whose invoice is being issued from
 *   the events it read: either the billing transaction commits first and the void sees the invoice
 *   and is refused, or the void commits first and the billing run reads the event as voided.
 */
import * as Roles from "../Roles.ts"
import { type Migration, stmt } from "./Migration.ts"

export const migration: Migration = {
  id: 9,
  name: "usage_void",
  statements: [
    stmt`ALTER TABLE usage_events
      ADD COLUMN voided_at timestamptz,
      ADD COLUMN voided_by text CHECK (length(voided_by) BETWEEN 1 AND 200),
      ADD COLUMN void_reason text CHECK (length(void_reason) BETWEEN 1 AND 500),
      ADD CONSTRAINT usage_events_void_all_or_none
        CHECK ((voided_at IS NULL) = (voided_by IS NULL) AND (voided_at IS NULL) = (void_reason IS NULL))`,

    stmt`CREATE FUNCTION usage_events_born_unvoided() RETURNS trigger
      LANGUAGE plpgsql
      AS $fn$
      BEGIN
        IF NEW.voided_at IS NOT NULL OR NEW.voided_by IS NOT NULL OR NEW.void_reason IS NOT NULL THEN
          RAISE EXCEPTION 'a usage event is recorded unvoided; void it with usage_event_void()'
            USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
      END
      $fn$`,
    stmt`CREATE TRIGGER usage_events_born_unvoided BEFORE INSERT ON usage_events
      FOR EACH ROW EXECUTE FUNCTION usage_events_born_unvoided()`,

    stmt`CREATE FUNCTION usage_event_void(p_event_id text, p_reason text, p_actor text)
      RETURNS TABLE (
        outcome text, period text, metric text, occurred_at timestamptz, quantity text,
        voided_at timestamptz, voided_by text, void_reason text
      )
      LANGUAGE plpgsql
      SECURITY DEFINER
      SET search_path = pg_catalog, public, pg_temp
      AS $fn$
      #variable_conflict use_column
      DECLARE
        v_customer uuid := app_current_customer_id();
        e record;
        v_period text;
      BEGIN
        IF v_customer IS NULL THEN
          RAISE EXCEPTION 'usage_event_void needs a tenant context' USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF p_reason IS NULL OR length(btrim(p_reason)) = 0 OR p_actor IS NULL OR length(p_actor) = 0 THEN
          RAISE EXCEPTION 'usage_event_void needs a reason and an actor' USING ERRCODE = 'invalid_parameter_value';
        END IF;
        SELECT u.* INTO e FROM usage_events u
          WHERE u.customer_id = v_customer AND u.event_id = p_event_id
          FOR UPDATE;
        IF NOT FOUND THEN
          RETURN QUERY SELECT 'not_found'::text, NULL::text, NULL::text, NULL::timestamptz, NULL::text,
            NULL::timestamptz, NULL::text, NULL::text;
          RETURN;
        END IF;
        v_period := usage_period_of(e.occurred_at);
        PERFORM pg_advisory_xact_lock_shared(usage_period_lock_key(v_customer, v_period));
        IF e.voided_at IS NOT NULL THEN
          RETURN QUERY SELECT 'already_voided'::text, v_period, e.metric, e.occurred_at, e.quantity::text,
            e.voided_at, e.voided_by, e.void_reason;
          RETURN;
        END IF;
        IF EXISTS (SELECT 1 FROM invoices i WHERE i.customer_id = v_customer AND i.period = v_period) THEN
          RETURN QUERY SELECT 'period_invoiced'::text, v_period, e.metric, e.occurred_at, e.quantity::text,
            NULL::timestamptz, NULL::text, NULL::text;
          RETURN;
        END IF;
        UPDATE usage_events u SET voided_at = now(), voided_by = p_actor, void_reason = p_reason
          WHERE u.customer_id = v_customer AND u.event_id = p_event_id;
        INSERT INTO audit_events (customer_id, action, actor, subject_type, subject_id, payload, occurred_at)
          VALUES (v_customer, 'usage_event.voided', p_actor, 'usage_event', p_event_id,
            jsonb_build_object('metric', e.metric, 'occurredAt',
              to_char(e.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
              'quantity', e.quantity::text, 'period', v_period, 'reason', p_reason),
            now());
        RETURN QUERY SELECT 'voided'::text, v_period, e.metric, e.occurred_at, e.quantity::text,
          now(), p_actor, p_reason;
      END
      $fn$`,
    `REVOKE EXECUTE ON FUNCTION usage_event_void(text, text, text) FROM PUBLIC`,
    `GRANT EXECUTE ON FUNCTION usage_event_void(text, text, text) TO ${Roles.app}`
  ]
}
