/**
 * @securebase/http: the one HttpApi of SecureBase, its handlers and the layers that serve it on
 * Node (`main.ts`) or anywhere a web handler runs (`packages/lambda`).
 *
 * ```ts
 * import { App, ServerConfig } from "@securebase/http"
 * const config = yield* ServerConfig.load
 * HttpRouter.serve(App.routesLayer(config)).pipe(Layer.provide(App.servicesLayer(config)))
 * ```
 */

/** The HttpApi definition (contract and OpenAPI). */
export * as Api from "./Api.ts"
/** Composition: `servicesLayer` (data + auth, build once) and `routesLayer` (handlers + middleware). */
export * as App from "./App.ts"
/** The API's error types and their one JSON shape. */
export * as ApiErrors from "./api/ApiErrors.ts"
/** The demo tenants of `npm start` and `npm run db:seed`. */
export * as DemoData from "./demo/DemoData.ts"
/** Invoices as PDF. */
export * as InvoicePdf from "./invoices/InvoicePdf.ts"
/** The mailer chosen by the environment. */
export * as MailerConfig from "./mail/MailerConfig.ts"
/** Who the client is: TRUST_PROXY (hops or trusted networks) and X-Forwarded-For. */
export * as ClientAddress from "./server/ClientAddress.ts"
/** The limits' counters chosen by RATE_LIMIT_STORE (memory, Redis, DynamoDB). */
export * as LimitStores from "./server/LimitStores.ts"
/** The per-address request rate limit (middleware). */
export * as RateLimiter from "./server/RateLimiter.ts"
/** The validated environment configuration and its profiles. */
export * as ServerConfig from "./server/ServerConfig.ts"
