/**
 * The browser's session. `POST /auth/session` exchanges an API key (in the JSON body, never in the
 * URL) for a session kept in an `HttpOnly; Secure; SameSite=Strict` cookie, and answers the CSRF
 * token that every state-changing request authenticated by that cookie must carry in
 * `X-CSRF-Token`. `DELETE /auth/session` ends the session and clears the cookies. The portal signs
 * in this way, so the API key is never stored in the browser.
 */
import { ApiKey, FieldDoc, Ids, PriceBook, Text } from "@securebase/core"
import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "effect/http-api"
import { BadRequest, Forbidden, ServiceUnavailable, TooManyRequests, Unauthorized } from "../api/ApiErrors.ts"

/** What the sign-in form sends. */
export const SignIn = Schema.Struct({
  apiKey: Text.singleLine({ minimum: 1, maximum: 256 }).pipe(
    FieldDoc.describe("The API key to sign in with, as shown when it was created.", [
      "sb_live_abcdefghijklmnop_aaaabbbbccccddddeeeeffffgggghhhhiiiijjjjkkkkllllmmmm"
    ])
  )
})
  .annotate({ identifier: "SignIn" })
  .pipe(
    Schema.annotateEncoded({
      examples: [{ apiKey: "sb_live_abcdefghijklmnop_aaaabbbbccccddddeeeeffffgggghhhhiiiijjjjkkkkllllmmmm" }]
    })
  )

/** A browser session (the token itself stays in the HttpOnly cookie). */
export const BrowserSession = Schema.Struct({
  customerId: Ids.CustomerId.pipe(FieldDoc.describe("The customer (tenant) the session acts for, a UUID.")),
  plan: PriceBook.PlanCode.pipe(
    FieldDoc.describe("The customer's plan code, a plan of the price book.", ["standard"])
  ),
  scopes: Schema.Array(ApiKey.Scope).pipe(
    FieldDoc.describe("The scopes of the key the session was opened with.")
  ),
  expiresAt: Schema.String.pipe(
    FieldDoc.describe("When the session ends, RFC 3339 UTC (24 hours after sign-in).", [
      "2026-11-29T12:00:00.000Z"
    ])
  ),
  /** Send it as `X-CSRF-Token` on every state-changing request (also in the `sb_csrf` cookie). */
  csrfToken: Schema.String.pipe(
    FieldDoc.describe(
      "Send it as `X-CSRF-Token` on every state-changing request (it is also in the readable `sb_csrf` cookie)."
    )
  )
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
        summary: "Sign in a browser",
        description:
          "For browsers (no scope needed: the session holds the key's scopes): send the API key in the JSON body; receive a 24-hour session in the `sb_session` cookie " +
          "(HttpOnly, Secure, SameSite=Strict) and the CSRF token (also in the readable `sb_csrf` cookie). " +
          "Requests without an Authorization header are then authenticated by the cookie; those that change " +
          "state must send the CSRF token as `X-CSRF-Token` and come from this origin, else 403 " +
          "`AUTH.CSRF_REJECTED`. Errors: 401 `AUTH.INVALID_KEY` (or another `AUTH.*` code of a refused key), " +
          "429 `AUTH.TOO_MANY_ATTEMPTS`, 503 `AUTH.BACKEND_UNAVAILABLE`."
      })
    ),
    HttpApiEndpoint.delete("signOut", "/auth/session", {
      success: HttpApiSchema.NoContent,
      error: [Forbidden, ServiceUnavailable]
    }).annotateMerge(
      OpenApi.annotations({
        summary: "Sign out a browser",
        description:
          "Ends the cookie's session (refused from then on) and clears the cookies; 204 even when the session " +
          "had already expired. No scope needed. Errors: 403 `AUTH.CSRF_REJECTED` without the CSRF token or " +
          "from another origin, 503 `AUTH.BACKEND_UNAVAILABLE`."
      })
    )
  )
  .annotateMerge(OpenApi.annotations({ title: "Browser session" })) {}
