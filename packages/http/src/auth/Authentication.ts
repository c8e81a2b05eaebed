/**
 * The authentication middleware's contract: a bearer credential (an API key `sb_live_…` or a
 * session token from `POST /auth/authenticate`), or, without an Authorization header, the
 * browser's session cookie (`POST /auth/session`), becomes the `CurrentIdentity` of the request,
 * and through it the tenant of everything the handler does. A cookie-authenticated request that
 * changes state without its CSRF token is refused with 403.
 */
import type { Identity } from "@securebase/core"
import { Context } from "effect"
import { HttpApiMiddleware, HttpApiSecurity } from "effect/http-api"
import {
  Forbidden,
  ServiceUnavailable,
  TooManyRequestsWithRetryAfter,
  Unauthorized
} from "../api/ApiErrors.ts"

/** The authenticated caller of the current request. */
export class CurrentIdentity extends Context.Service<CurrentIdentity, Identity.Identity>()(
  "@securebase/http/CurrentIdentity"
) {}

/** Bearer (or session cookie) authentication for every tenant endpoint. */
export class Authentication extends HttpApiMiddleware.Service<
  Authentication,
  { provides: CurrentIdentity }
>()("@securebase/http/Authentication", {
  security: { bearer: HttpApiSecurity.bearer },
  error: [Unauthorized, Forbidden, TooManyRequestsWithRetryAfter, ServiceUnavailable]
}) {}
