/**
 * `/admin/customers`: an operator creates, finds, changes, suspends, reactivates and closes
 * customers. Every change runs as that customer (row-level security applies) and is audited in
 * its chain with the operator as the actor. Scopes: `customers:read`, `customers:write`.
 *
 * The customer's plan is a plan code of the price book: creating a customer on a code the book
 * does not have is refused (422 PRICING.UNKNOWN_PLAN).
 */
import { ApiKey, Currency, Customer, Ids, PriceBook, Tax, Text } from "@securebase/core"
import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "effect/http-api"
import { BadRequest, Conflict, Forbidden, NotFound } from "../api/ApiErrors.ts"
import { OperatorAuthentication } from "./OperatorAuthentication.ts"
import * as OperatorScopes from "./OperatorScopes.ts"

/** A customer as an operator sees it (never its keys' secrets or hashes). */
export const AdminCustomer = Schema.Struct({
  id: Ids.CustomerId,
  name: Schema.String,
  email: Schema.String,
  plan: PriceBook.PlanCode,
  status: Customer.CustomerStatus,
  currency: Currency.Currency,
  taxProfile: Tax.TaxProfile,
  netDays: Schema.Int,
  billingAddress: Schema.NullOr(Customer.BillingAddress),
  taxId: Schema.NullOr(Schema.String),
  createdAt: Schema.NullOr(Schema.DateTimeUtc),
  closedAt: Schema.NullOr(Schema.DateTimeUtc)
}).annotate({ identifier: "AdminCustomer" })
export type AdminCustomer = typeof AdminCustomer.Type

/** The operator's view of a stored customer. */
export const toAdminCustomer = (c: Customer.Customer): AdminCustomer => ({
  id: c.id,
  name: c.name,
  email: c.email,
  plan: c.plan,
  status: c.status,
  currency: c.currency,
  taxProfile: c.taxProfile,
  netDays: c.netDays,
  billingAddress: c.billingAddress ?? null,
  taxId: c.taxId ?? null,
  createdAt: c.createdAt ?? null,
  closedAt: c.closedAt ?? null
})

const CustomerName = Text.singleLine({ minimum: 1, maximum: 200, trimmed: true })
const NetDays = Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 365 }))

/** What an operator sends to create a customer. */
export const CreateCustomer = Schema.Struct({
  name: CustomerName,
  email: Customer.Email,
  plan: PriceBook.PlanCode,
  currency: Schema.optionalKey(Currency.Currency),
  taxProfile: Schema.optionalKey(Tax.TaxProfile),
  netDays: Schema.optionalKey(NetDays),
  billingAddress: Schema.optionalKey(Customer.BillingAddress),
  taxId: Schema.optionalKey(Customer.TaxId)
}).annotate({ identifier: "CreateCustomer" })

/** A created customer and its first API key: the only response that carries that key's secret. */
export const CreatedCustomer = Schema.Struct({
  customer: AdminCustomer,
  apiKey: ApiKey.ApiKey,
  secret: Schema.String,
  notice: Schema.String
}).annotate({ identifier: "CreatedCustomer" })

/** The fields an operator may change in place; `null` clears the billing address or tax id. */
export const UpdateCustomer = Schema.Struct({
  name: Schema.optionalKey(CustomerName),
  email: Schema.optionalKey(Customer.Email),
  taxProfile: Schema.optionalKey(Tax.TaxProfile),
  netDays: Schema.optionalKey(NetDays),
  billingAddress: Schema.optionalKey(Schema.NullOr(Customer.BillingAddress)),
  taxId: Schema.optionalKey(Schema.NullOr(Customer.TaxId))
}).annotate({ identifier: "UpdateCustomer" })

/** Why a status changes (kept in the audit event). */
export const StatusChange = Schema.Struct({
  reason: Schema.optionalKey(Text.singleLine({ minimum: 1, maximum: 500, trimmed: true }))
}).annotate({ identifier: "CustomerStatusChange" })

/** A page of customers; `nextCursor` fetches the next one (null on the last). */
export const CustomerPage = Schema.Struct({
  customers: Schema.Array(AdminCustomer),
  nextCursor: Schema.NullOr(Schema.String)
}).annotate({ identifier: "CustomerPage" })

/** The list's query: text search, status, keyset cursor, page size (1-100, default 50). */
export const CustomerQuery = Schema.Struct({
  q: Schema.optionalKey(Text.singleLine({ minimum: 1, maximum: 200 })),
  status: Schema.optionalKey(Customer.CustomerStatus),
  cursor: Schema.optionalKey(Schema.String.check(Schema.isMaxLength(200))),
  limit: Schema.optionalKey(
    Schema.NumberFromString.check(Schema.isInt(), Schema.isBetween({ minimum: 1, maximum: 100 }))
  )
})

const params = { id: Ids.CustomerId }

const statusEndpoint = (name: "suspend" | "reactivate" | "close") =>
  HttpApiEndpoint.post(name, `/admin/customers/:id/${name}`, {
    params,
    payload: StatusChange,
    success: AdminCustomer,
    error: [BadRequest, Forbidden, NotFound, Conflict]
  }).pipe(OperatorScopes.requires("customers:write"))

/** The customer endpoints of `/admin`. */
export class AdminCustomersApi extends HttpApiGroup.make("adminCustomers")
  .add(
    HttpApiEndpoint.post("create", "/admin/customers", {
      payload: CreateCustomer,
      success: CreatedCustomer.pipe(HttpApiSchema.status(201)),
      error: [BadRequest, Forbidden, Conflict]
    }).pipe(OperatorScopes.requires("customers:write")),
    HttpApiEndpoint.get("list", "/admin/customers", {
      query: CustomerQuery,
      success: CustomerPage,
      error: [BadRequest, Forbidden]
    }).pipe(OperatorScopes.requires("customers:read")),
    HttpApiEndpoint.get("get", "/admin/customers/:id", {
      params,
      success: AdminCustomer,
      error: [Forbidden, NotFound]
    }).pipe(OperatorScopes.requires("customers:read")),
    HttpApiEndpoint.patch("update", "/admin/customers/:id", {
      params,
      payload: UpdateCustomer,
      success: AdminCustomer,
      error: [BadRequest, Forbidden, NotFound]
    }).pipe(OperatorScopes.requires("customers:write")),
    statusEndpoint("suspend"),
    statusEndpoint("reactivate"),
    statusEndpoint("close")
  )
  .middleware(OperatorAuthentication)
  .annotateMerge(OpenApi.annotations({ title: "Admin: customers" })) {}
