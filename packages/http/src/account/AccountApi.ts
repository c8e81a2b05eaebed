/**
 * `GET /account`: who the caller is. The customer's name, plan, status and creation date (the
 * portal shows usage only from the month the customer was created), and the scopes the caller's
 * key or session holds, and whether invoices are paid online (the portal asks for an invoice's
 * payment link only then). Any authenticated caller may read its own account.
 */
import { ApiKey, Customer, FieldDoc, Ids, PriceBook } from "@securebase/core"
import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "effect/http-api"
import { Authentication } from "../auth/Authentication.ts"

/** The caller's account. */
export const Account = Schema.Struct({
  customerId: Ids.CustomerId.pipe(FieldDoc.describe("The caller's customer (tenant) id, a UUID.")),
  name: Schema.String.pipe(FieldDoc.describe("The customer's name.", ["Acme Analytics"])),
  email: Schema.String.pipe(
    FieldDoc.describe("The customer's billing e-mail address.", ["billing@acme.example"])
  ),
  plan: PriceBook.PlanCode.pipe(
    FieldDoc.describe("The customer's plan code, a plan of the price book.", ["standard"])
  ),
  status: Customer.CustomerStatus.pipe(
    FieldDoc.describe("Whether the customer is active; an inactive customer's credentials are refused.")
  ),
  /** When the customer was created; null for a store that does not keep it. */
  createdAt: Schema.NullOr(Schema.DateTimeUtc).pipe(
    FieldDoc.describe("When the customer was created, RFC 3339 UTC; null for a store that does not keep it.")
  ),
  /** The API key this request's credential is (or was exchanged for). */
  keyId: ApiKey.ApiKeyId.pipe(
    FieldDoc.describe("The id of the API key this request's credential is (or was exchanged for).")
  ),
  /** The scopes of the credential this request used. */
  scopes: Schema.Array(ApiKey.Scope).pipe(
    FieldDoc.describe("The scopes of the credential this request used.")
  ),
  /** Whether invoices are paid online (a payment provider hosts a payment page per invoice). */
  paymentsOnline: Schema.Boolean.pipe(
    FieldDoc.describe(
      "Whether this deployment collects payments online (`PAYMENTS=stripe`): each issued invoice then gets a hosted payment page, read with `GET /invoices/{id}/payment`. False with manual payments, where that endpoint always answers 404.",
      [true]
    )
  ),
  /** How this request authenticated. */
  via: Schema.Literals(["api_key", "session"]).pipe(
    FieldDoc.describe(
      "How this request authenticated: `api_key` (the key itself) or `session` (a session token or cookie)."
    )
  )
}).annotate({ identifier: "Account" })

/** Account endpoints (no scope: every caller may read its own account). */
export class AccountApi extends HttpApiGroup.make("account")
  .add(
    HttpApiEndpoint.get("get", "/account", { success: Account }).annotateMerge(
      OpenApi.annotations({
        summary: "Get the caller's account",
        description:
          "Who the caller is: the customer's id, name, e-mail, plan code, status and creation date, with the key id, scopes and authentication method of this request's credential, and whether invoices are paid online (`paymentsOnline`). Any authenticated credential may read its own account (no scope needed). Errors: 401 `AUTH.MISSING_CREDENTIAL` (or another `AUTH.*` code) without a valid credential."
      })
    )
  )
  .middleware(Authentication)
  .annotateMerge(OpenApi.annotations({ title: "Account" })) {}
