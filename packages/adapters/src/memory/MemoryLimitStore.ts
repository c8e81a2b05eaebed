/**
 * The embedded `LimitStore`: a bounded in-process map, least recently hit forgotten first. It is
 * per process: N instances each count on their own and together allow N times a limit; deploy the
 * Redis or DynamoDB adapter there.
 *
 * The bound caps memory under a flood of fresh keys (a client rotating spoofed addresses); a
 * forgotten key starts afresh, which only helps a client that already rotates.
 */
import { LimitStore } from "@securebase/core"
import { Effect, Layer, Option } from "effect"

/** Options of the in-memory store. */
export interface Options {
  /** Most counters held; the least recently hit goes first (default 100,000). */
  readonly maxKeys?: number
}

interface Counter {
  count: number
  startedAt: number
  lastAt: number
  expiresAt: number
}

/** Builds a store. */
export const make = (options?: Options): LimitStore.LimitStore["Service"] => {
  const maxKeys = options?.maxKeys ?? 100_000
  // A Map iterates in insertion order: re-inserting on each hit keeps the least recently hit first.
  const counters = new Map<string, Counter>()
  const live = (key: string, now: number): Counter | undefined => {
    const counter = counters.get(key)
    if (counter === undefined) return undefined
    if (now >= counter.expiresAt) {
      counters.delete(key)
      return undefined
    }
    return counter
  }
  return LimitStore.LimitStore.of({
    hit: (key, { now, ttlMillis, max }) =>
      Effect.sync(() => {
        let counter = live(key, now)
        let counted = true
        if (counter === undefined) {
          counter = { count: 1, startedAt: now, lastAt: now, expiresAt: now + ttlMillis }
        } else if (max !== undefined && counter.count + 1 > max) {
          counted = false
        } else {
          counter.count += 1
          counter.lastAt = now
        }
        counters.delete(key)
        counters.set(key, counter)
        while (counters.size > maxKeys) {
          const oldest = counters.keys().next()
          if (oldest.done) break
          counters.delete(oldest.value)
        }
        return { ...counter, counted }
      }),
    peek: (key, now) =>
      Effect.sync(() => {
        const counter = live(key, now)
        return counter === undefined ? Option.none() : Option.some({ ...counter })
      })
  })
}

/** The embedded default: 100,000 counters. */
export const layer: Layer.Layer<LimitStore.LimitStore> = Layer.sync(LimitStore.LimitStore, () => make())

/** A store with its own bound. */
export const layerWith = (options: Options): Layer.Layer<LimitStore.LimitStore> =>
  Layer.sync(LimitStore.LimitStore, () => make(options))
