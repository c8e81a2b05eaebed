/**
 * The API as one layer: every handler of the HttpApi, the OpenAPI document and reference page,
 * the customer portal's static files, the payment provider's webhook, and the global middleware (one JSON error shape, the body limit, the per-client rate limit),
 * parameterized by plain options. It still needs the services the handlers use (database,
 * tenancy, repositories, the authenticator, the limits' store): the composition root provides them, once, to the
 * Node server and to the Lambda web handler alike.
 */
import { type Duration, Layer } from "effect"
import type { HttpRouter } from "effect/http"
import { HttpApiBuilder } from "effect/http-api"
import { Api } from "./Api.ts"
import * as AccountHttp from "./account/AccountHttp.ts"
import * as AdminComplianceHttp from "./admin/AdminComplianceHttp.ts"
import * as AdminCustomersHttp from "./admin/AdminCustomersHttp.ts"
import * as AdminHttp from "./admin/AdminHttp.ts"
import * as AdminInvoicesHttp from "./admin/AdminInvoicesHttp.ts"
import * as AdminSupportHttp from "./admin/AdminSupportHttp.ts"
import * as OperatorAuthenticationLive from "./admin/OperatorAuthenticationLive.ts"
import * as ApiKeysHttp from "./apikeys/ApiKeysHttp.ts"
import * as AuditHttp from "./audit/AuditHttp.ts"
import * as AuthenticationLive from "./auth/AuthenticationLive.ts"
import * as AuthHttp from "./auth/AuthHttp.ts"
import * as SessionHttp from "./auth/SessionHttp.ts"
import * as ComplianceHttp from "./compliance/ComplianceHttp.ts"
import * as InvoicesHttp from "./invoices/InvoicesHttp.ts"
import * as MetricsHttp from "./metrics/MetricsHttp.ts"
import * as PaymentsHttp from "./payments/PaymentsHttp.ts"
import * as PortalAssets from "./portal/PortalAssets.ts"
import * as BodyLimit from "./server/BodyLimit.ts"
import type * as ClientAddress from "./server/ClientAddress.ts"
import * as ErrorResponses from "./server/ErrorResponses.ts"
import * as QueryEncoding from "./server/QueryEncoding.ts"
import * as RateLimiter from "./server/RateLimiter.ts"
import * as SupportHttp from "./support/SupportHttp.ts"
import * as Docs from "./system/Docs.ts"
import * as SystemHttp from "./system/SystemHttp.ts"
import * as UsageHttp from "./usage/UsageHttp.ts"
import * as PaymentWebhookHttp from "./webhooks/PaymentWebhookHttp.ts"

/** What the API needs to know about its deployment. */
export interface Options {
  /** Reported by `/health`. */
  readonly profile: string
  /** Reported by `/health`. */
  readonly databaseKind: "postgres" | "pglite"
  /** Who may name the client in `X-Forwarded-For` (the rate limiter and the auth middleware alike). */
  readonly trustProxy: ClientAddress.TrustProxy
  /** Larger request bodies are refused with 413 while being read. */
  readonly maxBodyBytes: number
  /** Requests per client address and window. */
  readonly rateLimit: { readonly limit: number; readonly window: Duration.Duration }
  /** The built customer portal (`packages/portal/dist`), served at `/portal`; none when undefined. */
  readonly portalDir?: string | undefined
}

/** `R` with each per-request requirement (`HttpRouter.Request<"Requires", X>`) made `X`. */
type BuiltOn<R> = R extends HttpRouter.Request<"Requires", infer X> ? X : R

/**
 * HttpApi groups whose handlers' per-request requirements are requirements of the groups' build,
 * which is what they are: `HttpApiBuilder.group` captures the context it is built in and provides
 * it to every request of its handlers. Typed so, the server that serves them does not need the
 * services in its own context (where each API request would copy them; see the app's `Server`),
 * and the compiler still names any other route that reads a service from the request's context.
 */
const builtOn = <A, E, R>(groups: Layer.Layer<A, E, R>): Layer.Layer<A, E, BuiltOn<R>> =>
  groups as Layer.Layer<A, E, never> as Layer.Layer<A, E, BuiltOn<R>>

/** Every route, with the middleware (still needing the services the handlers use). */
export const layer = (options: Options) => {
  const keyOptions = { trustProxy: options.trustProxy }
  const handlers = Layer.mergeAll(
    SystemHttp.layer({ profile: options.profile, databaseKind: options.databaseKind }),
    AuthHttp.layer(keyOptions),
    SessionHttp.layer(keyOptions),
    AccountHttp.layer,
    InvoicesHttp.layer(),
    PaymentsHttp.layer,
    MetricsHttp.layer,
    ApiKeysHttp.layer,
    ComplianceHttp.layer,
    SupportHttp.layer,
    UsageHttp.layer,
    AuditHttp.layer,
    AdminHttp.layer,
    AdminCustomersHttp.layer,
    AdminInvoicesHttp.layer(),
    AdminComplianceHttp.layer,
    AdminSupportHttp.layer
  ).pipe(
    builtOn,
    Layer.provide(AuthenticationLive.layer(keyOptions)),
    Layer.provide(OperatorAuthenticationLive.layer(keyOptions))
  )
  return Layer.mergeAll(
    HttpApiBuilder.layer(Api, { openapiPath: "/openapi.json" }).pipe(Layer.provide(handlers)),
    Docs.layer,
    options.portalDir === undefined ? Layer.empty : PortalAssets.layer(options.portalDir),
    // The payment provider's webhook: no tenant authentication, the signature is the credential.
    PaymentWebhookHttp.layer,
    ErrorResponses.layer,
    BodyLimit.middleware(options.maxBodyBytes),
    QueryEncoding.middleware,
    RateLimiter.middleware({ policy: options.rateLimit, trustProxy: options.trustProxy, exempt: ["/health"] })
  )
}
