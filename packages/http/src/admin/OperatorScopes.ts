/**
 * The operator scope an `/admin` endpoint requires, declared with the endpoint (as `Scopes` does
 * for tenant endpoints): the operator middleware answers 403 `AUTH.SCOPE_MISSING` without it, and
 * the OpenAPI operation lists it under the `operator` security scheme.
 */
import type { Operator } from "@securebase/core"
import { Context, type Option } from "effect"
import { type HttpApiEndpoint, OpenApi } from "effect/http-api"

/** The operator scope the annotated endpoint requires. */
export class RequiredOperatorScope extends Context.Service<RequiredOperatorScope, Operator.OperatorScope>()(
  "@securebase/http/admin/RequiredOperatorScope"
) {}

interface Annotatable<E> {
  readonly annotate: <I, S>(key: Context.Key<I, S>, value: S) => E
}

/** Declares the operator scope an endpoint requires (enforced by the middleware, shown in OpenAPI). */
export const requires =
  (scope: Operator.OperatorScope) =>
  <E extends Annotatable<E>>(endpoint: E): E =>
    endpoint
      .annotate(RequiredOperatorScope, scope)
      .annotate(OpenApi.Override, { security: [{ operator: [scope] }], "x-required-operator-scope": scope })

/** The operator scope an endpoint requires, if it declares one. */
export const of = (endpoint: HttpApiEndpoint.Top): Option.Option<Operator.OperatorScope> =>
  Context.getOption(endpoint.annotations, RequiredOperatorScope)
