/**
 * `AuditCheckpointStore` in memory, for an in-memory database: checkpoints of a database that
 * vanishes with the process must vanish with it, or they would be held against the next one.
 */
import { type AuditCheckpoint, AuditCheckpointStore, type Ids } from "@securebase/core"
import { DateTime, Effect, Layer, Option } from "effect"

/** Builds an empty store. */
export const make = Effect.sync(() => {
  const byCustomer = new Map<string, Array<AuditCheckpoint.AuditCheckpoint>>()
  const sorted = (customerId: Ids.CustomerId) =>
    (byCustomer.get(customerId.toLowerCase()) ?? []).toSorted(
      (a, b) => b.seq - a.seq || DateTime.toEpochMillis(b.signedAt) - DateTime.toEpochMillis(a.signedAt)
    )
  return AuditCheckpointStore.AuditCheckpointStore.of({
    append: (checkpoint) =>
      Effect.sync(() => {
        const key = checkpoint.customerId.toLowerCase()
        byCustomer.set(key, [...(byCustomer.get(key) ?? []), checkpoint])
      }),
    latest: (customerId) => Effect.sync(() => Option.fromUndefinedOr(sorted(customerId)[0])),
    list: (customerId) => Effect.sync(() => sorted(customerId)),
    customers: Effect.sync(() => [...byCustomer.values()].map((list) => list[0]!.customerId))
  })
})

/** An empty in-memory store. */
export const layer: Layer.Layer<AuditCheckpointStore.AuditCheckpointStore> = Layer.effect(
  AuditCheckpointStore.AuditCheckpointStore,
  make
)
