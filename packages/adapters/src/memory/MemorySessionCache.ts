/**
 * The embedded `SessionCache`: a bounded in-process map, least recently used evicted first, each
 * entry expiring after its TTL by `Clock` (so `TestClock` drives it). Deletions leave a tombstone
 * for the default TTL, evicted like any entry: under a flood of more than `maxEntries` keys a
 * tombstone can be pushed out early, which only reopens the (millisecond) race it guards.
 *
 * It is per process: with several instances, revocation on one does not evict the others'
 * entries; deploy the DynamoDB adapter there.
 */
import { type ApiKey, SessionCache } from "@securebase/core"
import { Clock, Duration, Effect, Layer, Option } from "effect"

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
    return SessionCache.SessionCache.of({
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
  })

/** The embedded default: 10,000 entries. */
export const layer: Layer.Layer<SessionCache.SessionCache> = Layer.effect(SessionCache.SessionCache, make())

/** A cache with its own bounds. */
export const layerWith = (options: Options): Layer.Layer<SessionCache.SessionCache> =>
  Layer.effect(SessionCache.SessionCache, make(options))
