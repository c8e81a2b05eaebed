/**
 * An in-memory `CustomerDirectory` whose contents tests (and the embedded default) set through the
 * `MemoryCustomers` handle: add a customer, change its status, delete it.
 */
import { CustomerDirectory, type Ids } from "@securebase/core"
import { Context, Effect, Layer, Option } from "effect"

/** The writable side of the in-memory directory. */
export class MemoryCustomers extends Context.Service<
  MemoryCustomers,
  {
    readonly upsert: (customer: CustomerDirectory.CustomerAccess) => Effect.Effect<void>
    readonly remove: (id: Ids.CustomerId) => Effect.Effect<void>
    readonly find: CustomerDirectory.CustomerDirectory["Service"]["find"]
  }
>()("@securebase/adapters/memory/MemoryCustomers") {
  /** An empty directory. */
  static readonly make = Effect.sync(() => {
    const customers = new Map<Ids.CustomerId, CustomerDirectory.CustomerAccess>()
    return MemoryCustomers.of({
      upsert: (customer) => Effect.sync(() => void customers.set(customer.id, customer)),
      remove: (id) => Effect.sync(() => void customers.delete(id)),
      find: (id) => Effect.sync(() => Option.fromNullishOr(customers.get(id)))
    })
  })
}

/** Both `CustomerDirectory` (for the authenticator) and `MemoryCustomers` (to fill it). */
export const layer: Layer.Layer<CustomerDirectory.CustomerDirectory | MemoryCustomers> = Layer.effect(
  CustomerDirectory.CustomerDirectory,
  Effect.map(MemoryCustomers, (m) => CustomerDirectory.CustomerDirectory.of({ find: m.find }))
).pipe(Layer.provideMerge(Layer.effect(MemoryCustomers, MemoryCustomers.make)))
