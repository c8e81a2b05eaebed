/**
 * `GET /account`: who the caller is. The customer's name, plan, status and creation date (the
 * portal shows usage only from the month the customer was created), and the scopes the caller's
 * key or session holds. Any authenticated caller may read its own account.
 */
import { ApiKey, Customer, Ids, PriceBook } from "@securebase/core"
import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "effect/http-api"
import { Authentication } from "../auth/Authentication.ts"

/** The caller's account. */
export const Account = Schema.Struct({
  customerId: Ids.CustomerId,
  name: Schema.String,
  email: Schema.String,
  plan: PriceBook.PlanCode,
  status: Customer.CustomerStatus,
  /** When the customer was created; null for a store that does not keep it. */
  createdAt: Schema.NullOr(Schema.DateTimeUtc),
  /** The API key this request's credential is (or was exchanged for). */
  keyId: ApiKey.ApiKeyId,
  /** The scopes of the credential this request used. */
  scopes: Schema.Array(ApiKey.Scope),
  /** How this request authenticated. */
  via: Schema.Literals(["api_key", "session"])
}).annotate({ identifier: "Account" })

/** Account endpoints (no scope: every caller may read its own account). */
export class AccountApi extends HttpApiGroup.make("account")
  .add(HttpApiEndpoint.get("get", "/account", { success: Account }))
  .middleware(Authentication)
  .annotateMerge(OpenApi.annotations({ title: "Account" })) {}
