/**
 * `/admin/customers`: an operator creates, finds, changes, suspends, reactivates and closes
 * customers. Every change runs as that customer (row-level security applies) and is audited in
 * its chain with the operator as the actor. Scopes: `customers:read`, `customers:write`.
 *
 * The customer's plan is a plan code of the price book: creating a customer on a code the book
 * does not have is refused (422 PRICING.UNKNOWN_PLAN).
 */
import {
  ApiKey,
  Currency,
  Customer,
  FieldDoc,
  Ids,
  Invoice,
  Money,
  PriceBook,
  Tax,
  Text
} from "@securebase/core"
import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "effect/http-api"
import { BadRequest, Conflict, Forbidden, NotFound, Unprocessable } from "../api/ApiErrors.ts"
import { OperatorAuthentication } from "./OperatorAuthentication.ts"
import * as OperatorScopes from "./OperatorScopes.ts"

/** A customer as an operator sees it (never its keys' secrets or hashes). */
export const AdminCustomer = Schema.Struct({
  id: Ids.CustomerId.pipe(FieldDoc.describe("The customer's id, a UUID.")),
  name: Schema.String.pipe(FieldDoc.describe("The customer's name.", ["Acme Analytics"])),
  email: Schema.String.pipe(
    FieldDoc.describe("The customer's billing e-mail address.", ["billing@acme.example"])
  ),
  plan: PriceBook.PlanCode.pipe(
    FieldDoc.describe("The customer's plan code, a plan of the price book.", ["standard"])
  ),
  status: Customer.CustomerStatus.pipe(
    FieldDoc.describe("`active`, `suspended` (keys refused) or `closed` (for good).")
  ),
  currency: Currency.Currency.pipe(FieldDoc.describe("The currency the customer is billed in (ISO 4217).")),
  taxProfile: Tax.TaxProfile.pipe(
    FieldDoc.describe("Where the customer is taxed and any exemption on file.")
  ),
  netDays: Schema.Int.pipe(FieldDoc.describe("Payment terms: days from issue to due date.", [30])),
  billingAddress: Schema.NullOr(Customer.BillingAddress).pipe(
    FieldDoc.describe("The address printed in the invoice's buyer block; null when none is on file.")
  ),
  taxId: Schema.NullOr(Schema.String).pipe(
    FieldDoc.describe("The customer's tax registration number (VAT id, EIN, …); null when none is on file.", [
      "12-3456789"
    ])
  ),
  createdAt: Schema.NullOr(Schema.DateTimeUtc).pipe(
    FieldDoc.describe("When the customer was created, RFC 3339 UTC; null for a store that does not keep it.")
  ),
  closedAt: Schema.NullOr(Schema.DateTimeUtc).pipe(
    FieldDoc.describe("When the customer was closed, RFC 3339 UTC; null unless closed.")
  ),
  /** Every plan change, oldest first, a scheduled one included. */
  planChanges: Schema.Array(Customer.PlanChange).pipe(
    FieldDoc.describe("Every plan change, oldest first, a scheduled one included.")
  )
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
  closedAt: c.closedAt ?? null,
  planChanges: c.planChanges ?? []
})

const CustomerName = Text.singleLine({ minimum: 1, maximum: 200, trimmed: true })
const NetDays = Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 365 }))

/** What an operator sends to create a customer. */
export const CreateCustomer = Schema.Struct({
  name: CustomerName.pipe(
    FieldDoc.describe("The customer's name, 1 to 200 characters on one line.", ["Acme Analytics"])
  ),
  email: Customer.Email.pipe(
    FieldDoc.describe("The customer's billing e-mail address.", ["billing@acme.example"])
  ),
  plan: PriceBook.PlanCode.pipe(
    FieldDoc.describe("The code of the plan to bill the customer on: a plan of the pricing policy's books.", [
      "fintech"
    ])
  ),
  currency: Schema.optionalKey(Currency.Currency).pipe(
    FieldDoc.describe("The billing currency (ISO 4217), fixed at creation; USD when omitted.")
  ),
  taxProfile: Schema.optionalKey(Tax.TaxProfile).pipe(
    FieldDoc.describe("Where the customer is taxed and any exemption; the default jurisdiction when omitted.")
  ),
  netDays: Schema.optionalKey(NetDays).pipe(
    FieldDoc.describe("Payment terms, 0 to 365 days; net 30 when omitted.", [30])
  ),
  billingAddress: Schema.optionalKey(Customer.BillingAddress).pipe(
    FieldDoc.describe("The address for the invoice's buyer block.")
  ),
  taxId: Schema.optionalKey(Customer.TaxId).pipe(
    FieldDoc.describe("The customer's tax registration number (VAT id, EIN, …).", ["12-3456789"])
  )
})
  .annotate({ identifier: "CreateCustomer" })
  .pipe(
    Schema.annotateEncoded({
      examples: [
        {
          name: "Acme Analytics, Inc.",
          email: "billing@acme.example",
          plan: "fintech",
          currency: "USD",
          taxProfile: { jurisdiction: "US" },
          netDays: 30,
          billingAddress: {
            line1: "500 Market Street",
            line2: "Suite 400",
            city: "San Francisco",
            region: "CA",
            postalCode: "94105",
            country: "US"
          },
          taxId: "12-3456789"
        }
      ]
    })
  )

