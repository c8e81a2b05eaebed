/**
 * The limit store of the HTTP benchmarks: it counts nothing and admits everything. The tier's
 * per-customer limit (600 to 6,000 requests a minute) and the per-address limit would otherwise
 * answer 429 to a benchmark within a second; the store is still called on every request (its
 * cost stays in the figures), it just never refuses.
 */
import { Effect, Layer } from "effect"
import { LimitStore } from "../../packages/core/src/index.ts"

/** A limit store that admits every hit (benchmarks only). */
export const admitAll = Layer.succeed(
  LimitStore.LimitStore,
  LimitStore.LimitStore.of({
    hit: (_key, { now, ttlMillis }) =>
      Effect.succeed({ count: 1, startedAt: now, lastAt: now, expiresAt: now + ttlMillis, counted: true }),
    peek: () => Effect.succeedNone
  })
)
