/**
 * Authentication happens before the tenant is known: a request presents `sb_live_<keyId>_<secret>`
 * and the key must be found by its id alone. Rather than a cross-tenant role, a second, narrower
 * context: a transaction that sets `app.api_key_id` may read, and record the use of, exactly that
 * one key, never list keys. Without either setting, `api_keys` still reads empty.
 *
 * (The app role can set any setting it likes; like the tenant policy, this guards against a
 * query that forgets its WHERE clause, not against hostile application code.)
 */
import { type Migration, stmt } from "./Migration.ts"

export const migration: Migration = {
  id: 5,
  name: "api_key_lookup",
  statements: [
    stmt`CREATE FUNCTION app_current_api_key_id() RETURNS text
      LANGUAGE sql STABLE
      AS $fn$ SELECT nullif(current_setting('app.api_key_id', true), '') $fn$`,
    stmt`CREATE POLICY api_key_lookup ON api_keys FOR SELECT
      USING (id = (SELECT app_current_api_key_id()))`,
    stmt`CREATE POLICY api_key_touch ON api_keys FOR UPDATE
      USING (id = (SELECT app_current_api_key_id()))
      WITH CHECK (id = (SELECT app_current_api_key_id()))`
  ]
}
