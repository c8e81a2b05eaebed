/**
 * The port to where API keys are kept (Postgres `api_keys` in production; an in-memory adapter for
 * tests and the embedded default until then).
 */
import { Context, type DateTime, type Effect, type Option } from "effect"
import type { PlanCode } from "../billing/PriceBook.ts"
import type { CustomerId } from "../Ids.ts"
import type { ApiKey, ApiKeyId, ApiKeyRecord } from "./ApiKey.ts"
import type { ApiKeyLimitReached, AuthBackendUnavailable, CredentialRefused } from "./AuthError.ts"

/**
 * Stores API keys by their public id. The operations that name their customer run as that
 * customer (`Tenancy.runAs`), so inside a request they also fail with `CredentialRefused` when the
 * request's own credential was revoked in the meantime.
 */
export class ApiKeyStore extends Context.Service<
  ApiKeyStore,
  {
    /** The key with that id, of any customer (authentication does not know the tenant yet). */
    readonly findById: (id: ApiKeyId) => Effect.Effect<Option.Option<ApiKeyRecord>, AuthBackendUnavailable>
    /**
     * Inserts a new key unless the customer already holds the plan's limit of active keys at `now`.
     * Count and insert must be one atomic step (Postgres: one transaction holding a per-customer
     * lock), or two concurrent creations can both slip under the limit.
     */
    readonly insert: (
      record: ApiKeyRecord,
      limit: { readonly plan: PlanCode; readonly max: number; readonly now: DateTime.Utc }
    ) => Effect.Effect<void, ApiKeyLimitReached | AuthBackendUnavailable | CredentialRefused>
    /** The customer's keys, newest first, without secrets or hashes. */
    readonly list: (
      customerId: CustomerId
    ) => Effect.Effect<ReadonlyArray<ApiKey>, AuthBackendUnavailable | CredentialRefused>
    /**
     * Marks the customer's key revoked at `at` (idempotent: a second revoke keeps the first time).
     * `None` when the customer has no such key.
     */
    readonly revoke: (
      customerId: CustomerId,
      id: ApiKeyId,
      at: DateTime.Utc
    ) => Effect.Effect<Option.Option<ApiKey>, AuthBackendUnavailable | CredentialRefused>
    /** Records that the key was used at `at`. */
    readonly touch: (id: ApiKeyId, at: DateTime.Utc) => Effect.Effect<void, AuthBackendUnavailable>
    /** How many of the customer's keys are active at `now`. */
    readonly countActive: (
      customerId: CustomerId,
      now: DateTime.Utc
    ) => Effect.Effect<number, AuthBackendUnavailable | CredentialRefused>
  }
>()("@securebase/core/auth/ApiKeyStore") {}