/** A created customer and its first API key: the only response that carries that key's secret. */
export const CreatedCustomer = Schema.Struct({
  customer: AdminCustomer.pipe(FieldDoc.describe("The customer as created.")),
  apiKey: ApiKey.ApiKey.pipe(FieldDoc.describe("The customer's first API key, as it will be listed.")),
  secret: Schema.String.pipe(
    FieldDoc.describe(
      "The full key, `sb_live_<id>_<secret>`: shown once, never again; hand it to the customer."
    )
  ),
  notice: Schema.String.pipe(FieldDoc.describe("A reminder to store the secret now."))
}).annotate({ identifier: "CreatedCustomer" })

/** The fields an operator may change in place; `null` clears the billing address or tax id. */
export const UpdateCustomer = Schema.Struct({
  name: Schema.optionalKey(CustomerName).pipe(
    FieldDoc.describe("A new name, 1 to 200 characters on one line.")
  ),
  email: Schema.optionalKey(Customer.Email).pipe(FieldDoc.describe("A new billing e-mail address.")),
  taxProfile: Schema.optionalKey(Tax.TaxProfile).pipe(
    FieldDoc.describe("A new tax profile (it replaces the old one whole).")
  ),
  netDays: Schema.optionalKey(NetDays).pipe(
    FieldDoc.describe("New payment terms, 0 to 365 days; they apply to invoices issued from now on.")
  ),
  billingAddress: Schema.optionalKey(Schema.NullOr(Customer.BillingAddress)).pipe(
    FieldDoc.describe("A new billing address; null clears it.")
  ),
  taxId: Schema.optionalKey(Schema.NullOr(Customer.TaxId)).pipe(
    FieldDoc.describe("A new tax registration number; null clears it.")
  )
})
  .annotate({ identifier: "UpdateCustomer" })
  .pipe(Schema.annotateEncoded({ examples: [{ email: "accounts@acme.example", netDays: 45, taxId: null }] }))

/** Why a status changes (kept in the audit event). */
export const StatusChange = Schema.Struct({
  reason: Schema.optionalKey(Text.singleLine({ minimum: 1, maximum: 500, trimmed: true })).pipe(
    FieldDoc.describe("Why the status changes, kept in the audit event (1 to 500 characters on one line).", [
      "unpaid invoices since August"
    ])
  )
})
  .annotate({ identifier: "CustomerStatusChange" })
  .pipe(Schema.annotateEncoded({ examples: [{ reason: "unpaid invoices since August" }] }))

/** A page of customers; `nextCursor` fetches the next one (null on the last). */
export const CustomerPage = Schema.Struct({
  customers: Schema.Array(AdminCustomer).pipe(
    FieldDoc.describe("The customers of this page, in creation order.")
  ),
  nextCursor: Schema.NullOr(Schema.String).pipe(
    FieldDoc.describe("Pass as `cursor` to get the next page; null on the last page.")
  )
}).annotate({ identifier: "CustomerPage" })

/** The list's query: text search, status, keyset cursor, page size (1-100, default 50). */
export const CustomerQuery = Schema.Struct({
  // Names and e-mail addresses: letters, digits, spaces and . _ @ + - & ' , (so a search is
  // never a pattern, and bytes that are not UTF-8, left as they came or replaced, are refused).
  q: Schema.optionalKey(
    Schema.String.check(
      Schema.isPattern(/^[\p{L}\p{N} ._@+&',-]{1,200}$/u, {
        message: "expected 1-200 letters, digits, spaces or . _ @ + & ' , -"
      })
    )
  ).pipe(
    FieldDoc.describe("Search: customers whose name or e-mail contains this text (case-insensitive).", [
      "acme"
    ])
  ),
  status: Schema.optionalKey(Customer.CustomerStatus).pipe(
    FieldDoc.describe("Only customers in this status.")
  ),
  cursor: Schema.optionalKey(Schema.String.check(Schema.isMaxLength(200))).pipe(
    FieldDoc.describe("The `nextCursor` of the previous page; omit for the first page.")
  ),
  limit: Schema.optionalKey(
    Schema.NumberFromString.check(Schema.isInt(), Schema.isBetween({ minimum: 1, maximum: 100 }))
  ).pipe(FieldDoc.describe("How many customers per page, 1 to 100 (default 50).", ["50"]))
})

