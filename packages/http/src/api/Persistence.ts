/**
 * How handlers reach tenant data: every repository call runs inside `Tenancy.runAs(customer)`,
 * one transaction in which the database's row-level security sees only that customer's rows.
 * Persistence failures that are not the client's fault become 503, never a raw database error.
 * A credential revoked since the request authenticated (checked by the statement that opens the
 * transaction, see `PgTenancy`) is a 401, exactly as if the middleware had refused it.
 */
import { AuthError, CustomerRepo, type Ids, PersistenceError, Tenancy } from "@securebase/core"
import { Effect } from "effect"
import { ServiceUnavailable, Unauthorized } from "./ApiErrors.ts"
import { fromAuthError } from "./ErrorMapping.ts"

/**
 * The answers for a tenant read's or transaction's own failures: a backend failure is 503 (and
 * logged), a credential refused since authentication 401; the effect's other errors pass through.
 */
export const tenantFailures = <A, E, R>(
  effect: Effect.Effect<A, E, R>
): Effect.Effect<
  A,
  | Exclude<E, PersistenceError.PersistenceFailure | AuthError.CredentialRefused>
  | ServiceUnavailable
  | Unauthorized,
  R
> =>
  effect.pipe(
    Effect.tapError((error) =>
      error instanceof PersistenceError.PersistenceFailure
        ? Effect.logError("persistence failure", { operation: error.operation, kind: error.kind })
        : Effect.void
    ),
    Effect.mapError((error) =>
      error instanceof PersistenceError.PersistenceFailure
        ? new ServiceUnavailable({ code: error.code, message: "the database is temporarily unavailable" })
        : AuthError.isCredentialRefused(error)
          ? (fromAuthError(error) as Unauthorized)
          : (error as Exclude<E, PersistenceError.PersistenceFailure | AuthError.CredentialRefused>)
    )
  )

/** Runs `effect` as `customerId` in one RLS transaction; a backend failure answers 503. */
export const asTenant = <A, E, R>(
  customerId: Ids.CustomerId,
  effect: Effect.Effect<A, E, R>
): Effect.Effect<
  A,
  Exclude<E, PersistenceError.PersistenceFailure> | ServiceUnavailable | Unauthorized,
  Exclude<R, Tenancy.CurrentCustomer> | Tenancy.Tenancy
> =>
  // A CredentialRefused of `effect` itself would be mapped too; the type keeps the wider union.
  tenantFailures(Tenancy.Tenancy.use((tenancy) => tenancy.runAs(customerId, effect))) as Effect.Effect<
    A,
    Exclude<E, PersistenceError.PersistenceFailure> | ServiceUnavailable | Unauthorized,
    Exclude<R, Tenancy.CurrentCustomer> | Tenancy.Tenancy
  >

/**
 * The authenticated customer's own row (inside `asTenant`). Authentication just checked it is
 * active, so its absence means it was deleted in between: the caller is no longer authenticated.
 */
export const ownCustomer = (customerId: Ids.CustomerId) =>
  CustomerRepo.CustomerRepo.use((repo) => repo.findById(customerId)).pipe(
    Effect.catchTag("NotFound", () =>
      Effect.fail(
        new Unauthorized({ code: "AUTH.CUSTOMER_INACTIVE", message: "the account no longer exists" })
      )
    )
  )
