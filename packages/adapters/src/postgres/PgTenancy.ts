/**
 * The `Tenancy` port on PostgreSQL: the ONE place where the tenant context is set.
 *
 * `runAs(customer, effect)` runs `effect` inside one transaction whose first statement sets both
 * the role and the tenant, transaction-locally:
 *
 *   SELECT set_config('role', 'securebase_app', true), set_config('app.customer_id', $1, true)
 *
 * `set_config('role', …, true)` is `SET LOCAL ROLE` (which cannot take a bind parameter, nor share
 * a statement): on a privileged connection (PGlite's superuser, a migration or admin login) it
 * drops to the application role so row-level security applies; on a connection already made as
 * the application role it is a no-op. Both settings end with the transaction, commit or rollback,
 * so nothing leaks to the next transaction on the same pooled connection.
 *
 * When the fiber's `Tenancy.CurrentPrincipal` carries a credential (set by the authentication
 * middleware: a key id, a session id), that first statement is instead
 *
 *   SELECT app_enter_tenant($customer, $keyId, $sessionId, $now)
 *
 * (migration 0008), which sets the same two settings and answers, in the same round trip and
 * under row-level security, whether the credential may still act: key not revoked (nor, for an
 * API key, expired) and the customer's own, session not on the deny list, customer active. If not,
 * the transaction runs nothing and `runAs` fails with `KeyRevoked`, `KeyExpired`,
 * `SessionRevoked` or `CustomerInactive`. PostgreSQL is the authority: a revocation committed by
 * any instance is seen by the next transaction of every instance, whatever its caches hold.
 *
 * `runAsWorker(effect)` is the same with the worker role and no tenant.
 *
 * `readAs(customer, read)` is the entry of a read that is ONE statement (`GET /invoices`): a SQL
 * function sets the actor and calls `app_enter_tenant` itself, then reads, in the implicit
 * transaction of that statement, so a request costs one round trip instead of four (BEGIN, the
 * entry, the read, COMMIT). The same settings, transaction-local, the same check, the same refusals.
 *
 * The same statement sets `app.actor` from the fiber's `Tenancy.CurrentPrincipal` (the
 * authentication middleware's, a CLI's or a worker's): the audit trail's trigger records it as the
 * actor of every event the transaction appends, with the role and the time, so an INSERT cannot
 * choose them (migration 0010). A worker transaction acts as the fiber's principal when that is a
 * `worker:…` one, and as `worker:billing` otherwise.
 */
import { AuthError, type Ids, type PersistenceError, Tenancy } from "@securebase/core"
import { Context, DateTime, Effect, Layer } from "effect"
import { SqlClient } from "effect/sql"
import type { SqlError } from "effect/sql/SqlError"
import * as Roles from "./Roles.ts"
import { failure } from "./SqlErrors.ts"

/** Which context the current fiber's transaction carries, so nested calls can join or refuse. */
const ActiveContext = Context.Reference<
  { readonly _tag: "none" } | { readonly _tag: "tenant"; readonly id: string } | { readonly _tag: "worker" }
>("@securebase/adapters/postgres/PgTenancy/ActiveContext", { defaultValue: () => ({ _tag: "none" }) })

// Failures of the caller's effect travel through `withTransaction` wrapped, so that only the
// transaction's own SqlErrors (BEGIN, setting the context, COMMIT) become PersistenceFailure and a
// caller's error, even a SqlError, comes out exactly as it went in.
class Inner<E> {
  readonly error: E
  constructor(error: E) {
    this.error = error
  }
}

const inTransaction = <A, E, R>(
  sql: SqlClient.SqlClient,
  setContext: Effect.Effect<AuthError.CredentialRefused | undefined, SqlError>,
  effect: Effect.Effect<A, E, R>,
  operation: string
): Effect.Effect<A, E | PersistenceError.PersistenceFailure | AuthError.CredentialRefused, R> =>
  sql
    .withTransaction(
      Effect.flatMap(
        setContext,
        (refused): Effect.Effect<A, Inner<E> | Inner<AuthError.CredentialRefused>, R> =>
          refused === undefined
            ? Effect.mapError(effect, (error) => new Inner(error))
            : Effect.fail(new Inner(refused))
      )
    )
    .pipe(
      Effect.mapError((error): E | PersistenceError.PersistenceFailure | AuthError.CredentialRefused =>
        error instanceof Inner
          ? (error.error as E | AuthError.CredentialRefused)
          : failure(operation, error as SqlError)
      )
    )

/** The principal's credential, when it carries one the database can check. */
const credentialOf = (principal: Tenancy.Principal | undefined) =>
  principal === undefined || (principal.keyId === undefined && principal.sessionId === undefined)
    ? undefined
    : { keyId: principal.keyId ?? null, sessionId: principal.sessionId ?? null }

/** The typed refusal for a verdict of `app_enter_tenant`; `undefined` for "ok". */
const refusal = (
  verdict: string,
  customerId: Ids.CustomerId,
  credential: { readonly keyId: string | null; readonly sessionId: string | null }
): Effect.Effect<AuthError.CredentialRefused | undefined> => {
  switch (verdict) {
    case "ok":
      return Effect.succeed(undefined)
    case "key_revoked":
      return Effect.succeed(AuthError.failed(new AuthError.KeyRevoked({ keyId: credential.keyId ?? "" })))
    case "key_expired":
      return Effect.succeed(AuthError.failed(new AuthError.KeyExpired({ keyId: credential.keyId ?? "" })))
    case "session_revoked":
      return Effect.succeed(
        AuthError.failed(new AuthError.SessionRevoked({ sessionId: credential.sessionId ?? "" }))
      )
    case "customer_inactive":
      return Effect.succeed(AuthError.failed(new AuthError.CustomerInactive({ customerId })))
    default:
      return Effect.die(new Error(`app_enter_tenant answered an unknown verdict: ${verdict}`))
  }
}

