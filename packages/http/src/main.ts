/**
 * `npm start`: the API on the embedded defaults (PGlite, in-memory session cache) unless the
 * environment says otherwise; seeds the demo tenants in dev and prints how to try them. SIGINT
 * and SIGTERM close the server, drain requests and release the database.
 */
import { createServer } from "node:http"
import { NodeHttpServer, NodeRuntime } from "@effect/platform-node"
import { Cause, Console, Effect, Exit, Layer, Option, Runtime } from "effect"
import { HttpRouter } from "effect/http"
import { routesLayer, servicesLayer } from "./App.ts"
import * as DemoData from "./demo/DemoData.ts"
import * as ServerConfig from "./server/ServerConfig.ts"

const banner = (config: ServerConfig.ServerConfig, tenants: ReadonlyArray<DemoData.DemoTenant>) => {
  const url = `http://${config.host === "0.0.0.0" ? "127.0.0.1" : config.host}:${config.port}`
  const lines = [
    "",
    `SecureBase API (${config.profile}) on ${url}`,
    `  database: ${Option.isSome(config.databaseUrl) ? "PostgreSQL (DATABASE_URL)" : `embedded PGlite${Option.match(config.pgliteDataDir, { onNone: () => " (in memory)", onSome: (d) => ` in ${d}` })}`}`,
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
    lines.push("Demo tenants (keys are shown once; each start issues new ones):")
    for (const t of tenants)
      lines.push(`  ${t.customer.tier.padEnd(12)} ${t.customer.name.padEnd(24)} ${t.apiKey}`)
    const key = tenants[1]?.apiKey ?? tenants[0]!.apiKey
    lines.push(
      "",
      "Try:",
      `  curl ${url}/health`,
      `  curl -H "Authorization: Bearer ${key}" ${url}/invoices`,
      `  curl -H "Authorization: Bearer ${key}" ${url}/metrics`,
      `  curl -H "Authorization: Bearer ${key}" ${url}/compliance/status`,
      `  curl -X POST -H "Authorization: Bearer ${key}" ${url}/auth/authenticate`,
      `  curl -OJ -H "Authorization: Bearer ${key}" ${url}/invoices/<id>/download`,
      ""
    )
  }
  lines.push("Ctrl-C stops the server.")
  return lines.join("\n")
}

const program = Effect.gen(function* () {
  const config = yield* ServerConfig.load
  const services = servicesLayer(config)
  // Seeding runs once the services are up, before the server accepts requests.
  const seedAndAnnounce = Layer.effectDiscard(
    Effect.gen(function* () {
      const tenants = config.seedDemo ? yield* DemoData.seed : []
      yield* Console.log(banner(config, tenants))
    })
  )
  const server = HttpRouter.serve(routesLayer(config), { disableLogger: !config.accessLog }).pipe(
    Layer.provide(NodeHttpServer.layer(createServer, { port: config.port, host: config.host })),
    Layer.provide(seedAndAnnounce),
    Layer.provide(services)
  )
  return yield* Layer.launch(server)
})

// SIGINT/SIGTERM interrupt the program: the server stops accepting, in-flight requests finish and
// the database is released; a shutdown that was asked for exits 0 (orchestrators read anything
// else as a crash). Failures keep Effect's exit codes.
NodeRuntime.runMain(program, {
  teardown: (exit, onExit) =>
    Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause)
      ? onExit(0)
      : Runtime.defaultTeardown(exit, onExit)
})
