/**
 * The port to the cache of verified keys: what a successful store lookup learned, kept for a few
 * hours (4 by default) so the next request with the same key skips the database. Adapters: a
 * bounded in-memory TTL cache (the embedded default) and DynamoDB.
 *
 * The entry holds the secret's hash, not a verdict: a cache hit still compares the presented
 * secret in constant time, so knowing a (public) key id is worth nothing.
 */
import { Context, Duration, type Effect, type Option, Schema } from "effect"
import { PlanCode } from "../billing/PriceBook.ts"
import { CustomerId } from "../Ids.ts"
import { ApiKeyId, KeyMode, Scopes, SecretHash } from "./ApiKey.ts"
import type { AuthBackendUnavailable } from "./AuthError.ts"

/** How long a verified key stays cached unless configured otherwise. */
export const defaultTtl: Duration.Duration = Duration.hours(4)

/** A verified key's identity, as cached. */
export class CachedKey extends Schema.Class<CachedKey>("@securebase/core/CachedKey")({
  keyId: ApiKeyId,
  customerId: CustomerId,
  plan: PlanCode,
  mode: KeyMode,
  scopes: Scopes,
  secretHash: SecretHash,
  /** The key's own expiry (epoch milliseconds), checked on every hit. */
  keyExpiresAt: Schema.optional(Schema.Int)
}) {}

/** Caches verified keys by key id, each entry for a time to live. */
export class SessionCache extends Context.Service<
  SessionCache,
  {
    /** The live entry for the key, if any; an expired entry is a miss even if still stored. */
    readonly get: (keyId: ApiKeyId) => Effect.Effect<Option.Option<CachedKey>, AuthBackendUnavailable>
    /** Caches the entry for `ttl`, unless the key was deleted within the last TTL (see `delete`). */
    readonly put: (entry: CachedKey, ttl: Duration.Duration) => Effect.Effect<void, AuthBackendUnavailable>
    /**
     * Evicts the key and leaves a tombstone for the cache's TTL, so that a lookup which read the
     * key before its revocation cannot put it back afterwards.
     */
    readonly delete: (keyId: ApiKeyId) => Effect.Effect<void, AuthBackendUnavailable>
  }
>()("@securebase/core/auth/SessionCache") {}