/** What a tenant read passes to its SQL function so that it enters the tenant as `runAs` does. */
export interface Entry {
  readonly customerId: Ids.CustomerId
  readonly keyId: string | null
  readonly sessionId: string | null
  /** ISO 8601, for `::timestamptz`. */
  readonly now: string
  readonly actor: string
}

/**
 * A tenant read in ONE statement and round trip, outside any explicit transaction: `read` gets
 * the {@link Entry} of the fiber's principal and runs a SQL function that sets `app.actor`, calls
 * `app_enter_tenant` and only when that answers `ok` reads (migration 0023's `app_invoice_page`).
 * Its rows carry the `verdict`; a refusal fails with the same `CredentialRefused` errors as
 * `runAs`. A principal without a credential is still checked for an active customer. Inside a
 * tenant or worker transaction it dies: that transaction already carries a context.
 */
export const readAs = <Row extends { readonly verdict: string }, E, R>(
  customerId: Ids.CustomerId,
  read: (entry: Entry) => Effect.Effect<ReadonlyArray<Row>, E, R>
): Effect.Effect<ReadonlyArray<Row>, E | AuthError.CredentialRefused, R> =>
  Effect.gen(function* () {
    const active = yield* ActiveContext
    if (active._tag !== "none") {
      return yield* Effect.die(new Error(`Tenancy.readAs(${customerId}) inside a transaction`))
    }
    const principal = yield* Tenancy.CurrentPrincipal
    const credential = { keyId: principal?.keyId ?? null, sessionId: principal?.sessionId ?? null }
    const now = DateTime.formatIso(yield* DateTime.now)
    const rows = yield* read({ customerId, ...credential, now, actor: principal?.actor ?? "" })
    // A refusal is one row; an accepted read with an empty page has none.
    const refused = rows.length === 0 ? undefined : yield* refusal(rows[0]!.verdict, customerId, credential)
    return refused === undefined ? rows : yield* Effect.fail(refused)
  }).pipe(Effect.withSpan("Tenancy.readAs", { attributes: { customerId } }))

/** Builds the service over the current `SqlClient`. */
export const make = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient

  const runAs = <A, E, R>(customerId: Ids.CustomerId, effect: Effect.Effect<A, E, R>) =>
    Effect.gen(function* () {
      const active = yield* ActiveContext
      const scoped = Effect.provideService(effect, Tenancy.CurrentCustomer, customerId)
      if (active._tag === "tenant" && active.id === customerId) return yield* scoped
      if (active._tag !== "none") {
        return yield* Effect.die(new Error(`Tenancy.runAs(${customerId}) nested inside another context`))
      }
      const principal = yield* Tenancy.CurrentPrincipal
      const actor = principal?.actor ?? ""
      const credential = credentialOf(principal)
      const setContext =
        credential === undefined
          ? Effect.as(
              sql`SELECT set_config('role', ${Roles.app}, true), set_config('app.customer_id', ${customerId}, true),
                         set_config('app.actor', ${actor}, true)`,
              undefined
            )
          : Effect.flatMap(DateTime.now, (now) =>
              Effect.flatMap(
                sql<{
                  verdict: string
                }>`SELECT set_config('app.actor', ${actor}, true),
                  app_enter_tenant(${customerId}::uuid, ${credential.keyId}::text,
                  ${credential.sessionId}::text, ${DateTime.formatIso(now)}::timestamptz) AS verdict`,
                (rows) => refusal(rows[0]!.verdict, customerId, credential)
              )
            )
      return yield* inTransaction(
        sql,
        setContext,
        Effect.provideService(scoped, ActiveContext, { _tag: "tenant", id: customerId }),
        "Tenancy.runAs"
      )
    }).pipe(Effect.withSpan("Tenancy.runAs", { attributes: { customerId } })) as Effect.Effect<
      A,
      E | PersistenceError.PersistenceFailure | AuthError.CredentialRefused,
      Exclude<R, Tenancy.CurrentCustomer>
    >

  const runAsWorker = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
    Effect.gen(function* () {
      const active = yield* ActiveContext
      if (active._tag === "worker") return yield* effect
      if (active._tag !== "none") {
        return yield* Effect.die(new Error("Tenancy.runAsWorker nested inside a tenant context"))
      }
      // The worker carries no credential: nothing to refuse. The worker role acts only as a
      // worker: an outer principal (a CLI's, a request's) is not who a worker transaction is, and
      // the audit trigger would refuse it.
      const outer = yield* Tenancy.CurrentPrincipal
      const principal = outer?.actor.startsWith("worker:") === true ? outer : Tenancy.billingWorker
      return yield* inTransaction(
        sql,
        Effect.as(
          sql`SELECT set_config('role', ${Roles.worker}, true), set_config('app.actor', ${principal.actor}, true)`,
          undefined
        ),
        Effect.provideService(effect, ActiveContext, { _tag: "worker" }),
        "Tenancy.runAsWorker"
      )
    }).pipe(Effect.withSpan("Tenancy.runAsWorker")) as Effect.Effect<
      A,
      E | PersistenceError.PersistenceFailure,
      R
    >

  return Tenancy.Tenancy.of({ runAs, runAsWorker })
})

/** `Tenancy` on the current `SqlClient` (PostgreSQL or PGlite). */
export const layer: Layer.Layer<Tenancy.Tenancy, never, SqlClient.SqlClient> = Layer.effect(
  Tenancy.Tenancy,
  make
)
