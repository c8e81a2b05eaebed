/**
 * `POST /auth/authenticate`: exchange an API key (as the bearer credential) for a session token,
 * an HS256 JWT valid 24 hours, so clients need not send the long-lived key on every call.
 * `POST /auth/logout`: end the session presented as the bearer credential, on every instance.
 */
import { ApiKey, FieldDoc, Ids, PriceBook } from "@securebase/core"
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
  token: Schema.String.pipe(
    FieldDoc.describe("The session token (an HS256 JWT): send it as `Authorization: Bearer <token>`.", [
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIuLi4ifQ.c2lnbmF0dXJl"
    ])
  ),
  tokenType: Schema.Literal("Bearer").pipe(FieldDoc.describe("Always `Bearer`.")),
  expiresAt: Schema.String.pipe(
    FieldDoc.describe("When the session ends, RFC 3339 UTC (24 hours after it began).", [
      "2026-11-29T12:00:00.000Z"
    ])
  ),
  customerId: Ids.CustomerId.pipe(FieldDoc.describe("The customer (tenant) the session acts for, a UUID.")),
  plan: PriceBook.PlanCode.pipe(
    FieldDoc.describe("The customer's plan code, a plan of the price book.", ["standard"])
  ),
  scopes: Schema.Array(ApiKey.Scope).pipe(
    FieldDoc.describe("The scopes of the key the session was issued for; the session holds exactly these.")
  )
}).annotate({ identifier: "SessionToken" })

/** Authentication endpoints. */
export class AuthApi extends HttpApiGroup.make("auth")
  .add(
    HttpApiEndpoint.post("authenticate", "/auth/authenticate", {
      headers: {
        authorization: Schema.optional(Schema.String).pipe(
          FieldDoc.describe("The API key as `Bearer sb_live_<id>_<secret>`.")
        )
      },
      success: SessionToken,
      error: [BadRequest, Unauthorized, TooManyRequestsWithRetryAfter, ServiceUnavailable]
    }).annotateMerge(
      OpenApi.annotations({
        summary: "Exchange an API key for a session token",
        description:
          "Send the API key as `Authorization: Bearer sb_live_…`; receive a 24-hour session token (an HS256 JWT) " +
          "to send as the bearer credential instead of the key. No scope needed: the session holds the key's " +
          "scopes. Errors: 401 `AUTH.MISSING_CREDENTIAL`, `AUTH.MALFORMED_KEY`, `AUTH.INVALID_KEY`, " +
          "`AUTH.KEY_REVOKED` or `AUTH.KEY_EXPIRED`; 429 `AUTH.TOO_MANY_ATTEMPTS` after repeated failures " +
          "(with `Retry-After`); 503 `AUTH.BACKEND_UNAVAILABLE`."
      })
    ),
    HttpApiEndpoint.post("logout", "/auth/logout", {
      success: HttpApiSchema.NoContent,
      error: [BadRequest]
    })
      .middleware(Authentication)
      .annotateMerge(
        OpenApi.annotations({
          summary: "End a session token",
          description:
            "Send the session token as `Authorization: Bearer …`; it is refused from then on by every " +
            "instance (204). No scope needed. An API key is not a session: revoke keys with " +
            "`DELETE /api-keys/{id}` (400 `AUTH.SESSION_REQUIRED`)."
        })
      )
  )
  .annotateMerge(OpenApi.annotations({ title: "Authentication" })) {}
