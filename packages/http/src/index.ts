/**
 * @securebase/http: the one HttpApi of SecureBase (the contract and its OpenAPI document), its
 * handlers and its middleware, served as one layer. The composition root (`@securebase/app`)
 * provides the services behind it and serves it on Node or on Lambda.
 *
 * ```ts
 * import { HttpApp } from "@securebase/http"
 * HttpRouter.serve(HttpApp.layer(options)).pipe(Layer.provide(services))
 * ```
 */

/** The HttpApi definition (contract and OpenAPI). */
export * as Api from "./Api.ts"
/** The API's error types and their one JSON shape. */
export * as ApiErrors from "./api/ApiErrors.ts"
/** The bearer authentication middleware (API keys and session tokens). */
export * as AuthenticationLive from "./auth/AuthenticationLive.ts"
/** The browser session cookie and its CSRF token. */
export * as SessionCookie from "./auth/SessionCookie.ts"
/** The API as one layer: handlers, OpenAPI, reference page, global middleware. */
export * as HttpApp from "./HttpApp.ts"
/** Credit notes as PDF. */
export * as CreditNotePdf from "./invoices/CreditNotePdf.ts"
/** Invoices as PDF. */
export * as InvoicePdf from "./invoices/InvoicePdf.ts"
/** The customer portal's static files at `/portal`. */
export * as PortalAssets from "./portal/PortalAssets.ts"
/** Who the client is: TRUST_PROXY (hops or trusted networks) and X-Forwarded-For. */
export * as ClientAddress from "./server/ClientAddress.ts"
/** The per-address request rate limit (middleware). */
export * as RateLimiter from "./server/RateLimiter.ts"
/** `POST /webhooks/stripe`: the payment provider's signed events, processed exactly once. */
export * as PaymentWebhookHttp from "./webhooks/PaymentWebhookHttp.ts"
