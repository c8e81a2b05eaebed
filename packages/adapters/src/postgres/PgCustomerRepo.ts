/**
 * `CustomerRepo` on PostgreSQL. Row-level security does the scoping: inside `Tenancy.runAs` the
 * only visible customer row is the tenant's own, so `findById` of another id is `NotFound`, never
 * someone else's data.
 */
import { Customer, CustomerRepo, CustomerTerms, PersistenceError } from "@securebase/core"
import { DateTime, Effect, Layer, Schema } from "effect"
import { SqlClient } from "effect/sql"
import * as Rows from "./rows/CustomerRow.ts"
import { mapRead, mapWrite } from "./SqlErrors.ts"

const encodeTaxProfile = Schema.encodeEffect(Customer.Customer.fields.taxProfile)
const encodeAddress = Schema.encodeEffect(Customer.BillingAddress)
const addressJson = (address: Customer.BillingAddress | undefined | null) =>
  address === undefined || address === null
    ? Effect.succeed(null)
    : Effect.map(Effect.orDie(encodeAddress(address)), (a) => JSON.stringify(a))
const encodeTerms = Schema.encodeEffect(CustomerTerms.CustomerTerms)
const { toCustomer } = Rows

/** `text` matched literally by ILIKE: its `%`, `_` and `\\` escaped. */
const escapeLike = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`)

/** Builds the repository over the current `SqlClient`. */
export const make = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const columns = sql.unsafe(Rows.customerColumns("customers"))

  const insert = (customer: Customer.Customer) =>
    Effect.gen(function* () {
      const taxProfile = yield* Effect.orDie(encodeTaxProfile(customer.taxProfile))
      const terms = yield* Effect.orDie(encodeTerms(customer.terms))
      const createdAt = customer.createdAt === undefined ? null : DateTime.formatIso(customer.createdAt)
      const address = yield* addressJson(customer.billingAddress)
      const closedAt = customer.closedAt === undefined ? null : DateTime.formatIso(customer.closedAt)
      const rows = yield* sql`
        INSERT INTO customers (id, name, email, plan, status, tax_profile, net_days, overdue_grace_days, currency, terms,
                               created_at, billing_address, tax_id, closed_at)
        VALUES (${customer.id}, ${customer.name}, ${customer.email}, ${customer.plan}, ${customer.status},
                ${JSON.stringify(taxProfile)}::jsonb, ${customer.netDays}, ${customer.overdueGraceDays}, ${customer.currency},
                ${JSON.stringify(terms)}::jsonb, coalesce(${createdAt}::timestamptz, now()), ${address}::jsonb,
                ${customer.taxId ?? null}, ${closedAt}::timestamptz)
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

  const setStatus = (id: Customer.Customer["id"], status: Customer.CustomerStatus, at?: DateTime.Utc) =>
    Effect.gen(function* () {
      // Closing keeps the first closing time; any other status clears it.
      const closedAt = status === "closed" ? DateTime.formatIso(at ?? (yield* DateTime.now)) : null
      const rows = yield* mapRead("CustomerRepo.setStatus")(sql`
        UPDATE customers SET status = ${status}, updated_at = now(),
          closed_at = CASE WHEN ${status} = 'closed' THEN coalesce(closed_at, ${closedAt}::timestamptz) END
        WHERE id = ${id} RETURNING ${columns}`)
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

  const update = (id: Customer.Customer["id"], patch: CustomerRepo.CustomerPatch) =>
    Effect.gen(function* () {
      const set: Record<string, unknown> = {}
      if (patch.name !== undefined) set.name = patch.name
      if (patch.email !== undefined) set.email = patch.email
      if (patch.netDays !== undefined) set.net_days = patch.netDays
      if (patch.taxProfile !== undefined)
        set.tax_profile = JSON.stringify(yield* Effect.orDie(encodeTaxProfile(patch.taxProfile)))
      if (patch.billingAddress !== undefined) set.billing_address = yield* addressJson(patch.billingAddress)
      if (patch.taxId !== undefined) set.tax_id = patch.taxId
      if (Object.keys(set).length === 0) return yield* findById(id)
      const rows = yield* mapRead("CustomerRepo.update")(sql`
        UPDATE customers SET ${sql.update(set)}, updated_at = now() WHERE id = ${id} RETURNING ${columns}`)
      if (rows.length === 0) return yield* new PersistenceError.NotFound({ entity: "customer", key: id })
      return yield* mapRead("CustomerRepo.update")(toCustomer(rows[0]))
    }).pipe(Effect.withSpan("CustomerRepo.update"))

  const changePlan = (
    id: Customer.Customer["id"],
    change: Parameters<CustomerRepo.CustomerRepo["Service"]["changePlan"]>[1]
  ) =>
    Effect.gen(function* () {
      const requested = DateTime.formatIso(change.requestedAt)
      // A later decision replaces a change still waiting for its instant.
      yield* mapRead("CustomerRepo.changePlan")(sql`
        DELETE FROM customer_plan_changes WHERE customer_id = ${id} AND effective_at > ${requested}::timestamptz`)
      yield* mapRead("CustomerRepo.changePlan")(sql`
        INSERT INTO customer_plan_changes (id, customer_id, requested_at, effective_at, from_plan, to_plan)
        VALUES (${change.id}::uuid, ${id}, ${requested}::timestamptz, ${DateTime.formatIso(change.effectiveAt)}::timestamptz,
          ${change.from}, ${change.to})`)
      if (DateTime.isLessThanOrEqualTo(change.effectiveAt, change.requestedAt)) {
        yield* mapRead("CustomerRepo.changePlan")(sql`
          UPDATE customers SET plan = ${change.to}, updated_at = now() WHERE id = ${id}`)
      }
      return yield* findById(id)
    }).pipe(Effect.withSpan("CustomerRepo.changePlan"))

  const search = (options: CustomerRepo.CustomerSearch) => {
    const text =
      options.text === undefined
        ? sql`true`
        : sql`(name ILIKE ${`%${escapeLike(options.text)}%`} OR email ILIKE ${`%${escapeLike(options.text)}%`})`
    const status = options.status === undefined ? sql`true` : sql`status = ${options.status}`
    const after =
      options.after === undefined
        ? sql`true`
        : sql`(created_at, id) > (${DateTime.formatIso(options.after.createdAt)}::timestamptz, ${options.after.id}::uuid)`
    return mapRead("CustomerRepo.search")(
      Effect.flatMap(
        sql`SELECT ${columns} FROM customers WHERE ${text} AND ${status} AND ${after}
          ORDER BY created_at, id LIMIT ${options.limit}`,
        (rows) => Effect.forEach(rows, toCustomer)
      )
    ).pipe(Effect.withSpan("CustomerRepo.search"))
  }

  const list = mapRead("CustomerRepo.list")(
    Effect.flatMap(sql`SELECT ${columns} FROM customers ORDER BY created_at, id`, (rows) =>
      Effect.forEach(rows, toCustomer)
    )
  ).pipe(Effect.withSpan("CustomerRepo.list"))

  return CustomerRepo.CustomerRepo.of({
    insert,
    findById,
    setStatus,
    update,
    changePlan,
    search,
    setTerms,
    list
  })
})

/** `CustomerRepo` on the current `SqlClient`. */
export const layer: Layer.Layer<CustomerRepo.CustomerRepo, never, SqlClient.SqlClient> = Layer.effect(
  CustomerRepo.CustomerRepo,
  make
)
