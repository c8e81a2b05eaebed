/**
 * `CustomerRepo` on PostgreSQL. Row-level security does the scoping: inside `Tenancy.runAs` the
 * only visible customer row is the tenant's own, so `findById` of another id is `NotFound`, never
 * someone else's data.
 */
import { Customer, CustomerRepo, PersistenceError } from "@securebase/core"
import { DateTime, Effect, Layer, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { mapRead, mapWrite } from "./SqlErrors.ts"

const Row = Schema.Struct({
  id: Schema.String,
  name: Schema.String,
  email: Schema.String,
  tier: Schema.String,
  status: Schema.String,
  tax_profile: Schema.Unknown,
  net_days: Schema.Number,
  created_at: Schema.DateTimeUtcFromDate
})

const decodeRow = Schema.decodeUnknownEffect(Row)
const decodeCustomer = Schema.decodeUnknownEffect(Customer.Customer)
const encodeTaxProfile = Schema.encodeEffect(Customer.Customer.fields.taxProfile)

const toCustomer = (row: unknown) =>
  Effect.flatMap(decodeRow(row), (r) =>
    decodeCustomer({
      id: r.id,
      name: r.name,
      email: r.email,
      tier: r.tier,
      status: r.status,
      taxProfile: r.tax_profile,
      netDays: r.net_days,
      createdAt: r.created_at
    })
  )

/** Builds the repository over the current `SqlClient`. */
export const make = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const columns = sql.unsafe("id::text, name, email, tier::text, status, tax_profile, net_days, created_at")

  const insert = (customer: Customer.Customer) =>
    Effect.gen(function* () {
      const taxProfile = yield* Effect.orDie(encodeTaxProfile(customer.taxProfile))
      const createdAt = customer.createdAt === undefined ? null : DateTime.formatIso(customer.createdAt)
      const rows = yield* sql`
        INSERT INTO customers (id, name, email, tier, status, tax_profile, net_days, created_at)
        VALUES (${customer.id}, ${customer.name}, ${customer.email}, ${customer.tier}, ${customer.status},
                ${JSON.stringify(taxProfile)}::jsonb, ${customer.netDays},
                coalesce(${createdAt}::timestamptz, now()))
        RETURNING ${columns}`.pipe(mapWrite("customer", customer.id, "insert"))
      return yield* mapRead("CustomerRepo.insert")(toCustomer(rows[0]))
    }).pipe(Effect.withSpan("CustomerRepo.insert"))

  const findById = (id: Customer.Customer["id"]) =>
    Effect.gen(function* () {
      const rows = yield* mapRead("CustomerRepo.findById")(
        sql`SELECT ${columns} FROM customers WHERE id = ${id}`
      )
      if (rows.length === 0) return yield* new PersistenceError.NotFound({ entity: "customer", key: id })
      return yield* mapRead("CustomerRepo.findById")(toCustomer(rows[0]))
    }).pipe(Effect.withSpan("CustomerRepo.findById"))

  const setStatus = (id: Customer.Customer["id"], status: Customer.CustomerStatus) =>
    Effect.gen(function* () {
      const rows = yield* mapRead("CustomerRepo.setStatus")(sql`
        UPDATE customers SET status = ${status}, updated_at = now() WHERE id = ${id} RETURNING ${columns}`)
      if (rows.length === 0) return yield* new PersistenceError.NotFound({ entity: "customer", key: id })
      return yield* mapRead("CustomerRepo.setStatus")(toCustomer(rows[0]))
    }).pipe(Effect.withSpan("CustomerRepo.setStatus"))

  const list = mapRead("CustomerRepo.list")(
    Effect.flatMap(sql`SELECT ${columns} FROM customers ORDER BY created_at, id`, (rows) =>
      Effect.forEach(rows, toCustomer)
    )
  ).pipe(Effect.withSpan("CustomerRepo.list"))

  return CustomerRepo.CustomerRepo.of({ insert, findById, setStatus, list })
})

/** `CustomerRepo` on the current `SqlClient`. */
export const layer: Layer.Layer<CustomerRepo.CustomerRepo, never, SqlClient.SqlClient> = Layer.effect(
  CustomerRepo.CustomerRepo,
  make
)
