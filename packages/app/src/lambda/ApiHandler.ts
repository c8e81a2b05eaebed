/**
 * The API on Lambda: an API Gateway HTTP API (payload 2.0) event becomes a fetch `Request` for the
 * same web handler the HttpApi builds for the Node server, and its `Response` becomes the 2.0
 * result. The web handler is built once per container, at the first invocation, on the
 * container's services (reused through its `MemoMap`), and then serves every warm invocation.
 *
 * The client address is the gateway's `requestContext.http.sourceIp`, given to the app as
 * `ClientAddress.PlatformClientAddress` beside the request, never through a header: whatever
 * `X-Forwarded-For` the caller sends (and whatever `TRUST_PROXY` says), the rate limit, the tier
 * limit's neighbours and the failure throttle see the address the gateway saw.
 *
 * Successful uses of a credential (`auth.used`) are counted in memory and appended by a background
 * flush every `AUTH_USE_FLUSH_INTERVAL`, which a frozen container does not run: the handler flushes
 * them at the end of each invocation, before returning its result, so an invocation's `auth.used`
 * record is committed when its caller has the answer (unless the database refused the write: then
 * it is logged and kept for the next invocation's flush, and the answer stands).
 *
 * An event that is not payload 2.0 answers 400 in the API's error shape; it never reaches the app
 * and never breaks the next invocation. A handler defect answers 500 through the app's own error
 * middleware; a web handler whose build failed is dropped so that the next invocation rebuilds it.
 */

import { PgAuthAttempts } from "@securebase/adapters"
import { ClientAddress } from "@securebase/http"
import { ApiGatewayV2 } from "@securebase/lambda"
import { Context, Layer, Result, Schema } from "effect"
import { HttpRouter, HttpServer } from "effect/http"
import type { ServerConfig } from "../Config.ts"
import { routesLayer } from "../Layers.ts"
import type * as Container from "./Container.ts"

/** The routes served (default: the API's `routesLayer`); tests add a route that fails on purpose. */
export type Routes = (config: ServerConfig) => ReturnType<typeof routesLayer>

/** Options of `make`. */
export interface Options {
  readonly routes?: Routes
  /** Log one line per request (default: the configuration's `ACCESS_LOG`, as the Node server). */
  readonly logRequests?: boolean
}

/** A Lambda handler for API Gateway HTTP API events, with its build count. */
export interface ApiHandler {
  readonly handler: (event: unknown) => Promise<ApiGatewayV2.HttpApiResult>
  /** How many times the web handler was built (1 for a container that stayed warm). */
  readonly builds: () => number
  /** Releases the web handler (tests). */
  readonly dispose: () => Promise<void>
}

interface Built {
  readonly app: Container.App
  readonly web: ReturnType<typeof build>
}

const build = (app: Container.App, options: Options) =>
  HttpRouter.toWebHandler(
    (options.routes ?? routesLayer)(app.config).pipe(
      Layer.provide(app.services),
      Layer.provide(HttpServer.layerServices)
    ),
    // A child of the container's map: the services are found there (built once), while the
    // router and the routes' own layers are this web handler's (a router is stateful: two front
    // ends on one map would register every route twice).
    {
      memoMap: Layer.forkMemoMapUnsafe(app.memoMap),
      disableLogger: !(options.logRequests ?? app.config.accessLog)
    }
  )

const decodeEvent = Schema.decodeUnknownResult(ApiGatewayV2.HttpApiEvent)

/** The answer to an event that is not an HTTP API payload 2.0 request. */
export const unsupportedEvent = (message: string): ApiGatewayV2.HttpApiResult => ({
  statusCode: 400,
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ _tag: "BadRequest", code: "LAMBDA.UNSUPPORTED_EVENT", message }),
  isBase64Encoded: false
})

/** The API handler of a container. */
export const make = (container: Container.Container, options: Options = {}): ApiHandler => {
  let web: Promise<Built> | undefined
  let builds = 0
  const webHandler = () => {
    if (web === undefined) {
      web = container.get().then((app) => {
        builds++
        return { app, web: build(app, options) }
      })
      const current = web
      // A failed container start is retried by the container itself: forget this attempt too.
      current.catch(() => {
        if (web === current) web = undefined
      })
    }
    return web
  }
  const handler = async (event: unknown): Promise<ApiGatewayV2.HttpApiResult> => {
    const decoded = decodeEvent(event)
    if (Result.isFailure(decoded)) {
      return unsupportedEvent(
        "expected an API Gateway HTTP API event with payload format version 2.0 " +
          "(set the integration's PayloadFormatVersion to 2.0)"
      )
    }
    const request = ApiGatewayV2.toRequest(decoded.success, { clientAddress: "sourceIp" })
    const current = webHandler()
    const { app, web: built } = await current
    // The app answers its own failures (500 for a defect); a rejection means the web handler
    // itself is unusable (its build failed): drop it so the next invocation builds a new one.
    // The routes' per-request requirements (repositories, tenancy) come from the container.
    const sourceIp = decoded.success.requestContext.http.sourceIp
    const context =
      sourceIp === undefined
        ? app.context
        : Context.add(app.context, ClientAddress.PlatformClientAddress, sourceIp)
    const response = await built.handler(request, context).catch(async (error: unknown) => {
      if (web === current) web = undefined
      await built.dispose().catch(() => undefined)
      throw error
    })
    const result = await ApiGatewayV2.fromResponse(response)
    // Lambda freezes the container once the result is returned, and the recorder's interval
    // flush with it: the uses this invocation counted are appended now, before the result goes
    // back. The flush never fails (a group it cannot write is logged and kept for the next one);
    // it is a no-op when the invocation authenticated nothing.
    await app.run(PgAuthAttempts.UseFlush.use((uses) => uses.flush))
    return result
  }
  return {
    handler,
    builds: () => builds,
    dispose: async () => {
      const current = web
      web = undefined
      if (current !== undefined)
        await current.then(
          (b) => b.web.dispose(),
          () => undefined
        )
    }
  }
}
