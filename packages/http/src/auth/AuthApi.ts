/**
 * `POST /auth/authenticate`: exchange an API key (as the bearer credential) for a session token,
 * an HS256 JWT valid 24 hours, so clients need not send the long-lived key on every call.
 * `POST /auth/logout`: end the session presented as the bearer credential, on every instance.
 */
import { ApiKey, Ids, PriceBook } from "@securebase/core"
import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "effect/http-api"
import {
  BadRequest,
  ServiceUnavailable,
  TooManyRequestsWithRetryAfter,
  Unauthorized
} from "../api/ApiErrors.ts"
import { Authentication } from "./Authentication.ts"

/** A session issued for a key. */
export const SessionToken = Schema.Struct({
  token: Schema.String,
  tokenType: Schema.Literal("Bearer"),
  expiresAt: Schema.String,
  customerId: Ids.CustomerId,
  plan: PriceBook.PlanCode,
  scopes: Schema.Array(ApiKey.Scope)
}).annotate({ identifier: "SessionToken" })

/** Authentication endpoints. */
export class AuthApi extends HttpApiGroup.make("auth")
  .add(
    HttpApiEndpoint.post("authenticate", "/auth/authenticate", {
      headers: { authorization: Schema.optional(Schema.String) },
      success: SessionToken,
      error: [BadRequest, Unauthorized, TooManyRequestsWithRetryAfter, ServiceUnavailable]
    }).annotateMerge(
      OpenApi.annotations({
        description: "Send the API key as `Authorization: Bearer sb_live_…`; receive a 24-hour session token."
      })
    ),
    HttpApiEndpoint.post("logout", "/auth/logout", {
      success: HttpApiSchema.NoContent,
      error: [BadRequest]
    })
      .middleware(Authentication)
      .annotateMerge(
        OpenApi.annotations({
          description:
            "Send the session token as `Authorization: Bearer …`; it is refused from then on by every " +
            "instance (204). An API key is not a session: revoke keys with `DELETE /api-keys/{id}`."
        })
      )
  )
  .annotateMerge(OpenApi.annotations({ title: "Authentication" })) {}
