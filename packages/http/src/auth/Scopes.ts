/**
 * The scope an endpoint requires, declared where the endpoint is defined:
 *
 * ```ts
 * HttpApiEndpoint.get("list", "/invoices", { … }).pipe(Scopes.requires("invoices:read"))
 * ```
 *
 * The authentication middleware reads it from the endpoint being served and answers 403
 * `AUTH.SCOPE_MISSING` when the credential lacks it, before the handler runs; the OpenAPI document
 * lists it in the operation's `security` requirement (OpenAPI 3.1 lets a non-OAuth scheme name
 * the roles it needs) and as `x-required-scope`. One declaration, three effects: no handler checks
 * scopes itself.
 */
import type { ApiKey } from "@securebase/core"
import { Context, type Option } from "effect"
import { type HttpApiEndpoint, OpenApi } from "effect/http-api"

/** The scope the annotated endpoint requires. */
export class RequiredScope extends Context.Service<RequiredScope, ApiKey.Scope>()(
  "@securebase/http/auth/RequiredScope"
) {}

/** What `requires` needs of an endpoint: its own `annotate`, which keeps the endpoint's type. */
interface Annotatable<E> {
  readonly annotate: <I, S>(key: Context.Key<I, S>, value: S) => E
}

/** Declares the scope an endpoint requires (enforced by the middleware, shown in OpenAPI). */
export const requires =
  (scope: ApiKey.Scope) =>
  <E extends Annotatable<E>>(endpoint: E): E =>
    endpoint
      .annotate(RequiredScope, scope)
      .annotate(OpenApi.Override, { security: [{ bearer: [scope] }], "x-required-scope": scope })

/** The scope an endpoint requires, if it declares one. */
export const of = (endpoint: HttpApiEndpoint.Top): Option.Option<ApiKey.Scope> =>
  Context.getOption(endpoint.annotations, RequiredScope)
