/**
 * The Node server of `npm start` (`HttpRouter.serve` on `NodeHttpServer`), started on the services
 * of a Lambda container (same layer reference, same `MemoMap`): the two front ends then share the
 * database, keys and cache, so any difference in their answers is the front end's.
 *
 * (`packages/http/test/support/TestServer.ts` seeds its own database and cannot be imported from
 * this package: `@securebase/http` exports `src/` only, and relative imports may not leave a
 * package. This is the same composition, on the container's services.)
 */
import { Context, Effect, Exit, Layer, Scope } from "effect"
import { HttpServer } from "effect/http"
import type * as Container from "../../src/lambda/Container.ts"
import * as Server from "../../src/Server.ts"

/** Starts the server on 127.0.0.1 (an ephemeral port); `close` stops it. */
export const start = async (app: Container.App) => {
  const scope = Effect.runSync(Scope.make())
  const context = await Effect.runPromise(
    Layer.buildWithMemoMap(
      Server.layer({ ...app.config, accessLog: false }, app.context, { port: 0, host: "127.0.0.1" }),
      Layer.forkMemoMapUnsafe(app.memoMap),
      scope
    )
  )
  const address = Context.get(context, HttpServer.HttpServer).address
  if (address._tag === "UnixPathAddress") throw new Error("expected a TCP address")
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: () => Effect.runPromise(Scope.close(scope, Exit.void))
  }
}

/** A response, whichever front end gave it. */
export interface Reply {
  readonly status: number
  readonly headers: Record<string, string>
  readonly bytes: Uint8Array
}

/** Sends a request to the Node server over loopback. */
export const call = async (
  url: string,
  spec: {
    readonly method: string
    readonly path: string
    readonly headers?: Record<string, string>
    readonly body?: string
  }
): Promise<Reply> => {
  const response = await fetch(`${url}${spec.path}`, {
    method: spec.method,
    ...(spec.headers === undefined ? {} : { headers: spec.headers }),
    ...(spec.body === undefined ? {} : { body: spec.body })
  })
  const headers: Record<string, string> = {}
  response.headers.forEach((value, name) => {
    headers[name] = value
  })
  return { status: response.status, headers, bytes: new Uint8Array(await response.arrayBuffer()) }
}
