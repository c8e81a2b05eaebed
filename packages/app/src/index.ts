/**
 * @securebase/app: SecureBase composed. The one place where configuration is read and layers are
 * wired: the Node server, the Lambda entry points, the `securebase` CLI and the demo data all
 * build on these modules.
 */

/** The validated environment configuration and its profiles. */
export * as Config from "./Config.ts"
/** The demo tenants of `npm start` and `securebase db seed`. */
export * as DemoData from "./demo/DemoData.ts"
/** The layers: `servicesLayer` (data + auth, build once) and `routesLayer` (the HttpApi). */
export * as Layers from "./Layers.ts"
/** The mailer chosen by the environment. */
export * as Mail from "./Mail.ts"
/** The Node server. */
export * as Server from "./Server.ts"
