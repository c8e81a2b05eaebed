/**
 * The Node server (`securebase serve`, `npm start`): the API on a Node HTTP server, on the
 * services the configuration chooses (the embedded defaults unless the environment says
 * otherwise). The order matters to whoever starts it: the services come up, the port is bound,
 * and only then are the demo tenants seeded and the banner printed, with the port actually bound
 * (`PORT=0` picks a free one). Interrupting it (SIGINT, SIGTERM) stops accepting, drains the
 * requests in flight and releases the database.
 */
import { createServer } from "node:http"
import { NodeHttpServer } from "@effect/platform-node"
import { Console, Context, Effect, Layer, Option } from "effect"
import { HttpRouter, HttpServer } from "effect/http"
import type * as ServerConfig from "./Config.ts"
import * as DemoData from "./demo/DemoData.ts"
import { routesLayer, servicesLayer } from "./Layers.ts"

/** The services the routes are built on: what `servicesLayer` provides. */
export type Services = Layer.Success<ReturnType<typeof servicesLayer>>

/**
 * The API on `httpServer` (a Node HTTP server layer), over already built `services`.
 *
 * The services are given to the routes, which capture them when they are built (every HttpApi
 * group, and the webhook route, provides its captured context to its own requests), and not to
 * the server: a request's fiber starts from the server's own context, the platform's few
 * services. Each API request merges its group's context into its fiber's, copying both, so the
 * server's context is kept small: given the services too, every request copied them twice more.
 * The compiler holds the routes to it: a route that needed a service from the request's context
 * would be a requirement of this layer.
 */
export const layerOn = <E>(
  config: ServerConfig.ServerConfig,
  services: Context.Context<Services>,
  httpServer: Layer.Layer<HttpServer.HttpServer, E>
) =>
  HttpRouter.serve(
    routesLayer(config).pipe(
      Layer.provide(Layer.succeedContext(services)),
      // The platform's services (files, paths, ETags) are the routes' too, not the server's.
      Layer.provide(NodeHttpServer.layerHttpServices)
    ),
    { disableLogger: !config.accessLog, disableListenLog: true }
  ).pipe(Layer.provideMerge(httpServer))

/** The API on a Node HTTP server listening on `port` and `host` (see `layerOn`). */
export const layer = (
  config: ServerConfig.ServerConfig,
  services: Context.Context<Services>,
  listen: { readonly port: number; readonly host: string }
) => layerOn(config, services, NodeHttpServer.layerServer(createServer, listen))

/** What the banner says about the database. */
const databaseLine = (config: ServerConfig.ServerConfig) =>
  Option.isSome(config.databaseUrl)
    ? "PostgreSQL (DATABASE_URL)"
    : `embedded PGlite${Option.match(config.pgliteDataDir, { onNone: () => " (in memory)", onSome: (d) => ` in ${d}` })}`

/** Whether the data outlives this process (then a seed finds the tenants of an earlier one). */
export const persistent = (config: ServerConfig.ServerConfig): boolean =>
  Option.isSome(config.databaseUrl) || Option.isSome(config.pgliteDataDir)

/** The text printed once the server listens. */
export const banner = (
  config: ServerConfig.ServerConfig,
  url: string,
  tenants: ReadonlyArray<DemoData.DemoTenant>
): string => {
  const lines = [
    "",
    `SecureBase API (${config.profile}) on ${url}`,
    `  database: ${databaseLine(config)}`,
    `  portal:   ${url}/portal   (sign in with an API key${tenants.some((t) => t.apiKey !== null) ? ", e.g. a demo key below" : ""})`,
    `  docs:     ${url}/docs   (OpenAPI: ${url}/openapi.json)`,
    ...(config.ephemeralSigningKey
      ? [
          `  sessions: signed with a random secret generated for this process (${config.signingKeys[0]!.kid}),`,
          "            since JWT_SIGNING_KEYS is unset: they end when it stops and no other instance accepts them"
        ]
      : []),
    ""
  ]
  if (tenants.length > 0) {
    const issued = tenants.filter((t) => t.apiKey !== null)
    lines.push(
      issued.length > 0
        ? "Demo tenants (each key is shown once; every scope):"
        : "Demo tenants (seeded earlier; use the keys that seed printed, or `npx securebase db seed` for new ones):"
    )
    for (const t of tenants)
      lines.push(`  ${t.customer.plan.padEnd(12)} ${t.customer.name.padEnd(24)} ${t.apiKey ?? ""}`.trimEnd())
    const sample = issued[1] ?? issued[0] ?? tenants[1] ?? tenants[0]!
    const key = sample.apiKey ?? "<API key>"
    lines.push(
      "",
      "Try:",
      `  curl ${url}/health`,
      `  curl -H "Authorization: Bearer ${key}" ${url}/invoices`,
      `  curl -H "Authorization: Bearer ${key}" ${url}/invoices/${sample.latestInvoiceId}`,
      `  curl -OJ -H "Authorization: Bearer ${key}" ${url}/invoices/${sample.latestInvoiceId}/download`,
      `  curl -H "Authorization: Bearer ${key}" ${url}/metrics`,
      `  curl -H "Authorization: Bearer ${key}" ${url}/compliance/status`,
      `  curl -X POST -H "Authorization: Bearer ${key}" ${url}/auth/authenticate`,
      ""
    )
  }
  lines.push("Ctrl-C stops the server.")
  return lines.join("\n")
}

/** Runs the server until interrupted. */
export const run = Effect.fn("Server.run")(function* (config: ServerConfig.ServerConfig) {
  const services = yield* Layer.build(servicesLayer(config))
  // The banner says where the server listens, once the demo data is in.
  const server = yield* Layer.build(layer(config, services, { port: config.port, host: config.host }))
  const address = Context.get(server, HttpServer.HttpServer).address
  const host = config.host === "0.0.0.0" || config.host === "::" ? "127.0.0.1" : config.host
  const url =
    address._tag === "UnixPathAddress"
      ? address.path
      : `http://${host.includes(":") ? `[${host}]` : host}:${address.port}`
  const tenants = config.seedDemo
    ? yield* Effect.provide(DemoData.seed({ newKeysForExisting: !persistent(config) }), services)
    : []
  yield* Console.log(banner(config, url, tenants))
  return yield* Effect.never
}, Effect.scoped)
