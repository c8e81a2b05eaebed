/**
 * `CustomerRepo` on PostgreSQL. Row-level security does the scoping: inside `Tenancy.runAs` the
 * only visible customer row is the tenant's own, so `findById` of another id is `NotFound`, never
 * someone else's data.
 */
import { Customer, CustomerRepo, CustomerTerms, PersistenceError } from "@securebase/core"
import { DateTime, Effect, Layer, Schema } from "effect"
import { SqlClient } from "effect/sql"
import * as Rows from "./Rows.ts"
import { mapRead, mapWrite } from "./SqlErrors.ts"

const encodeTaxProfile = Schema.encodeEffect(Customer.Customer.fields.taxProfile)
const encodeTerms = Schema.encodeEffect(CustomerTerms.CustomerTerms)
const { toCustomer } = Rows

/** Builds the repository over the current `SqlClient`. */
export const make = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const columns = sql.unsafe(Rows.customerColumns("customers"))

  const insert = (customer: Customer.Customer) =>
    Effect.gen(function* () {
      const taxProfile = yield* Effect.orDie(encodeTaxProfile(customer.taxProfile))
      const terms = yield* Effect.orDie(encodeTerms(customer.terms))
      const createdAt = customer.createdAt === undefined ? null : DateTime.formatIso(customer.createdAt)
      const rows = yield* sql`
        INSERT INTO customers (id, name, email, plan, status, tax_profile, net_days, overdue_grace_days, currency, terms,
                               created_at)
        VALUES (${customer.id}, ${customer.name}, ${customer.email}, ${customer.plan}, ${customer.status},
                ${JSON.stringify(taxProfile)}::jsonb, ${customer.netDays}, ${customer.overdueGraceDays}, ${customer.currency},
                ${JSON.stringify(terms)}::jsonb, coalesce(${createdAt}::timestamptz, now()))
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

  const setTerms = (id: Customer.Customer["id"], terms: CustomerTerms.CustomerTerms) =>
    Effect.gen(function* () {
      const encoded = yield* Effect.orDie(encodeTerms(terms))
      const rows = yield* mapRead("CustomerRepo.setTerms")(sql`
        UPDATE customers SET terms = ${JSON.stringify(encoded)}::jsonb, updated_at = now() WHERE id = ${id}
        RETURNING ${columns}`)
      if (rows.length === 0) return yield* new PersistenceError.NotFound({ entity: "customer", key: id })
      return yield* mapRead("CustomerRepo.setTerms")(toCustomer(rows[0]))
    }).pipe(Effect.withSpan("CustomerRepo.setTerms"))

  const list = mapRead("CustomerRepo.list")(
    Effect.flatMap(sql`SELECT ${columns} FROM customers ORDER BY created_at, id`, (rows) =>
      Effect.forEach(rows, toCustomer)
    )
  ).pipe(Effect.withSpan("CustomerRepo.list"))

  return CustomerRepo.CustomerRepo.of({ insert, findById, setStatus, setTerms, list })
})

/** `CustomerRepo` on the current `SqlClient`. */
export const layer: Layer.Layer<CustomerRepo.CustomerRepo, never, SqlClient.SqlClient> = Layer.effect(
  CustomerRepo.CustomerRepo,
  make
)
