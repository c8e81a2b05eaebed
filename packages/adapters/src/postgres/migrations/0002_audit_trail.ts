/**
 * The tamper-evident audit trail.
 *
 * Hashing happens in the database, in a BEFORE INSERT trigger, not in the application: every
 * writer (the app, the worker, a psql session, a future service in another language) produces the
 * same chain without sharing code, a caller cannot choose its own `seq`, `prev_hash` or `hash`,
 * and `sha256()` is built into PostgreSQL 11+ (and PGlite). Verification is a SQL function over the
 * same canonical encoding, so the encoding exists in exactly one place.
 *
 * Canonical encoding (version 1): the UTF-8 text of the jsonb array
 *   [1, customer_id, seq, action, actor, subject_type, subject_id, payload, occurred_at, prev_hash_hex]
 * where occurred_at is written in UTC with microseconds. jsonb's text form is deterministic (keys
 * sorted, whitespace normalised), so equal content always encodes to equal bytes.
 *
 * Append-only: the app and worker roles are granted only SELECT and INSERT (no UPDATE, DELETE or
 * TRUNCATE), and triggers refuse UPDATE, DELETE and TRUNCATE for everyone, the owner included.
 * A superuser can still disable triggers; the chain is what catches that.
 */
import { type Migration, stmt } from "./Migration.ts"

export const migration: Migration = {
  id: 2,
  name: "audit_trail",
  statements: [
    stmt`CREATE TABLE audit_events (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      customer_id uuid NOT NULL REFERENCES customers (id),
      seq bigint NOT NULL CHECK (seq >= 1),
      action text NOT NULL CHECK (action ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$'),
      actor text NOT NULL CHECK (length(actor) BETWEEN 1 AND 200),
      subject_type text,
      subject_id text,
      payload jsonb NOT NULL DEFAULT '{}'::jsonb,
      occurred_at timestamptz NOT NULL,
      recorded_at timestamptz NOT NULL DEFAULT now(),
      prev_hash bytea NOT NULL CHECK (length(prev_hash) = 32),
      hash bytea NOT NULL CHECK (length(hash) = 32),
      UNIQUE (customer_id, seq)
    )`,

    stmt`CREATE FUNCTION audit_event_hash(
        p_customer_id uuid, p_seq bigint, p_action text, p_actor text, p_subject_type text,
        p_subject_id text, p_payload jsonb, p_occurred_at timestamptz, p_prev_hash bytea
      ) RETURNS bytea
      LANGUAGE sql STABLE
      SET search_path = pg_catalog
      AS $fn$
        SELECT sha256(convert_to(jsonb_build_array(
          1, p_customer_id::text, p_seq, p_action, p_actor, p_subject_type, p_subject_id, p_payload,
          to_char(p_occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
          encode(p_prev_hash, 'hex')
        )::text, 'UTF8'))
      $fn$`,

    // SECURITY INVOKER on purpose: the previous event is read under the caller's row-level
    // security, which shows a tenant its own chain and the worker every chain. The advisory lock
    // serialises appends per customer; under READ COMMITTED the SELECT after it sees the latest
    // committed head, and UNIQUE (customer_id, seq) refuses a fork under any isolation level.
    stmt`CREATE FUNCTION audit_events_chain() RETURNS trigger
      LANGUAGE plpgsql
      SET search_path = public, pg_catalog
      AS $fn$
      DECLARE
        head record;
      BEGIN
        PERFORM pg_advisory_xact_lock(hashtextextended('securebase.audit:' || NEW.customer_id::text, 0));
        SELECT e.seq, e.hash INTO head FROM audit_events e
          WHERE e.customer_id = NEW.customer_id ORDER BY e.seq DESC LIMIT 1;
        IF FOUND THEN
          NEW.seq := head.seq + 1;
          NEW.prev_hash := head.hash;
        ELSE
          NEW.seq := 1;
          NEW.prev_hash := decode(repeat('00', 32), 'hex');
        END IF;
        NEW.hash := audit_event_hash(NEW.customer_id, NEW.seq, NEW.action, NEW.actor, NEW.subject_type,
          NEW.subject_id, NEW.payload, NEW.occurred_at, NEW.prev_hash);
        RETURN NEW;
      END
      $fn$`,
    stmt`CREATE TRIGGER audit_events_chain BEFORE INSERT ON audit_events
      FOR EACH ROW EXECUTE FUNCTION audit_events_chain()`,

    stmt`CREATE FUNCTION audit_events_refuse_change() RETURNS trigger
      LANGUAGE plpgsql
      AS $fn$
      BEGIN
        RAISE EXCEPTION 'audit_events is append-only (% refused)', TG_OP
          USING ERRCODE = 'insufficient_privilege';
      END
      $fn$`,
    stmt`CREATE TRIGGER audit_events_no_update_delete BEFORE UPDATE OR DELETE ON audit_events
      FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change()`,
    stmt`CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
      FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse_change()`,

    // Reports the first event, in chain order, whose link does not hold. Checks, per event: its
    // content hashes to its stored hash (else it was edited); it points at the previous event's
    // hash (else an event before it was removed, replaced or re-hashed); its position follows the
    // previous one (else events were removed or inserted). Runs under the caller's row-level
    // security, so a tenant can verify only its own chain.
    stmt`CREATE FUNCTION audit_verify_chain(p_customer_id uuid)
      RETURNS TABLE (events bigint, broken_seq bigint, broken_id uuid, reason text)
      LANGUAGE plpgsql STABLE
      SET search_path = public, pg_catalog
      AS $fn$
      DECLARE
        e record;
        expected_prev bytea := decode(repeat('00', 32), 'hex');
        expected_seq bigint := 1;
        n bigint := 0;
      BEGIN
        FOR e IN SELECT * FROM audit_events a WHERE a.customer_id = p_customer_id ORDER BY a.seq, a.id LOOP
          IF e.hash IS DISTINCT FROM audit_event_hash(e.customer_id, e.seq, e.action, e.actor, e.subject_type,
              e.subject_id, e.payload, e.occurred_at, e.prev_hash) THEN
            RETURN QUERY SELECT n, e.seq, e.id, 'hash-mismatch'::text;
            RETURN;
          END IF;
          IF e.prev_hash IS DISTINCT FROM expected_prev THEN
            RETURN QUERY SELECT n, e.seq, e.id, 'prev-hash-mismatch'::text;
            RETURN;
          END IF;
          IF e.seq <> expected_seq THEN
            RETURN QUERY SELECT n, e.seq, e.id, 'sequence-gap'::text;
            RETURN;
          END IF;
          n := n + 1;
          expected_prev := e.hash;
          expected_seq := e.seq + 1;
        END LOOP;
        RETURN QUERY SELECT n, NULL::bigint, NULL::uuid, NULL::text;
      END
      $fn$`,
    stmt`CREATE INDEX audit_events_customer_occurred_idx ON audit_events (customer_id, occurred_at)`
  ]
}
