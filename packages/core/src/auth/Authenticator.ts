/**
 * Authentication, composed from the ports: a bearer API key becomes an `Identity` (cache first,
 * then the key store), a key is exchanged for a session token, a session token becomes an
 * `Identity`, and revocation takes effect at once.
 *
 * How revocation reaches what was handed out:
 * - the store marks the key revoked (cold lookups see it);
 * - the cache entry is deleted and tombstoned (warm lookups miss, and a lookup racing the
 *   revocation cannot re-cache the key);
 * - the key's sessions issued so far are put on the deny list, which every session check reads.
 *
 * The cache and the deny list answer fast, but they may be one process's view. The authority is
 * the store: `exchange` always reads it (a key is never exchanged on a cache's word), and with
 * the PostgreSQL adapters every request's tenant transaction re-checks its credential
 * (`Tenancy.runAs` with the request's `CurrentPrincipal`), which is why the operations that run
 * as a customer can also fail with `CredentialRefused`.
 *
 * Every attempt is recorded through `AuthAttempts` with its reason code (never the secret).
 *
 * Throttling never stands between a valid credential and its identity: the credential is checked
 * first (a cached key's hash compare, a session's signature) and the `FailureThrottle` is
 * consulted only once it has failed, in the bucket of that failure: a wrong secret for a key id in
 * that (address, key) bucket, anything that names no key in the address's bucket. A failure in a
 * bucket past its allowance answers `TooManyAttempts` (429) instead. The one check made before any
 * work is for a key id this address already found unknown, which spares the key store the lookup:
 * a valid key's id is never unknown. Against guessing this costs nothing: a secret is 256 random
 * bits, and a key id 80. Failures of a caller who proved the secret (a revoked or expired key, an
 * inactive customer, an expired session) are not guesses and are not counted.
 */
import { Context, DateTime, Duration, Effect, Layer, Option, Redacted } from "effect"
import type { UnknownPlan } from "../billing/PriceBook.ts"
import * as Pricing from "../billing/Pricing.ts"
import type { CustomerId } from "../Ids.ts"
import * as ApiKey from "./ApiKey.ts"
import { ApiKeySecrets } from "./ApiKeySecrets.ts"
import { ApiKeyStore } from "./ApiKeyStore.ts"
import { type AuthAttempt, AuthAttempts } from "./AuthAttempts.ts"
import {
  type ApiKeyLimitReached,
  ApiKeyNotFound,
  type AuthBackendUnavailable,
  type AuthError,
  type CredentialRefused,
  CustomerInactive,
  failed,
  InvalidKey,
  type KeyError,
  KeyExpired,
  KeyRevoked,
  type SessionError,
  SessionRevoked,
  type TokenError
} from "./AuthError.ts"
import { CustomerDirectory } from "./CustomerDirectory.ts"
import type { Identity } from "./Identity.ts"
import * as Session from "./Session.ts"
import * as SessionCache from "./SessionCache.ts"
import { type RevokedSession, SessionRevocations } from "./SessionRevocations.ts"
import { SessionTokens } from "./SessionTokens.ts"
import { type Bucket, FailureThrottle } from "./Throttle.ts"

/** Tuning of the authenticator. */
export interface Options {
  /** How long a verified key stays cached (default 4 h). */
  readonly cacheTtl?: Duration.Duration
  /** The longest session a `SessionTokens` adapter issues (default 24 h): how long key revocations are kept. */
  readonly sessionTtl?: Duration.Duration
  /** A key's `lastUsedAt` is written at most this often per process (default 1 min). */
  readonly touchEvery?: Duration.Duration
}

/** A newly created key: the listing and the full key, to be shown once. */
export interface CreatedKey {
  readonly key: ApiKey.ApiKey
  readonly plaintext: Redacted.Redacted<string>
}

/** What creating a key needs. */
export interface NewKey {
  readonly customerId: CustomerId
  readonly name: string
  readonly scopes: ReadonlyArray<ApiKey.Scope>
  readonly mode?: ApiKey.KeyMode
  readonly expiresAt?: DateTime.Utc
}

/** What an attempt has revealed so far, for its record (filled in as the checks pass). */
interface Known {
  keyId?: ApiKey.ApiKeyId
  sessionId?: Session.SessionId
  customerId?: CustomerId
}

/** A stand-in hash compared when the key id is unknown, so both failures cost the same time. */
const decoyHash = "0".repeat(64) as ApiKey.SecretHash

