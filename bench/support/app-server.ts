/**
 * The app as `securebase serve` composes it (configuration from the environment, the same services
 * and routes), for the HTTP benchmarks, with ONE difference: the limit store admits every hit
 * (`admit-all.ts`). With SEED_DEMO=true it seeds the demo tenants and prints the banner with their
 * keys, as `securebase serve` does; then `listening <port>`. A failure to start is printed and
 * exits 1 (it exited 0 in silence, and the benchmark waited for a port that never came).
 *
 *   DATABASE_URL=… PORT=0 npx node bench/support/app-server.ts
 */
import { createServer } from "node:http"
import { NodeHttpServer } from "@effect/platform-node"
import { Console, Context, Effect, Layer } from "effect"
import { HttpRouter, HttpServer } from "effect/http"
import * as ServerConfig from "../../packages/app/src/Config.ts"
import * as DemoData from "../../packages/app/src/demo/DemoData.ts"
import { auditLayer, authLayer, dataLayer, routesLayer } from "../../packages/app/src/Layers.ts"
import * as Server from "../../packages/app/src/Server.ts"
import { PeriodClose } from "../../packages/core/src/index.ts"
import { admitAll } from "./admit-all.ts"

const program = Effect.gen(function* () {
  const config = yield* ServerConfig.load
  const data = dataLayer(config)
  const services = Layer.mergeAll(
    authLayer(config).pipe(Layer.provide(data), Layer.provide(admitAll)),
    data,
    admitAll,
    auditLayer(config),
    Layer.succeed(PeriodClose.UsageGrace, config.usageGrace)
  )
  const server = yield* Layer.build(
    HttpRouter.serve(routesLayer(config), { disableLogger: !config.accessLog, disableListenLog: true }).pipe(
      Layer.provideMerge(NodeHttpServer.layer(createServer, { port: config.port, host: config.host })),
      Layer.provide(services)
    )
  )
  const address = Context.get(server, HttpServer.HttpServer).address
  const port = address._tag === "UnixPathAddress" ? 0 : address.port
  // The demo tenants and the banner as `securebase serve` prints them (its keys), when asked.
  if (config.seedDemo) {
    const tenants = yield* Effect.provide(DemoData.seed({ newKeysForExisting: true }), services)
    yield* Console.log(Server.banner(config, `http://127.0.0.1:${port}`, tenants))
  }
  yield* Console.log(`listening ${port}`)
  return yield* Effect.never
})

Effect.runPromise(Effect.scoped(program) as Effect.Effect<never, unknown>).catch((error: unknown) => {
  console.error("the app server did not start:", error)
  process.exit(1)
})
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => process.exit(0))
