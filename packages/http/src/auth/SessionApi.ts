/**
 * The browser's session. `POST /auth/session` exchanges an API key (in the JSON body, never in the
 * URL) for a session kept in an `HttpOnly; Secure; SameSite=Strict` cookie, and answers the CSRF
 * token that every state-changing request authenticated by that cookie must carry in
 * `X-CSRF-Token`. `DELETE /auth/session` ends the session and clears the cookies. The portal signs
 * in this way, so the API key is never stored in the browser.
 */
import { ApiKey, Ids, PriceBook, Text } from "@securebase/core"
import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "effect/http-api"
import { BadRequest, Forbidden, ServiceUnavailable, TooManyRequests, Unauthorized } from "../api/ApiErrors.ts"

/** What the sign-in form sends. */
export const SignIn = Schema.Struct({
  apiKey: Text.singleLine({ minimum: 1, maximum: 256 })
}).annotate({ identifier: "SignIn" })

/** A browser session (the token itself stays in the HttpOnly cookie). */
export const BrowserSession = Schema.Struct({
  customerId: Ids.CustomerId,
  plan: PriceBook.PlanCode,
  scopes: Schema.Array(ApiKey.Scope),
  expiresAt: Schema.String,
  /** Send it as `X-CSRF-Token` on every state-changing request (also in the `sb_csrf` cookie). */
  csrfToken: Schema.String
}).annotate({ identifier: "BrowserSession" })

/** Browser session endpoints. */
export class SessionApi extends HttpApiGroup.make("session")
  .add(
    HttpApiEndpoint.post("signIn", "/auth/session", {
      payload: SignIn,
      success: BrowserSession,
      error: [BadRequest, Unauthorized, Forbidden, TooManyRequests, ServiceUnavailable]
    }).annotateMerge(
      OpenApi.annotations({
        description:
          "For browsers: send the API key in the JSON body; receive a 24-hour session in the `sb_session` cookie " +
          "(HttpOnly, Secure, SameSite=Strict) and the CSRF token (also in the readable `sb_csrf` cookie). " +
          "Requests without an Authorization header are then authenticated by the cookie; those that change " +
          "state must send the CSRF token as `X-CSRF-Token` and come from this origin, else 403."
      })
    ),
    HttpApiEndpoint.delete("signOut", "/auth/session", {
      success: HttpApiSchema.NoContent,
      error: [Forbidden, ServiceUnavailable]
    }).annotateMerge(
      OpenApi.annotations({
        description:
          "Ends the cookie's session (refused from then on) and clears the cookies; 204 even when the session had already expired."
      })
    )
  )
  .annotateMerge(OpenApi.annotations({ title: "Browser session" })) {}
