/**
 * The three database roles and their one-time, cluster-level bootstrap.
 *
 * - `securebase_owner` owns every table, type and function; migrations run as it (the migrator
 *   `SET LOCAL ROLE`s to it). It is not a superuser and not BYPASSRLS, and every tenant table is
 *   `FORCE ROW LEVEL SECURITY`, so even a connection made as the owner sees only its tenant.
 * - `securebase_app` serves requests: neither owner, superuser nor BYPASSRLS. It reaches tenant rows
 *   only through the policies on `app.customer_id`, which `PgTenancy.runAs` sets per transaction.
 * - `securebase_worker` runs the cross-tenant billing run and the outbox sender. It is not
 *   BYPASSRLS either: it has its own explicit `TO securebase_worker` policies, on the few tables it
 *   needs, and only the grants it needs there (no API keys, no tickets; audit is insert + select).
 *
 * Roles are cluster-wide, so the bootstrap is idempotent and safe to run from several processes at
 * once (parallel test files do exactly that): a concurrent `CREATE ROLE` that loses the race is
 * swallowed. Passwords are not set here: set them out of band (or use IAM auth) in production.
 */
import { Effect } from "effect"
import { SqlClient } from "effect/sql"
import type { SqlError } from "effect/sql/SqlError"

/** The role that owns the schema and runs migrations. */
export const owner = "securebase_owner"
/** The request-serving role; row-level security applies to it. */
export const app = "securebase_app"
/** The billing worker's role; cross-tenant through explicit policies only. */
export const worker = "securebase_worker"

// An arbitrary constant shared by every bootstrap of this schema.
const bootstrapLockKey = 7_302_114_570

const createRole = (name: string) => `
DO $do$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = '${name}') THEN
    CREATE ROLE ${name} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOREPLICATION;
  END IF;
EXCEPTION
  -- Another session created it between our check and our CREATE: that is the outcome we wanted.
  WHEN duplicate_object OR unique_violation THEN NULL;
END
$do$`

/**
 * Creates the roles if missing and lets the owner create objects in schema `public`
 * (PostgreSQL 15 no longer grants that to everyone). Needs a superuser or a CREATEROLE role;
 * run it once per cluster and database, before {@link ../Migrator.ts}.
 */
export const bootstrap: Effect.Effect<void, SqlError, SqlClient.SqlClient> = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  // Concurrent GRANTs on the same schema fail with "tuple concurrently updated"; a transaction
  // advisory lock (per database) queues bootstraps of one database behind each other.
  yield* sql.withTransaction(
    Effect.gen(function* () {
      yield* sql`SELECT pg_advisory_xact_lock(${bootstrapLockKey})`
      for (const role of [owner, app, worker]) yield* sql.unsafe(createRole(role))
      yield* sql.unsafe(`GRANT USAGE, CREATE ON SCHEMA public TO ${owner}`)
    })
  )
}).pipe(Effect.withSpan("Roles.bootstrap"))
