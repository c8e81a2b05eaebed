/** The authenticated customer's API keys: list (never the secret), create (secret shown once), revoke. */
import { ApiKey } from "@securebase/core"
import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "effect/http-api"
import { BadRequest, Forbidden, NotFound, Unprocessable } from "../api/ApiErrors.ts"
import { Authentication } from "../auth/Authentication.ts"
import * as Scopes from "../auth/Scopes.ts"

/** What a customer sends to create a key. */
export const CreateApiKey = Schema.Struct({
  name: ApiKey.KeyName,
  scopes: ApiKey.Scopes,
  mode: Schema.optional(ApiKey.KeyMode),
  expiresInDays: Schema.optional(Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 730 })))
}).annotate({ identifier: "CreateApiKey" })

/** A created key: the only response that ever carries the secret. */
export const CreatedApiKey = Schema.Struct({
  apiKey: ApiKey.ApiKey,
  secret: Schema.String,
  notice: Schema.String
}).annotate({ identifier: "CreatedApiKey" })

const id = { id: ApiKey.ApiKeyId }

/** API key endpoints (scopes `api_keys:read`, `api_keys:write`). */
export class ApiKeysApi extends HttpApiGroup.make("apiKeys")
  .add(
    HttpApiEndpoint.get("list", "/api-keys", {
      success: Schema.Array(ApiKey.ApiKey),
      error: [Forbidden]
    }).pipe(Scopes.requires("api_keys:read")),
    HttpApiEndpoint.post("create", "/api-keys/create", {
      payload: CreateApiKey,
      success: CreatedApiKey.pipe(HttpApiSchema.status(201)),
      error: [BadRequest, Forbidden, Unprocessable]
    }).pipe(Scopes.requires("api_keys:write")),
    HttpApiEndpoint.delete("revoke", "/api-keys/:id", {
      params: id,
      success: ApiKey.ApiKey,
      error: [Forbidden, NotFound]
    }).pipe(Scopes.requires("api_keys:write"))
  )
  .middleware(Authentication)
  .annotateMerge(OpenApi.annotations({ title: "API keys" })) {}