/** The authentication service. */
export class Authenticator extends Context.Service<
  Authenticator,
  {
    /**
     * Issues a key for an active customer within its plan's limit; the plaintext is shown once. The
     * name must be an `ApiKey.KeyName`.
     */
    readonly createKey: (
      input: NewKey
    ) => Effect.Effect<
      CreatedKey,
      ApiKey.InvalidKeyName | ApiKeyLimitReached | AuthBackendUnavailable | CredentialRefused | UnknownPlan
    >
    /** The customer's keys (never secrets). */
    readonly listKeys: (
      customerId: CustomerId
    ) => Effect.Effect<ReadonlyArray<ApiKey.ApiKey>, AuthBackendUnavailable | CredentialRefused>
    /** The identity of a bearer API key presented by `client`. */
    readonly authenticate: (presented: string, client: string) => Effect.Effect<Identity, KeyError>
    /** Exchanges a bearer API key for a session token; always checks the key in the store, never only in the cache. */
    readonly exchange: (
      presented: string,
      client: string
    ) => Effect.Effect<{ readonly token: string; readonly claims: Session.SessionClaims }, KeyError>
    /** The identity of a session token presented by `client`. */
    readonly verifySession: (token: string, client: string) => Effect.Effect<Identity, SessionError>
    /** Revokes the customer's key: store, cache and sessions, at once. */
    readonly revokeKey: (
      customerId: CustomerId,
      keyId: ApiKey.ApiKeyId
    ) => Effect.Effect<ApiKey.ApiKey, ApiKeyNotFound | AuthBackendUnavailable | CredentialRefused>
    /**
     * Ends one session (logout), for the longest session lifetime from now (an upper bound of
     * what is left of it).
     */
    readonly revokeSession: (
      session: RevokedSession
    ) => Effect.Effect<void, AuthBackendUnavailable | CredentialRefused>
    /**
     * Evicts every cached key of the customer and ends its sessions, leaving the keys themselves
     * unrevoked: call it when a customer is suspended, closed or deleted, so that cached keys and
     * issued sessions stop working at once (the next lookup sees the customer's status).
     */
    readonly cutOffCustomer: (
      customerId: CustomerId
    ) => Effect.Effect<void, AuthBackendUnavailable | CredentialRefused>
  }