const params = { id: Ids.CustomerId.pipe(FieldDoc.describe("The customer's id, a UUID.")) }

const statusErrors =
  "Operator scope `customers:write`. Errors: 400 `REQUEST.INVALID` (a reason that is empty or longer than 500 " +
  "characters), 403 `AUTH.SCOPE_MISSING`, 404 `CUSTOMER.NOT_FOUND`, 409 `CUSTOMER.STATUS_CONFLICT` for an " +
  "impossible move (a closed customer stays closed)."

const statusDocs = {
  suspend: {
    summary: "Suspend a customer",
    description:
      "Suspends an active customer: its API keys are refused at once and its sessions end; nothing is deleted. " +
      "Audited as `customer.suspended` with the reason. " +
      statusErrors
  },
  reactivate: {
    summary: "Reactivate a customer",
    description:
      "Reactivates a suspended customer: its keys work again. Audited as `customer.reactivated` with the reason. " +
      statusErrors
  },
  close: {
    summary: "Close a customer",
    description:
      "Closes the customer for good: it is billed for the month it closed in and never after. Audited as " +
      "`customer.closed` with the reason. " +
      statusErrors
  }
} as const

/** A plan change: the new plan, at once (prorated) or from the start of next month. */
export const ChangePlan = Schema.Struct({
  plan: PriceBook.PlanCode.pipe(
    FieldDoc.describe("The code of the new plan, a plan of the price book.", ["healthcare"])
  ),
  effective: Schema.Literals(["immediately", "next_period"]).pipe(
    FieldDoc.describe(
      "`immediately`: from now, the flat fees prorated by whole UTC days on this month's invoice; `next_period`: from the first day of next month."
    )
  )
})
  .annotate({ identifier: "ChangePlan" })
  .pipe(Schema.annotateEncoded({ examples: [{ plan: "healthcare", effective: "immediately" }] }))

/** The changed customer, when the change takes effect, and for an immediate one its proration. */
export const PlanChanged = Schema.Struct({
  customer: AdminCustomer.pipe(FieldDoc.describe("The customer after the change.")),
  effectiveAt: Schema.DateTimeUtc.pipe(FieldDoc.describe("When the new plan takes effect, RFC 3339 UTC.")),
  /**
   * For an immediate change: the old plan's flat fee credited and the new one charged for the rest
   * of the month, in minor units (the month's invoice shows the resulting segments).
   */
  proration: Schema.NullOr(
    Schema.Struct({
      currency: Currency.Currency.pipe(FieldDoc.describe("The currency of the amounts (ISO 4217).")),
      credit: Money.MinorUnits.pipe(
        FieldDoc.describe(
          'The old plan\'s flat fee for the rest of the month, credited, in minor units as a string: "426667" = $4,266.67 (a fintech month of 30 days, 16 days left: $8,000 × 16/30).'
        )
      ),
      charge: Money.MinorUnits.pipe(
        FieldDoc.describe(
          'The new plan\'s flat fee for the rest of the month, charged, in minor units as a string: "800000" = $8,000.00 (healthcare, 16 of 30 days: $15,000 × 16/30).'
        )
      ),
      daysUsed: Schema.Int.pipe(FieldDoc.describe("Whole UTC days of the month on the old plan.", [14])),
      daysRemaining: Schema.Int.pipe(FieldDoc.describe("Whole UTC days of the month on the new plan.", [16]))
    })
  ).pipe(FieldDoc.describe("For an immediate change, its proration; null for a change from next month."))
}).annotate({ identifier: "PlanChanged" })

const statusEndpoint = (name: "suspend" | "reactivate" | "close") =>
  HttpApiEndpoint.post(name, `/admin/customers/:id/${name}`, {
    params,
    payload: StatusChange,
    success: AdminCustomer,
    error: [BadRequest, Forbidden, NotFound, Conflict]
  })
    .annotateMerge(OpenApi.annotations(statusDocs[name]))
    .pipe(OperatorScopes.requires("customers:write"))

