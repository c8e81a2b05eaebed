/**
 * The app as `securebase serve` composes it (configuration from the environment, the same services
 * and routes), for the HTTP benchmarks, with ONE difference: the limit store admits every hit.
 * The tier's per-customer limit (600 to 6,000 requests a minute) and the per-address limit would
 * otherwise answer 429 to a benchmark within a second; the store is still called on every request
 * (its cost stays in the figure), it just never refuses. Prints `listening <port>` when bound.
 *
 *   DATABASE_URL=… PORT=0 npx node bench/support/app-server.ts
 */
import { createServer } from "node:http"
import { NodeHttpServer } from "@effect/platform-node"
import { Console, Context, Effect, Layer } from "effect"
import { HttpRouter, HttpServer } from "effect/http"
import * as ServerConfig from "../../packages/app/src/Config.ts"
import { auditLayer, authLayer, dataLayer, routesLayer } from "../../packages/app/src/Layers.ts"
import { LimitStore, PeriodClose } from "../../packages/core/src/index.ts"

/** A limit store that counts nothing and admits everything (benchmarks only, see above). */
const admitAll = Layer.succeed(
  LimitStore.LimitStore,
  LimitStore.LimitStore.of({
    hit: (_key, { now, ttlMillis }) =>
      Effect.succeed({ count: 1, startedAt: now, lastAt: now, expiresAt: now + ttlMillis, counted: true }),
    peek: () => Effect.succeedNone
  })
)

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
  yield* Console.log(`listening ${address._tag === "UnixPathAddress" ? 0 : address.port}`)
  return yield* Effect.never
})

Effect.runFork(Effect.scoped(program) as Effect.Effect<never>)
process.on("SIGTERM", () => process.exit(0))
