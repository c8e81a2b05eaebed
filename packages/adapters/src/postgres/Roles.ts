/**
 * The database roles and their one-time, cluster-level bootstrap.
 *
 * - `securebase_owner` owns every table, type and function. It is NOLOGIN: nobody connects as
 *   it (an owner session could `DISABLE TRIGGER` the audit trail's guards at will). It is not a
 *   superuser and not BYPASSRLS, and every tenant table is `FORCE ROW LEVEL SECURITY`, so even a
 *   session that switched to it sees only its tenant.
 * - `securebase_migrator` is the login that runs migrations: a member of the owner role with
 *   NOINHERIT, so it holds none of the owner's rights until the migrator `SET LOCAL ROLE`s to it,
 *   transaction by transaction. Use it for `db migrate` and nothing else.
 * - `securebase_app` serves requests: neither owner, superuser nor BYPASSRLS. It reaches tenant rows
 *   only through the policies on `app.customer_id`, which `PgTenancy.runAs` sets per transaction.
 * - `securebase_worker` runs the cross-tenant billing run and the outbox sender. It is not
 *   BYPASSRLS either: it has its own explicit `TO securebase_worker` policies, on the few tables it
 *   needs, and only the grants it needs there (no API keys, no tickets; audit is insert + select,
 *   and only the billing actions: migration 0010).
 *
 * Roles are cluster-wide, so the bootstrap is idempotent and safe to run from several processes at
 * once, in several databases of one cluster (parallel test files do exactly that): each change is
 * made only when it is missing, and a concurrent change that loses the race is swallowed, because
 * the other session made the same one. An owner created LOGIN by an earlier version is altered to
 * NOLOGIN. Passwords are not set here: set them out of band (or use IAM auth) in production.
 */
import { Effect } from "effect"
import { SqlClient } from "effect/sql"
import type { SqlError } from "effect/sql/SqlError"

/** The role that owns the schema. NOLOGIN: migrations reach it through {@link migrator}. */
export const owner = "securebase_owner"
/** The login that runs migrations, switching to {@link owner} inside each migration transaction. */
export const migrator = "securebase_migrator"
/** The request-serving role; row-level security applies to it. */
export const app = "securebase_app"
/** The billing worker's role; cross-tenant through explicit policies only. */
export const worker = "securebase_worker"

// An arbitrary constant shared by every bootstrap of this schema.
const bootstrapLockKey = 7_302_114_570

const createRole = (name: string, attributes: string) => `
DO $do$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = '${name}') THEN
    CREATE ROLE ${name} ${attributes} NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOREPLICATION;
  END IF;
EXCEPTION
  -- Another session created it between our check and our CREATE: that is the outcome we wanted.
  WHEN duplicate_object OR unique_violation THEN NULL;
END
$do$`

// "tuple concurrently updated" (XX000) is what a concurrent ALTER ROLE of the same role raises:
// the other session is making the same change.
const ownerNoLogin = `
DO $do$
BEGIN
  IF EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = '${owner}' AND rolcanlogin) THEN
    ALTER ROLE ${owner} NOLOGIN;
  END IF;
EXCEPTION
  WHEN internal_error THEN NULL;
END
$do$`

const migratorMembership = `
DO $do$
BEGIN
  IF NOT pg_catalog.pg_has_role('${migrator}', '${owner}', 'MEMBER') THEN
    GRANT ${owner} TO ${migrator};
  END IF;
EXCEPTION
  WHEN unique_violation OR internal_error THEN NULL;
END
$do$`

/**
 * Creates the roles if missing, makes the owner NOLOGIN and the migrator its member, and lets the
 * owner create objects in schema `public` (PostgreSQL 15 no longer grants that to everyone).
 * Needs a superuser or a CREATEROLE role; run it once per cluster and database, before
 * {@link ../Migrator.ts}.
 */
export const bootstrap: Effect.Effect<void, SqlError, SqlClient.SqlClient> = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  // Concurrent GRANTs on the same schema fail with "tuple concurrently updated"; a transaction
  // advisory lock (per database) queues bootstraps of one database behind each other.
  yield* sql.withTransaction(
    Effect.gen(function* () {
      yield* sql`SELECT pg_advisory_xact_lock(${bootstrapLockKey})`
      yield* sql.unsafe(createRole(owner, "NOLOGIN"))
      yield* sql.unsafe(createRole(migrator, "LOGIN NOINHERIT"))
      for (const role of [app, worker]) yield* sql.unsafe(createRole(role, "LOGIN"))
      yield* sql.unsafe(ownerNoLogin)
      yield* sql.unsafe(migratorMembership)
      yield* sql.unsafe(`GRANT USAGE, CREATE ON SCHEMA public TO ${owner}`)
    })
  )
}).pipe(Effect.withSpan("Roles.bootstrap"))
