/**
 * Performance of `GET /invoices` (issue 16): the page of a request in ONE round trip.
 *
 * An authenticated read was four statements, each a socket write and a round trip from the app:
 * BEGIN, `app_enter_tenant`, the page, COMMIT. The app's CPU went mostly into those writes.
 *
 * - `app_invoice_page_rows(customer, status, period, after_period, after_id, limit)`: the keyset
 *   page itself (newest period first, then by id), read under the caller's row-level security.
 *   Each filter is a bound of the index scan, not an `IS NULL OR` filter a cached generic plan
 *   could not use: the period filter and the cursor bound `period` from above (and the filter from
 *   below), and a status filter uses the status index in a branch of its own. `InvoiceRepo.listPage`
 *   calls it inside a tenant transaction; the function below calls it after entering the tenant.
 * - `app_invoice_page(customer, key, session, now, actor, …filters, limit)`: what an authenticated
 *   request runs as a statement of its own, outside any explicit transaction. Statement by statement,
 *   in the implicit transaction of that one statement, it sets `app.actor`, calls
 *   `app_enter_tenant` (migration 0008: the role, the tenant and the credential check, exactly as
 *   `PgTenancy.runAs` opens a transaction) and only when that answers `ok` reads the page, so the
 *   tenant context is set before any row-level-security read and no refused credential reads a
 *   row. Every row carries the verdict; a refusal is one row with the verdict and no invoice. The
 *   settings are transaction-local (`set_config(…, true)`), so they end with the statement and a
 *   pooled connection carries nothing to its next use. PL/pgSQL, so the page query is planned
 *   after the role switch (row-level security applies; PostgreSQL re-plans a cached plan for
 *   another role). VOLATILE: it sets configuration.
 */
import * as Roles from "../Roles.ts"
import { type Migration, stmt } from "./Migration.ts"

const columns = `id text, number text, period text, status text, currency text, total text,
        issued_at timestamptz, due_at timestamptz`

const rowsSignature = "uuid, text, text, text, uuid, integer"
const pageSignature = "uuid, text, text, timestamptz, text, text, text, text, uuid, integer"

export const migration: Migration = {
  id: 23,
  name: "invoice_page",
  statements: [
    stmt`CREATE FUNCTION app_invoice_page_rows(p_customer uuid, p_status text, p_period text,
        p_after_period text, p_after_id uuid, p_limit integer)
      RETURNS TABLE (${columns})
      LANGUAGE plpgsql STABLE
      SET search_path = public, pg_catalog
      AS $fn$
      #variable_conflict use_column
      DECLARE
        v_upper text := least(coalesce(p_period, '9999-12'), coalesce(p_after_period, '9999-12'));
        v_lower text := coalesce(p_period, '0000-00');
      BEGIN
        IF p_status IS NULL THEN
          RETURN QUERY SELECT i.id::text, i.number, i.period, i.status::text, i.currency, i.total::text,
              i.issued_at, i.due_at
            FROM invoices i
            WHERE i.customer_id = p_customer AND i.period <= v_upper AND i.period >= v_lower
              AND (p_after_period IS NULL OR i.period < p_after_period OR i.id > p_after_id)
            ORDER BY i.period DESC, i.id LIMIT p_limit;
        ELSE
          RETURN QUERY SELECT i.id::text, i.number, i.period, i.status::text, i.currency, i.total::text,
              i.issued_at, i.due_at
            FROM invoices i
            WHERE i.customer_id = p_customer AND i.status = p_status::invoice_status
              AND i.period <= v_upper AND i.period >= v_lower
              AND (p_after_period IS NULL OR i.period < p_after_period OR i.id > p_after_id)
            ORDER BY i.period DESC, i.id LIMIT p_limit;
        END IF;
      END
      $fn$`,
    `REVOKE EXECUTE ON FUNCTION app_invoice_page_rows(${rowsSignature}) FROM PUBLIC`,
    `GRANT EXECUTE ON FUNCTION app_invoice_page_rows(${rowsSignature}) TO ${Roles.app}`,

    stmt`CREATE FUNCTION app_invoice_page(p_customer uuid, p_key_id text, p_session_id text,
        p_now timestamptz, p_actor text, p_status text, p_period text, p_after_period text,
        p_after_id uuid, p_limit integer)
      RETURNS TABLE (verdict text, ${columns})
      LANGUAGE plpgsql VOLATILE
      SET search_path = public, pg_catalog
      AS $fn$
      DECLARE
        v_verdict text;
      BEGIN
        PERFORM set_config('app.actor', p_actor, true);
        v_verdict := app_enter_tenant(p_customer, p_key_id, p_session_id, p_now);
        IF v_verdict <> 'ok' THEN
          RETURN QUERY SELECT v_verdict, NULL::text, NULL::text, NULL::text, NULL::text, NULL::text,
            NULL::text, NULL::timestamptz, NULL::timestamptz;
          RETURN;
        END IF;
        RETURN QUERY SELECT 'ok'::text, r.* FROM app_invoice_page_rows(p_customer, p_status, p_period,
          p_after_period, p_after_id, p_limit) r;
      END
      $fn$`,
    `REVOKE EXECUTE ON FUNCTION app_invoice_page(${pageSignature}) FROM PUBLIC`,
    `GRANT EXECUTE ON FUNCTION app_invoice_page(${pageSignature}) TO ${Roles.app}`
  ]
}