/** The customer endpoints of `/admin`. */
export class AdminCustomersApi extends HttpApiGroup.make("adminCustomers")
  .add(
    HttpApiEndpoint.post("create", "/admin/customers", {
      payload: CreateCustomer,
      success: CreatedCustomer.pipe(HttpApiSchema.status(201)),
      error: [BadRequest, Forbidden, Conflict]
    })
      .annotateMerge(
        OpenApi.annotations({
          summary: "Create a customer",
          description:
            "Creates a customer (tenant) with its plan, currency, tax profile, payment terms, billing address and tax id, and answers 201 with the customer and its first API key, whose secret is shown only here. Audited in the customer's chain as `customer.created` with the operator as actor. Operator scope `customers:write`. Errors: 400 `REQUEST.INVALID` (with `field`), 403 `AUTH.SCOPE_MISSING`, 409 `CUSTOMER.ALREADY_EXISTS`."
        })
      )
      .pipe(OperatorScopes.requires("customers:write")),
    HttpApiEndpoint.get("list", "/admin/customers", {
      query: CustomerQuery,
      success: CustomerPage,
      error: [BadRequest, Forbidden]
    })
      .annotateMerge(
        OpenApi.annotations({
          summary: "List customers",
          description:
            "Customers in creation order, optionally searched by name or e-mail (`q`) and filtered by status. Operator scope `customers:read`. Paging: up to `limit` (1\u2013100, default 50) per page; pass the page's `nextCursor` as `cursor` for the next page (null on the last). Errors: 400 `REQUEST.INVALID` for a bad filter, limit or cursor, 403 `AUTH.SCOPE_MISSING`."
        })
      )
      .pipe(OperatorScopes.requires("customers:read")),
    HttpApiEndpoint.get("get", "/admin/customers/:id", {
      params,
      success: AdminCustomer,
      error: [Forbidden, NotFound]
    })
      .annotateMerge(
        OpenApi.annotations({
          summary: "Get a customer",
          description:
            "One customer as an operator sees it (never its keys' secrets). Operator scope `customers:read`. Errors: 400 `REQUEST.INVALID` for an id that is not a UUID, 403 `AUTH.SCOPE_MISSING`, 404 `CUSTOMER.NOT_FOUND`."
        })
      )
      .pipe(OperatorScopes.requires("customers:read")),
    HttpApiEndpoint.patch("update", "/admin/customers/:id", {
      params,
      payload: UpdateCustomer,
      success: AdminCustomer,
      error: [BadRequest, Forbidden, NotFound]
    })
      .annotateMerge(
        OpenApi.annotations({
          summary: "Update a customer",
          description:
            "Changes the fields sent (name, e-mail, tax profile, payment terms, billing address, tax id; `null` clears the billing address or tax id) and answers the customer. Audited as `customer.updated` with the fields before and after. Operator scope `customers:write`. Errors: 400 `REQUEST.INVALID` (with `field`), 403 `AUTH.SCOPE_MISSING`, 404 `CUSTOMER.NOT_FOUND`."
        })
      )
      .pipe(OperatorScopes.requires("customers:write")),
    HttpApiEndpoint.post("changePlan", "/admin/customers/:id/plan", {
      params,
      payload: ChangePlan,
      success: PlanChanged,
      error: [BadRequest, Forbidden, NotFound, Conflict]
    })
      .annotateMerge(
        OpenApi.annotations({
          summary: "Change a customer's plan",
          description:
            "Changes the plan `immediately` (the month's invoice splits into segments of whole UTC days: the old plan's flat fee for the days before, the new one's for the rest; usage is priced by the plan in force when it occurred) or from `next_period`. A later decision replaces a scheduled change. Audited as `customer.plan_changed`. Operator scope `customers:write`. Errors: 400 `REQUEST.INVALID`, 403 `AUTH.SCOPE_MISSING`, 400 `PRICING.UNKNOWN_PLAN` (field `plan`: not a plan of the book of the customer's currency; an immediate change also needs the current plan to be one), 404 `CUSTOMER.NOT_FOUND`, 409 `PLAN.UNCHANGED` (the plan in force already)."
        })
      )
      .pipe(OperatorScopes.requires("customers:write")),
    HttpApiEndpoint.get("upcomingInvoice", "/admin/customers/:id/invoices/upcoming", {
      params,
      success: Invoice.Invoice,
      error: [Forbidden, NotFound, Unprocessable]
    })
      .annotateMerge(
        OpenApi.annotations({
          summary: "Preview a customer's invoice for this month",
          description:
            "The customer's current month as the billing run would invoice it now: a draft with no number, nothing stored. Operator scope `invoices:read`. Errors: 403 `AUTH.SCOPE_MISSING`, 403 `PRICING.UNKNOWN_PLAN` (the customer's plan is not in the price book), 404 `CUSTOMER.NOT_FOUND`, 422 when the month cannot be priced."
        })
      )
      .pipe(OperatorScopes.requires("invoices:read")),
    statusEndpoint("suspend"),
    statusEndpoint("reactivate"),
    statusEndpoint("close")
  )
  .middleware(OperatorAuthentication)
  .annotateMerge(OpenApi.annotations({ title: "Admin: customers" })) {}
