/**
 * Revocation, with PostgreSQL as the authority.
 *
 * - `revoked_sessions`: the durable deny list of single sessions (logout). A row lives until the
 *   session's own expiry; after that the token is dead anyway, so expired rows are pruned (the
 *   application deletes a customer's expired rows whenever it adds one). Row-level security per
 *   tenant, and the application role may read and insert but delete only EXPIRED rows and never
 *   update: a revocation cannot be undone while it matters.
 * - `app_enter_tenant(customer, key, session, now)`: what `PgTenancy.runAs` calls as the first
 *   statement of a request's transaction when the request carries a credential. It sets the role
 *   and the tenant (as the plain `set_config` statement does) and then, under row-level security
 *   as the application role, answers whether the credential may still act: the key exists for
 *   this customer and is neither revoked nor (for an API key) expired, the session is not on the
 *   deny list, and the customer is active. One round trip, in the transaction that does the work,
 *   so no cache in any instance can keep a revoked credential alive. PL/pgSQL, so the role is
 *   switched before its queries are planned and row-level security applies to them.
 * - Triggers publish every change that must evict cached credentials on the channel
 *   `securebase_revocations` (delivered at commit, never for a rolled-back change): a key revoked,
 *   expired, re-scoped or deleted; a customer's status or tier changed, or the customer deleted;
 *   a session revoked. A change made in plain SQL by an operator notifies exactly like the API's.
 */
import * as Roles from "../Roles.ts"
import { type Migration, stmt } from "./Migration.ts"

const tenant = "customer_id = (SELECT app_current_customer_id())"

export const migration: Migration = {
  id: 8,
  name: "revocation",
  statements: [
    stmt`CREATE TABLE revoked_sessions (
      customer_id uuid NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
      session_id text NOT NULL CHECK (session_id ~ '^[A-Za-z0-9_-]{16,64}$'),
      key_id text CHECK (key_id ~ '^[a-z2-7]{16}$'),
      revoked_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      PRIMARY KEY (customer_id, session_id)
    )`,
    stmt`ALTER TABLE revoked_sessions ENABLE ROW LEVEL SECURITY`,
    stmt`ALTER TABLE revoked_sessions FORCE ROW LEVEL SECURITY`,
    `CREATE POLICY tenant_read ON revoked_sessions FOR SELECT USING (${tenant})`,
    `CREATE POLICY tenant_insert ON revoked_sessions FOR INSERT WITH CHECK (${tenant})`,
    `CREATE POLICY tenant_prune ON revoked_sessions FOR DELETE USING (${tenant} AND expires_at < now())`,
    `GRANT SELECT, INSERT, DELETE ON revoked_sessions TO ${Roles.app}`,

    stmt`CREATE FUNCTION app_enter_tenant(p_customer uuid, p_key_id text, p_session_id text, p_now timestamptz)
      RETURNS text
      LANGUAGE plpgsql VOLATILE
      AS $fn$
      DECLARE
        v_revoked_at timestamptz;
        v_expires_at timestamptz;
      BEGIN
        PERFORM set_config('role', '${Roles.app}', true);
        PERFORM set_config('app.customer_id', p_customer::text, true);
        IF p_key_id IS NOT NULL THEN
          SELECT revoked_at, expires_at INTO v_revoked_at, v_expires_at
            FROM api_keys WHERE id = p_key_id AND customer_id = p_customer;
          IF NOT FOUND OR v_revoked_at IS NOT NULL THEN
            RETURN CASE WHEN p_session_id IS NULL THEN 'key_revoked' ELSE 'session_revoked' END;
          END IF;
          IF p_session_id IS NULL AND v_expires_at IS NOT NULL AND v_expires_at <= p_now THEN
            RETURN 'key_expired';
          END IF;
        END IF;
        IF p_session_id IS NOT NULL AND EXISTS (
          SELECT 1 FROM revoked_sessions WHERE customer_id = p_customer AND session_id = p_session_id
        ) THEN
          RETURN 'session_revoked';
        END IF;
        IF NOT EXISTS (SELECT 1 FROM customers WHERE id = p_customer AND status = 'active') THEN
          RETURN 'customer_inactive';
        END IF;
        RETURN 'ok';
      END
      $fn$`,
    `REVOKE EXECUTE ON FUNCTION app_enter_tenant(uuid, text, text, timestamptz) FROM PUBLIC`,
    `GRANT EXECUTE ON FUNCTION app_enter_tenant(uuid, text, text, timestamptz) TO ${Roles.app}`,

    stmt`CREATE FUNCTION app_notify_key_change() RETURNS trigger
      LANGUAGE plpgsql
      AS $fn$
      DECLARE
        v_row api_keys;
      BEGIN
        v_row := CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
        PERFORM pg_notify('securebase_revocations', json_build_object(
          'kind', 'key',
          'keyId', v_row.id,
          'customerId', v_row.customer_id,
          'revokedAt', CASE WHEN TG_OP = 'DELETE' THEN coalesce(v_row.revoked_at, now()) ELSE v_row.revoked_at END
        )::text);
        RETURN NULL;
      END
      $fn$`,
    stmt`CREATE TRIGGER api_keys_notify_change AFTER UPDATE ON api_keys
      FOR EACH ROW WHEN (
        OLD.revoked_at IS DISTINCT FROM NEW.revoked_at OR OLD.expires_at IS DISTINCT FROM NEW.expires_at
        OR OLD.scopes IS DISTINCT FROM NEW.scopes OR OLD.mode IS DISTINCT FROM NEW.mode
        OR OLD.secret_hash IS DISTINCT FROM NEW.secret_hash OR OLD.customer_id IS DISTINCT FROM NEW.customer_id
      )
      EXECUTE FUNCTION app_notify_key_change()`,
    stmt`CREATE TRIGGER api_keys_notify_delete AFTER DELETE ON api_keys
      FOR EACH ROW EXECUTE FUNCTION app_notify_key_change()`,

    stmt`CREATE FUNCTION app_notify_customer_change() RETURNS trigger
      LANGUAGE plpgsql
      AS $fn$
      BEGIN
        PERFORM pg_notify('securebase_revocations', json_build_object(
          'kind', 'customer',
          'customerId', CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END
        )::text);
        RETURN NULL;
      END
      $fn$`,
    stmt`CREATE TRIGGER customers_notify_change AFTER UPDATE ON customers
      FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.tier IS DISTINCT FROM NEW.tier)
      EXECUTE FUNCTION app_notify_customer_change()`,
    stmt`CREATE TRIGGER customers_notify_delete AFTER DELETE ON customers
      FOR EACH ROW EXECUTE FUNCTION app_notify_customer_change()`,

    stmt`CREATE FUNCTION app_notify_session_revoked() RETURNS trigger
      LANGUAGE plpgsql
      AS $fn$
      BEGIN
        PERFORM pg_notify('securebase_revocations', json_build_object(
          'kind', 'session',
          'sessionId', NEW.session_id,
          'customerId', NEW.customer_id,
          'keyId', NEW.key_id,
          'expiresAt', NEW.expires_at
        )::text);
        RETURN NULL;
      END
      $fn$`,
    stmt`CREATE TRIGGER revoked_sessions_notify AFTER INSERT ON revoked_sessions
      FOR EACH ROW EXECUTE FUNCTION app_notify_session_revoked()`
  ]
}
