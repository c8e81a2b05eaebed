/**
 * The port to the deny list of sessions: single sessions (logout) and the sessions of a key issued
 * up to a moment (key revoked, customer cut off). An entry need only outlive the sessions it
 * denies, so adapters may forget it after `until`.
 */
import { Context, type DateTime, type Effect } from "effect"
import type { CustomerId } from "../Ids.ts"
import type { ApiKeyId } from "./ApiKey.ts"
import type { AuthBackendUnavailable, CredentialRefused } from "./AuthError.ts"
import type { SessionId } from "./Session.ts"

/** The session a logout ends: its id, its customer (the tenant that owns the deny-list entry) and its key. */
export interface RevokedSession {
  readonly sessionId: SessionId
  readonly customerId: CustomerId
  readonly keyId: ApiKeyId
}

/** Records and answers session revocations. */
export class SessionRevocations extends Context.Service<
  SessionRevocations,
  {
    /**
     * Denies one session until `until` (its `exp`: after that it is dead anyway). A durable
     * adapter writes as the session's customer, so inside a request it fails with
     * `CredentialRefused` when the request's own credential is no longer good.
     */
    readonly revokeSession: (
      session: RevokedSession,
      until: DateTime.Utc
    ) => Effect.Effect<void, AuthBackendUnavailable | CredentialRefused>
    /**
     * Denies every session of the key issued at or before `at`, remembering it until `until`
     * (`at` + the longest session TTL). Sessions issued later (after a customer is reinstated)
     * are not affected; a revoked key cannot be exchanged for new ones anyway.
     */
    readonly revokeKey: (
      keyId: ApiKeyId,
      at: DateTime.Utc,
      until: DateTime.Utc
    ) => Effect.Effect<void, AuthBackendUnavailable>
    /** Whether the session is denied, by its own id or through its key. */
    readonly isRevoked: (session: {
      readonly sessionId: SessionId
      readonly keyId: ApiKeyId
      /** The session's `iat`, in seconds since the epoch. */
      readonly issuedAt: number
    }) => Effect.Effect<boolean, AuthBackendUnavailable>
  }
>()("@securebase/core/auth/SessionRevocations") {}
