/**
 * Which database login a deployed service may run as. Row-level security binds neither a
 * superuser nor a BYPASSRLS role, and the schema's owner can switch it off (`ALTER TABLE … DISABLE
 * ROW LEVEL SECURITY`): a service logged in as any of them is one bug away from serving every
 * tenant's rows. The API must log in as `securebase_app`, the jobs as `securebase_worker`.
 *
 * `refuseUnsafeLogin` asks `pg_roles` about `current_user` at start and fails with
 * {@link UnsafeDatabaseLogin} naming every reason. The composition calls it outside the dev profile
 * (dev on a local superuser, and the embedded PGlite whose one session is its superuser, stay
 * allowed: `PgTenancy` still drops to the application role in each transaction).
 */
import { Effect, Layer, Schema } from "effect"
import { SqlClient } from "effect/sql"
import type { SqlError } from "effect/sql/SqlError"
import * as Roles from "./Roles.ts"

/** The service's database login could bypass row-level security. */
export class UnsafeDatabaseLogin extends Schema.TaggedError<UnsafeDatabaseLogin>()("UnsafeDatabaseLogin", {
  role: Schema.String,
  reasons: Schema.Array(Schema.String)
}) {
  /** Stable error code. */
  readonly code = "DATABASE.UNSAFE_LOGIN"

  override get message(): string {
    return (
      `refusing to run as database login "${this.role}": ${this.reasons.join("; ")}. ` +
      `Log in as ${Roles.app} (the API) or ${Roles.worker} (the jobs).`
    )
  }
}

const LoginRow = Schema.Struct({
  role: Schema.String,
  superuser: Schema.Boolean,
  bypassrls: Schema.Boolean,
  owner: Schema.Boolean
})

/** What `pg_roles` says about the current login. */
export const describeLogin: Effect.Effect<
  typeof LoginRow.Type,
  SqlError | Schema.SchemaError,
  SqlClient.SqlClient
> = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const rows = yield* sql`
    SELECT r.rolname AS role, r.rolsuper AS superuser, r.rolbypassrls AS bypassrls,
      CASE WHEN EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = ${Roles.owner})
        THEN pg_catalog.pg_has_role(current_user, ${Roles.owner}, 'USAGE') ELSE false END AS owner
    FROM pg_catalog.pg_roles r WHERE r.rolname = current_user`
  return yield* Schema.decodeUnknownEffect(LoginRow)(rows[0])
})

/** Fails unless the current login is neither superuser, BYPASSRLS, nor (a member of) the schema's owner. */
export const refuseUnsafeLogin: Effect.Effect<void, UnsafeDatabaseLogin | SqlError, SqlClient.SqlClient> =
  Effect.gen(function* () {
    const login = yield* describeLogin.pipe(
      // An unreadable pg_roles row is a broken server, not a login to trust.
      Effect.catchTag("SchemaError", Effect.die)
    )
    const reasons: Array<string> = []
    if (login.superuser) reasons.push("it is a superuser")
    if (login.bypassrls) reasons.push("it has BYPASSRLS")
    if (login.owner && !login.superuser) reasons.push(`it owns the schema (${Roles.owner})`)
    if (reasons.length > 0) return yield* new UnsafeDatabaseLogin({ role: login.role, reasons })
  }).pipe(Effect.withSpan("PgLoginCheck.refuseUnsafeLogin"))

/** {@link refuseUnsafeLogin} as a startup step. */
export const layer: Layer.Layer<never, UnsafeDatabaseLogin | SqlError, SqlClient.SqlClient> =
  Layer.effectDiscard(refuseUnsafeLogin)
