/** The authenticated customer's API keys: list (never the secret), create (secret shown once), revoke. */
import { ApiKey, FieldDoc } from "@securebase/core"
import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "effect/http-api"
import { BadRequest, Forbidden, NotFound, Unprocessable } from "../api/ApiErrors.ts"
import { Authentication } from "../auth/Authentication.ts"
import * as Scopes from "../auth/Scopes.ts"

/** What a customer sends to create a key. */
export const CreateApiKey = Schema.Struct({
  name: ApiKey.KeyName.pipe(
    FieldDoc.describe("A name for the key, 1 to 100 characters on one line.", ["billing export"])
  ),
  scopes: ApiKey.Scopes.pipe(
    FieldDoc.describe("What the key may do: at least one scope, none the calling credential lacks.", [
      ["invoices:read"]
    ])
  ),
  mode: Schema.optional(ApiKey.KeyMode).pipe(FieldDoc.describe("`live` (the default) or `test`.")),
  expiresInDays: Schema.optional(Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 730 }))).pipe(
    FieldDoc.describe("Days until the key expires, 1 to 730; omit for a key that does not expire.", [90])
  )
})
  .annotate({ identifier: "CreateApiKey" })
  .pipe(
    Schema.annotateEncoded({
      examples: [
        { name: "billing export", scopes: ["invoices:read", "metrics:read"], mode: "live", expiresInDays: 90 }
      ]
    })
  )

/** A created key: the only response that ever carries the secret. */
export const CreatedApiKey = Schema.Struct({
  apiKey: ApiKey.ApiKey.pipe(FieldDoc.describe("The key as it will be listed.")),
  secret: Schema.String.pipe(
    FieldDoc.describe("The full key, `sb_<mode>_<id>_<secret>`: shown once, never again.", [
      "sb_live_abcdefghijklmnop_aaaabbbbccccddddeeeeffffgggghhhhiiiijjjjkkkkllllmmmm"
    ])
  ),
  notice: Schema.String.pipe(FieldDoc.describe("A reminder to store the secret now."))
}).annotate({ identifier: "CreatedApiKey" })

const id = {
  id: ApiKey.ApiKeyId.pipe(
    FieldDoc.describe("The key's id: 16 lowercase base32 characters, as in its prefix `sb_live_<id>`.")
  )
}

/** API key endpoints (scopes `api_keys:read`, `api_keys:write`). */
export class ApiKeysApi extends HttpApiGroup.make("apiKeys")
  .add(
    HttpApiEndpoint.get("list", "/api-keys", {
      success: Schema.Array(ApiKey.ApiKey),
      error: [Forbidden]
    })
      .annotateMerge(
        OpenApi.annotations({
          summary: "List API keys",
          description:
            "The caller's API keys, revoked and expired ones included, never their secrets. Scope `api_keys:read`. Errors: 403 `AUTH.SCOPE_MISSING`."
        })
      )
      .pipe(Scopes.requires("api_keys:read")),
    HttpApiEndpoint.post("create", "/api-keys/create", {
      payload: CreateApiKey,
      success: CreatedApiKey.pipe(HttpApiSchema.status(201)),
      error: [BadRequest, Forbidden, Unprocessable]
    })
      .annotateMerge(
        OpenApi.annotations({
          summary: "Create an API key",
          description:
            "Creates a key with a name, scopes (no more than the calling credential holds), a mode and an optional expiry, and answers 201 with the secret: the only time it is ever shown, so store it now. Audited as `api_key.created`. Scope `api_keys:write`. Errors: 400 `REQUEST.INVALID` (a bad name, scope or expiry), 403 `AUTH.SCOPE_MISSING` or `API_KEY.SCOPE_ESCALATION` (a scope the caller lacks), 422 `API_KEY.LIMIT_REACHED` (the plan's key limit)."
        })
      )
      .pipe(Scopes.requires("api_keys:write")),
    HttpApiEndpoint.delete("revoke", "/api-keys/:id", {
      params: id,
      success: ApiKey.ApiKey,
      error: [Forbidden, NotFound]
    })
      .annotateMerge(
        OpenApi.annotations({
          summary: "Revoke an API key",
          description:
            "Revokes the key at once (every instance refuses it from then on) and its sessions with it, and answers the key with `revokedAt` set. Audited as `api_key.revoked`. Scope `api_keys:write`. Errors: 403 `AUTH.SCOPE_MISSING`, 404 `API_KEY.NOT_FOUND` (also for another tenant's key)."
        })
      )
      .pipe(Scopes.requires("api_keys:write"))
  )
  .middleware(Authentication)
  .annotateMerge(OpenApi.annotations({ title: "API keys" })) {}
