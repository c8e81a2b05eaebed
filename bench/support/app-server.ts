/**
 * The app as `securebase serve` composes it (configuration from the environment, the same services
 * and routes, `Server.layer`), for the HTTP benchmarks, with ONE difference: the limit store admits
 * every hit (`admit-all.ts`). With SEED_DEMO=true it seeds the demo tenants and prints the banner
 * with their keys, as `securebase serve` does; then `listening <port>`. A failure to start is
 * printed and exits 1 (it exited 0 in silence, and the benchmark waited for a port that never came).
 *
 *   DATABASE_URL=… PORT=0 npx node bench/support/app-server.ts
 */
import { Console, Context, Effect, Layer } from "effect"
import { HttpServer } from "effect/http"
import * as ServerConfig from "../../packages/app/src/Config.ts"
import * as DemoData from "../../packages/app/src/demo/DemoData.ts"
import { servicesLayer } from "../../packages/app/src/Layers.ts"
import * as Server from "../../packages/app/src/Server.ts"
import { admitAll } from "./admit-all.ts"

const program = Effect.gen(function* () {
  const config = yield* ServerConfig.load
  const services = yield* Layer.build(servicesLayer(config, { limits: admitAll }))
  const server = yield* Layer.build(Server.layer(config, services, { port: config.port, host: config.host }))
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
