/**
 * `CustomerDirectory` on PostgreSQL: authentication asks for a customer's plan and status by id,
 * which is a read of that customer as that customer (`Tenancy.runAs`): no cross-tenant access is
 * needed for it. It is authentication's own lookup (it decides whether a credential is good), so
 * it runs without the fiber's principal: it reports the status rather than being refused by it.
 */
import { AuthError, Customer, CustomerDirectory, Ids, PriceBook, Tenancy } from "@securebase/core"
import { Effect, Layer, Schema } from "effect"
import { SqlClient } from "effect/sql"

const Access = Schema.Struct({
  id: Ids.CustomerId,
  plan: PriceBook.PlanCode,
  status: Customer.CustomerStatus
})
const decodeAccess = Schema.decodeUnknownEffect(Access)

/** Builds the directory over the current `SqlClient` and `Tenancy`. */
export const make = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const tenancy = yield* Tenancy.Tenancy

  const find = (id: Ids.CustomerId) =>
    tenancy
      .runAs(
        id,
        Effect.flatMap(
          sql`SELECT id::text, status,
          coalesce((SELECT pc.to_plan FROM customer_plan_changes pc WHERE pc.customer_id = customers.id
            AND pc.effective_at <= now() ORDER BY pc.effective_at DESC LIMIT 1), plan) AS plan
          FROM customers WHERE id = ${id}`,
          (rows) => (rows.length === 0 ? Effect.succeedNone : Effect.asSome(decodeAccess(rows[0])))
        )
      )
      .pipe(
        Effect.provideService(Tenancy.CurrentPrincipal, undefined),
        Effect.mapError(
          (error) =>
            new AuthError.AuthBackendUnavailable({
              backend: "postgres",
              operation: "CustomerDirectory.find",
              cause: new Error(error._tag === "SqlError" ? error.reason._tag : error._tag)
            })
        ),
        Effect.withSpan("CustomerDirectory.find")
      )

  return CustomerDirectory.CustomerDirectory.of({ find })
})

/** `CustomerDirectory` on the current `SqlClient` and `Tenancy`. */
export const layer: Layer.Layer<
  CustomerDirectory.CustomerDirectory,
  never,
  SqlClient.SqlClient | Tenancy.Tenancy
> = Layer.effect(CustomerDirectory.CustomerDirectory, make)
