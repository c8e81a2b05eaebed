/**
 * The real application on a real Node HTTP server on 127.0.0.1 (an ephemeral port), over embedded
 * PGlite with the demo tenants seeded: what `npm start` runs, so the tests exercise it through
 * loopback exactly as a client would.
 */
import { Operators, Pricing } from "@securebase/core"
import { ConfigProvider, Context, Effect, Layer, Redacted } from "effect"
import { HttpServer } from "effect/http"
import * as ServerConfig from "../../src/Config.ts"
import * as DemoData from "../../src/demo/DemoData.ts"
import { servicesLayer } from "../../src/Layers.ts"
import * as Server from "../../src/Server.ts"

/** A running server and its seeded tenants (index 0 standard … 3 gov-federal). */
export class TestServer extends Context.Service<
  TestServer,
  {
    readonly url: string
    readonly tenants: ReadonlyArray<DemoData.IssuedTenant>
    /** The server's own services (repositories, audit log), for checking what a request stored. */
    readonly services: Context.Context<any>
  }
>()("@securebase/http/test/TestServer") {
  /**
   * Starts the app with `env` on top of the test defaults, pricing with `policy` when given (as an
   * embedding deployment would); stops it when the layer is released.
   */
  static readonly layer = (
    env: Record<string, string> = {},
    options: { readonly policy?: Pricing.Setup } = {}
  ) =>
    Layer.effect(
      TestServer,
      Effect.gen(function* () {
        const config = yield* ServerConfig.load.pipe(
          Effect.provideService(
            ConfigProvider.ConfigProvider,
            // Every test request comes from 127.0.0.1: a lenient failure throttle keeps the suites'
            // deliberate failures from locking each other out (throttling has its own test).
            ConfigProvider.fromEnv({
              env: {
                SEED_DEMO: "true",
                AUTH_FREE_FAILURES: "1000",
                AUTH_MAX_FAILURES: "2000",
                // The migrated cluster the suites' global setup cached (PgliteSnapshot).
                ...(process.env.PGLITE_TEMPLATE === undefined
                  ? {}
                  : { PGLITE_TEMPLATE: process.env.PGLITE_TEMPLATE }),
                ...env
              }
            })
          ),
          Effect.orDie
        )
        // The pricing policy is one of the services the routes are built on (see `Server.layer`).
        const services = yield* Layer.build(
          servicesLayer(config).pipe(
            Layer.provideMerge(
              options.policy === undefined ? Layer.empty : Layer.succeed(Pricing.Pricing, options.policy)
            )
          )
        )
        const server = yield* Layer.build(
          Server.layer({ ...config, accessLog: false }, services, { port: 0, host: "127.0.0.1" })
        )
        const tenants = yield* Effect.orDie(Effect.provide(DemoData.seedWithKeys(), services))
        const address = Context.get(server, HttpServer.HttpServer).address
        if (address._tag === "UnixPathAddress") return yield* Effect.die("expected a TCP address")
        return {
          url: `http://127.0.0.1:${address.port}`,
          tenants,
          services: services as Context.Context<any>
        }
      })
    )
}

/** A new operator of the running server with `scopes`, and its key (`sb_op_…`) in plain text. */
export const operatorKey = (scopes: ReadonlyArray<string>, name = "receivables") =>
  Effect.gen(function* () {
    const { services } = yield* TestServer
    const created = yield* Effect.orDie(Context.get(services, Operators.Operators).create({ name, scopes }))
    return { id: created.operator.id, key: Redacted.value(created.plaintext) }
  })

/** A response as the tests look at it. */
export interface Reply {
  readonly status: number
  readonly headers: Headers
  readonly body: any
  readonly bytes: Uint8Array
}

/** One HTTP request over loopback. */
export const call = (
  url: string,
  method: string,
  path: string,
  options: {
    readonly token?: string
    readonly json?: unknown
    readonly body?: string
    readonly headers?: Record<string, string>
  } = {}
) =>
  Effect.promise(async (): Promise<Reply> => {
    const headers: Record<string, string> = { ...options.headers }
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`
    let body: string | undefined = options.body
    if (options.json !== undefined) {
      body = JSON.stringify(options.json)
      headers["content-type"] ??= "application/json"
    }
    const response = await fetch(`${url}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body })
    })
    const bytes = new Uint8Array(await response.arrayBuffer())
    const type = response.headers.get("content-type") ?? ""
    const text = new TextDecoder().decode(bytes)
    return {
      status: response.status,
      headers: response.headers,
      bytes,
      body: type.includes("json") && text !== "" ? JSON.parse(text) : text
    }
  })
