/**
 * The operator middleware's contract: every `/admin/…` endpoint takes an operator key
 * (`Authorization: Bearer sb_op_<id>_<secret>`), which becomes the request's `CurrentOperator`
 * and its principal `operator:<id>` (the actor of every audit event the request appends). A
 * tenant's API key or session gets 403; no credential, or an operator key that does not
 * authenticate, 401 with the bearer challenge; a client with too many failed attempts, 429.
 */
import type { Operator } from "@securebase/core"
import { Context } from "effect"
import { HttpApiMiddleware, HttpApiSecurity } from "effect/http-api"
import {
  Forbidden,
  ServiceUnavailable,
  TooManyRequestsWithRetryAfter,
  Unauthorized
} from "../api/ApiErrors.ts"

/** The authenticated operator of the current request. */
export class CurrentOperator extends Context.Service<CurrentOperator, Operator.OperatorIdentity>()(
  "@securebase/http/CurrentOperator"
) {}

/** Operator-key authentication for the `/admin` endpoints. */
export class OperatorAuthentication extends HttpApiMiddleware.Service<
  OperatorAuthentication,
  { provides: CurrentOperator }
>()("@securebase/http/OperatorAuthentication", {
  security: { operator: HttpApiSecurity.bearer },
  error: [Unauthorized, Forbidden, TooManyRequestsWithRetryAfter, ServiceUnavailable]
}) {}
