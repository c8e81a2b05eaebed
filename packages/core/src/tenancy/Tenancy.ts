/**
 * Tenancy as a port: "run this effect as customer X". The adapter opens ONE transaction, sets the
 * tenant context the database's row-level security reads, runs the effect (repositories, audit
 * appends) and commits, so a request can never see or touch another customer's rows, and the
 * change and its audit events commit or roll back together.
 */
import { Context, type Effect } from "effect"
import type { ApiKeyId } from "../auth/ApiKey.ts"
import type { CredentialRefused } from "../auth/AuthError.ts"
import type { CustomerId } from "../Ids.ts"
import type { PersistenceFailure } from "../persistence/PersistenceError.ts"

/** The customer the current transaction acts for; provided by {@link Tenancy} inside `runAs`. */
export class CurrentCustomer extends Context.Service<CurrentCustomer, CustomerId>()(
  "@securebase/core/tenancy/CurrentCustomer"
) {}

/** Who acts in the current fiber: set by the authentication middleware (or a CLI/worker), read by the Tenancy adapter. */
export interface Principal {
  /** `api_key:<keyId>`, `session:<sessionId>`, `operator:<id>`, `worker:billing`, `cli:<name>`. */
  readonly actor: string
  readonly keyId?: ApiKeyId | undefined
  readonly sessionId?: string | undefined
}
/** The current fiber's principal, if any. */
export const CurrentPrincipal = Context.Reference<Principal | undefined>(
  "@securebase/core/tenancy/CurrentPrincipal",
  { defaultValue: () => undefined }
)

/** The principal of `runAsWorker` when the fiber names none: the billing run. */
export const billingWorker: Principal = { actor: "worker:billing" }

/** Runs effects inside a tenant's (or the billing worker's) transaction. */
export class Tenancy extends Context.Service<
  Tenancy,
  {
    /**
     * Runs `effect` as `customerId` in one transaction: commits when it succeeds, rolls back when
     * it fails. Nested calls for the same customer join the outer transaction; a nested call for
     * another customer dies, because one transaction carries one tenant.
     *
     * When the fiber's {@link CurrentPrincipal} carries a credential (a key id, a session id), the
     * statement that opens the transaction also checks that the credential is still good: the key
     * neither revoked nor expired and belonging to `customerId`, the session not revoked, the
     * customer active. If not, `runAs` fails with the {@link CredentialRefused} error and runs
     * nothing, so no cache anywhere can keep a revoked credential working.
     * The transaction carries the principal too: the audit trail records it as the actor.
     */
    readonly runAs: <A, E, R>(
      customerId: CustomerId,
      effect: Effect.Effect<A, E, R>
    ) => Effect.Effect<A, E | PersistenceFailure | CredentialRefused, Exclude<R, CurrentCustomer>>
    /**
     * Runs `effect` in one transaction as the billing worker: no tenant context, but the worker's
     * own, narrower grants that span customers (see the adapter's roles). The actor is the fiber's
     * {@link CurrentPrincipal} when it is a `worker:…` one, {@link billingWorker} otherwise.
     */
    readonly runAsWorker: <A, E, R>(
      effect: Effect.Effect<A, E, R>
    ) => Effect.Effect<A, E | PersistenceFailure, R>
  }
>()("@securebase/core/tenancy/Tenancy") {}
