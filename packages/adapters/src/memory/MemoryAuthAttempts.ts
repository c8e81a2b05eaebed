/**
 * An in-memory `AuthAttempts`: the last `capacity` attempts, readable through `MemoryAttempts`.
 * Stands in for the audit trail until the Postgres audit lands.
 */
import { AuthAttempts } from "@securebase/core"
import { Context, Effect, Layer } from "effect"

/** The readable side of the in-memory record. */
export class MemoryAttempts extends Context.Service<
  MemoryAttempts,
  {
    /** The recorded attempts, oldest first. */
    readonly all: Effect.Effect<ReadonlyArray<AuthAttempts.AuthAttempt>>
    readonly record: AuthAttempts.AuthAttempts["Service"]["record"]
  }
>()("@securebase/adapters/memory/MemoryAttempts") {
  /** An empty record keeping the last `capacity` attempts (default 10,000). */
  static readonly make = (capacity = 10_000) =>
    Effect.sync(() => {
      const attempts: Array<AuthAttempts.AuthAttempt> = []
      return MemoryAttempts.of({
        all: Effect.sync(() => attempts.slice()),
        record: (attempt) =>
          Effect.sync(() => {
            attempts.push(attempt)
            if (attempts.length > capacity) attempts.splice(0, attempts.length - capacity)
          })
      })
    })
}

/** Both `AuthAttempts` and `MemoryAttempts`. */
export const layer: Layer.Layer<AuthAttempts.AuthAttempts | MemoryAttempts> = Layer.effect(
  AuthAttempts.AuthAttempts,
  Effect.map(MemoryAttempts, (m) => AuthAttempts.AuthAttempts.of({ record: m.record }))
).pipe(Layer.provideMerge(Layer.effect(MemoryAttempts, MemoryAttempts.make())))
