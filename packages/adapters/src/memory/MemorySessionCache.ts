/**
 * The embedded `SessionCache`: a bounded in-process map, least recently used evicted first, each
 * entry expiring after its TTL by `Clock` (so `TestClock` drives it). Deletions leave a tombstone
 * for the default TTL, evicted like any entry: under a flood of more than `maxEntries` keys a
 * tombstone can be pushed out early, which only reopens the (millisecond) race it guards.
 *
 * It is per process: with several instances, revocation on one does not evict the others'
 * entries by itself. On PostgreSQL, `PgRevocationListener` evicts them through {@link LocalKeyCache}
 * as soon as the database announces a change, and every request's tenant transaction re-checks its
 * credential whatever this cache holds.
 */
import { type ApiKey, type Ids, SessionCache } from "@securebase/core"
import { Clock, Context, Duration, Effect, Layer, Option } from "effect"

/**
 * Eviction of this process's cached keys by something other than a key id: what a feed of
 * changes made elsewhere (another instance, an operator's SQL) needs.
 */
export class LocalKeyCache extends Context.Service<
  LocalKeyCache,
  {
    /** Drops every cached key of the customer (its status or plan changed). */
    readonly evictCustomer: (customerId: Ids.CustomerId) => Effect.Effect<void>
    /** Drops every cached key (changes may have been missed, e.g. while disconnected). */
    readonly evictAll: Effect.Effect<void>
  }
>()("@securebase/adapters/memory/LocalKeyCache") {}

/** Options of the in-memory cache. */
export interface Options {
  /** Most entries (and tombstones) held; the least recently used goes first (default 10,000). */
  readonly maxEntries?: number
  /** How long a tombstone blocks re-caching a deleted key (default `SessionCache.defaultTtl`). */
  readonly tombstoneTtl?: Duration.Duration
}

type Slot =
  | { readonly _tag: "Entry"; readonly entry: SessionCache.CachedKey; readonly expiresAt: number }
  | { readonly _tag: "Tombstone"; readonly expiresAt: number }

/** Builds a cache. */
export const make = (options?: Options): Effect.Effect<SessionCache.SessionCache["Service"]> =>
  Effect.map(makeWithControl(options), ({ cache }) => cache)

/** Builds a cache and the handle that evicts it by customer or wholesale. */
export const makeWithControl = (
  options?: Options
): Effect.Effect<{
  readonly cache: SessionCache.SessionCache["Service"]
  readonly control: LocalKeyCache["Service"]
}> =>
  Effect.sync(() => {
    const maxEntries = options?.maxEntries ?? 10_000
    const tombstoneMillis = Duration.toMillis(options?.tombstoneTtl ?? SessionCache.defaultTtl)
    // A Map iterates in insertion order: re-inserting on use keeps the least recently used first.
    const slots = new Map<ApiKey.ApiKeyId, Slot>()
    const store = (keyId: ApiKey.ApiKeyId, slot: Slot) => {
      slots.delete(keyId)
      slots.set(keyId, slot)
      while (slots.size > maxEntries) {
        const oldest = slots.keys().next()
        if (oldest.done) break
        slots.delete(oldest.value)
      }
    }
    // Entries only: tombstones stay, so a racing lookup still cannot re-cache a revoked key.
    const evictEntries = (matches: (entry: SessionCache.CachedKey) => boolean) =>
      Effect.sync(() => {
        for (const [keyId, slot] of slots)
          if (slot._tag === "Entry" && matches(slot.entry)) slots.delete(keyId)
      })
    const control = LocalKeyCache.of({
      evictCustomer: (customerId) => evictEntries((entry) => entry.customerId === customerId),
      evictAll: evictEntries(() => true)
    })
    const cache = SessionCache.SessionCache.of({
      get: (keyId) =>
        Effect.map(Clock.currentTimeMillis, (now) => {
          const slot = slots.get(keyId)
          if (slot === undefined) return Option.none()
          if (now >= slot.expiresAt) {
            slots.delete(keyId)
            return Option.none()
          }
          if (slot._tag === "Tombstone") return Option.none()
          store(keyId, slot)
          return Option.some(slot.entry)
        }),
      put: (entry, ttl) =>
        Effect.map(Clock.currentTimeMillis, (now) => {
          const slot = slots.get(entry.keyId)
          if (slot?._tag === "Tombstone" && now < slot.expiresAt) return
          const ttlMillis = Duration.toMillis(ttl)
          if (ttlMillis <= 0) return
          store(entry.keyId, { _tag: "Entry", entry, expiresAt: now + ttlMillis })
        }),
      delete: (keyId) =>
        Effect.map(Clock.currentTimeMillis, (now) => {
          store(keyId, { _tag: "Tombstone", expiresAt: now + tombstoneMillis })
        })
    })
    return { cache, control }
  })

/** A cache with its own bounds, and its {@link LocalKeyCache} handle. */
export const layerWith = (options: Options): Layer.Layer<SessionCache.SessionCache | LocalKeyCache> =>
  Layer.effectContext(
    Effect.map(makeWithControl(options), ({ cache, control }) =>
      Context.make(SessionCache.SessionCache, cache).pipe(Context.add(LocalKeyCache, control))
    )
  )

/** The embedded default: 10,000 entries. */
export const layer: Layer.Layer<SessionCache.SessionCache | LocalKeyCache> = layerWith({})