>()("@securebase/core/auth/Authenticator") {
  /** Builds the authenticator from the ports in context. */
  static readonly make = Effect.fnUntraced(function* (options?: Options) {
    const store = yield* ApiKeyStore
    const cache = yield* SessionCache.SessionCache
    const revocations = yield* SessionRevocations
    const tokens = yield* SessionTokens
    const secrets = yield* ApiKeySecrets
    const customers = yield* CustomerDirectory
    const attempts = yield* AuthAttempts
    const throttle = yield* FailureThrottle
    // The plans' entitlements (each plan's key limit) of the policy the service is built under.
    const policy = yield* Pricing.Pricing
    const cacheTtl = options?.cacheTtl ?? SessionCache.defaultTtl
    const sessionTtl = options?.sessionTtl ?? Session.defaultTtl
    const touchEveryMillis = Duration.toMillis(options?.touchEvery ?? Duration.minutes(1))
    // Last `lastUsedAt` write per key, so a hot key is not written on every request.
    const touched = new Map<ApiKey.ApiKeyId, number>()

    const touch = (keyId: ApiKey.ApiKeyId, now: DateTime.Utc) => {
      const nowMillis = DateTime.toEpochMillis(now)
      const last = touched.get(keyId)
      if (last !== undefined && nowMillis - last < touchEveryMillis) return Effect.void
      if (touched.size >= 10_000) touched.clear()
      touched.set(keyId, nowMillis)
      // `lastUsedAt` is informational: a failed write must not fail the request.
      return Effect.ignore(store.touch(keyId, now))
    }

    const activeCustomer = (customerId: CustomerId) =>
      Effect.flatMap(customers.find(customerId), (found) =>
        Option.isSome(found) && found.value.status === "active"
          ? Effect.succeed(found.value)
          : Effect.fail(failed(new CustomerInactive({ customerId })))
      )

    /** Records the attempt, with its outcome. */
    const audited = <A extends { readonly customerId?: CustomerId }, E extends AuthError, R>(
      method: AuthAttempt["method"],
      client: string,
      known: Known,
      attempt: Effect.Effect<A, E, R>
    ) =>
      attempt.pipe(
        Effect.tap((result) =>
          Effect.flatMap(DateTime.now, (at) =>
            attempts.record({
              at,
              client,
              method,
              outcome: "success",
              ...known,
              ...(result.customerId === undefined ? {} : { customerId: result.customerId })
            })
          )
        ),
        Effect.tapError((error) =>
          Effect.flatMap(DateTime.now, (at) =>
            attempts.record({ at, client, method, outcome: "failure", code: error.code, ...known })
          )
        )
      )

    /**
     * Fails with `error`, counted in `buckets`; or with `TooManyAttempts`, uncounted, when one of
     * them is already past its allowance.
     */
    const failIn = <E>(buckets: ReadonlyArray<Bucket>, error: E) =>
      Effect.gen(function* () {
        for (const bucket of buckets) yield* throttle.check(bucket)
        for (const bucket of buckets) yield* throttle.recordFailure(bucket)
        return yield* Effect.fail(error)
      })

    /** The key's identity: from the cache when `useCache` and warm, else from the store. */
    const identify = (presented: string, client: string, known: Known, useCache: boolean) =>
      Effect.gen(function* () {
        const parsed = ApiKey.parse(presented)
        if (parsed._tag === "Failure") return yield* failIn([{ _tag: "Address", client }], parsed.failure)
        const { keyId, secret, mode } = parsed.success
        known.keyId = keyId
        const keyBucket: Bucket = { _tag: "Key", client, keyId }
        const now = yield* DateTime.now
        const nowMillis = DateTime.toEpochMillis(now)

        const cached = useCache ? yield* cache.get(keyId) : Option.none<SessionCache.CachedKey>()
        if (Option.isSome(cached)) {
          const entry = cached.value
          if (!(yield* secrets.matches(secret, entry.secretHash)) || entry.mode !== mode)
            return yield* failIn([keyBucket], failed(new InvalidKey()))
          if (entry.keyExpiresAt !== undefined && nowMillis >= entry.keyExpiresAt)
            return yield* failed(new KeyExpired({ keyId }))
          yield* touch(keyId, now)
          return identityOf(entry, "api_key")
        }

        // An id this address already found unknown is not looked up again while it waits.
        const unknownBucket: Bucket = { _tag: "UnknownKey", client, keyId }
        yield* throttle.check(unknownBucket)
        const found = yield* store.findById(keyId)
        const record = Option.getOrUndefined(found)
        const matches = yield* secrets.matches(secret, record?.secretHash ?? decoyHash)
        if (record === undefined)
          return yield* failIn([unknownBucket, { _tag: "Address", client }], failed(new InvalidKey()))
        if (!matches || record.mode !== mode) return yield* failIn([keyBucket], failed(new InvalidKey()))
        known.customerId = record.customerId
        // Only a caller who holds the secret learns why a real key is refused.
        if (record.revokedAt !== undefined) return yield* failed(new KeyRevoked({ keyId: record.id }))
        if (record.expiresAt !== undefined && !DateTime.isLessThan(now, record.expiresAt))
          return yield* failed(new KeyExpired({ keyId: record.id }))
        const customer = yield* activeCustomer(record.customerId)

        const entry = new SessionCache.CachedKey({
          keyId: record.id,
          customerId: record.customerId,
          plan: customer.plan,
          mode: record.mode,
          scopes: record.scopes,
          secretHash: record.secretHash,
          ...(record.expiresAt === undefined
            ? {}
            : { keyExpiresAt: DateTime.toEpochMillis(record.expiresAt) })
        })
        const ttl =
          entry.keyExpiresAt === undefined
            ? cacheTtl
            : Duration.min(cacheTtl, Duration.millis(entry.keyExpiresAt - nowMillis))
        yield* cache.put(entry, ttl)
        yield* touch(record.id, now)
        return identityOf(entry, "api_key")
      })

    const authenticate = (presented: string, client: string) => {
      const known: Known = {}
      return audited("api_key", client, known, identify(presented, client, known, true)).pipe(
        Effect.withSpan("Authenticator.authenticate")
      )
    }

    const exchange = (presented: string, client: string) => {
      const known: Known = {}
      return audited(
        "exchange",
        client,
        known,
        Effect.gen(function* () {
          // A session outlives any cache entry: issue it only on the store's word.
          const identity = yield* identify(presented, client, known, false)
          const issued = yield* tokens.issue(identity)
          return { ...issued, customerId: identity.customerId }
        })
      ).pipe(
        Effect.map(({ token, claims }) => ({ token, claims })),
        Effect.withSpan("Authenticator.exchange")
      )
    }

    const verifySession = (token: string, client: string) => {
      const known: Known = {}
      return audited(
        "session",
        client,
        known,
        Effect.gen(function* () {
          // Only a token that does not verify is a guess; one that verified and was refused on
          // its claims (expired, another audience) proves the signing key, not a guess.
          const claims = yield* Effect.catchIf(tokens.verify(token), isForgery, (error) =>
            failIn([{ _tag: "Address", client }], error)
          )
          known.keyId = claims.keyId
          known.sessionId = claims.jti
          known.customerId = claims.sub
          const revoked = yield* revocations.isRevoked({
            sessionId: claims.jti,
            keyId: claims.keyId,
            issuedAt: claims.iat
          })
          if (revoked) return yield* failed(new SessionRevoked({ sessionId: claims.jti }))
          return {
            customerId: claims.sub,
            plan: claims.plan,
            keyId: claims.keyId,
            mode: claims.mode,
            scopes: claims.scopes,
            via: "session",
            sessionId: claims.jti
          } satisfies Identity as Identity
        })
      ).pipe(Effect.withSpan("Authenticator.verifySession"))
    }

    const endKey = (keyId: ApiKey.ApiKeyId, now: DateTime.Utc) =>
      Effect.andThen(
        cache.delete(keyId),
        revocations.revokeKey(keyId, now, DateTime.addDuration(now, sessionTtl))
      )

    return Authenticator.of({
      createKey: Effect.fn("Authenticator.createKey")(function* (input: NewKey) {
        const name = yield* ApiKey.validateName(input.name)
        const customer = yield* activeCustomer(input.customerId)
        const now = yield* DateTime.now
        const { keyId, secret } = yield* secrets.generate
        const mode = input.mode ?? "live"
        const record = new ApiKey.ApiKeyRecord({
          id: keyId,
          customerId: input.customerId,
          name,
          mode,
          prefix: ApiKey.prefixOf(mode, keyId),
          scopes: input.scopes,
          createdAt: now,
          ...(input.expiresAt === undefined ? {} : { expiresAt: input.expiresAt }),
          secretHash: yield* secrets.hash(secret)
        })
        const entitlements = yield* Pricing.entitlements(policy, customer.plan)
        yield* store.insert(record, { plan: customer.plan, max: ApiKey.limitFor(entitlements), now })
        return { key: ApiKey.toApiKey(record), plaintext: ApiKey.format(mode, keyId, Redacted.value(secret)) }
      }),
      listKeys: (customerId) => store.list(customerId),
      authenticate,
      exchange,
      verifySession,
      revokeKey: Effect.fn("Authenticator.revokeKey")(function* (
        customerId: CustomerId,
        keyId: ApiKey.ApiKeyId
      ) {
        const now = yield* DateTime.now
        const revoked = yield* store.revoke(customerId, keyId, now)
        if (Option.isNone(revoked)) return yield* new ApiKeyNotFound({ keyId })
        yield* endKey(keyId, now)
        return revoked.value
      }),
      revokeSession: Effect.fn("Authenticator.revokeSession")(function* (session: RevokedSession) {
        const now = yield* DateTime.now
        yield* revocations.revokeSession(session, DateTime.addDuration(now, sessionTtl))
      }),
      cutOffCustomer: Effect.fn("Authenticator.cutOffCustomer")(function* (customerId: CustomerId) {
        const now = yield* DateTime.now
        const keys = yield* store.list(customerId)
        yield* Effect.forEach(keys, (key) => endKey(key.id, now), { discard: true })
      })
    })
  })

  /** The authenticator with default options, from the ports in context. */
  static readonly layer = Layer.effect(Authenticator, Authenticator.make())

  /** The authenticator with its own options. */
  static readonly layerWith = (options: Options) => Layer.effect(Authenticator, Authenticator.make(options))
}

/** Token failures that say nothing was proven: the token is not one this service signed. */
const isForgery = (error: TokenError): boolean =>
  error.reason._tag === "MalformedToken" ||
  error.reason._tag === "BadAlgorithm" ||
  error.reason._tag === "UnknownSigningKey" ||
  error.reason._tag === "BadSignature"

const identityOf = (entry: SessionCache.CachedKey, via: Identity["via"]): Identity => ({
  customerId: entry.customerId,
  plan: entry.plan,
  keyId: entry.keyId,
  mode: entry.mode,
  scopes: entry.scopes,
  via
})
