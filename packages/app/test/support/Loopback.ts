/**
 * Several clients on one machine, and a proxy in front of the server, for the client-identity
 * tests. Linux routes all of 127.0.0.0/8 to the loopback interface, so a request sent from
 * 127.0.0.2 really arrives from 127.0.0.2: distinct clients need no stand-in.
 *
 * The proxy is a real (minimal) reverse proxy on 127.0.0.1, doing what nginx's
 * `proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for` does: it appends the address it
 * received the request from to whatever `X-Forwarded-For` the client sent, and forwards to the
 * server from 127.0.0.1.
 */
import { createServer, request as httpRequest, type IncomingHttpHeaders } from "node:http"
import { Effect } from "effect"

/** A response as the tests look at it. */
export interface Reply {
  readonly status: number
  readonly headers: IncomingHttpHeaders
  readonly body: any
}

/** One request to `url` + `path`, sent from the local address `from`. */
export const callFrom = (
  from: string,
  url: string,
  method: string,
  path: string,
  options: { readonly token?: string; readonly headers?: Record<string, string> } = {}
) =>
  Effect.promise(
    () =>
      new Promise<Reply>((resolve, reject) => {
        const target = new URL(path, url)
        const headers: Record<string, string> = { ...options.headers }
        if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`
        const req = httpRequest(
          {
            host: target.hostname,
            port: target.port,
            path: `${target.pathname}${target.search}`,
            method,
            headers,
            localAddress: from,
            agent: false
          },
          (res) => {
            const chunks: Array<Buffer> = []
            res.on("data", (c: Buffer) => chunks.push(c))
            res.on("end", () => {
              const text = Buffer.concat(chunks).toString("utf8")
              const json = (res.headers["content-type"] ?? "").includes("json") && text !== ""
              resolve({
                status: res.statusCode ?? 0,
                headers: res.headers,
                body: json ? JSON.parse(text) : text
              })
            })
            res.on("error", reject)
          }
        )
        req.on("error", reject)
        req.end()
      })
  )

/** A reverse proxy to `upstream` that appends the client's address to X-Forwarded-For. */
export const forwardingProxy = (upstream: string) =>
  Effect.acquireRelease(
    Effect.promise(
      () =>
        new Promise<{ url: string; close: () => Promise<void> }>((resolve) => {
          const target = new URL(upstream)
          const server = createServer((req, res) => {
            const peer = req.socket.remoteAddress ?? ""
            const prior = req.headers["x-forwarded-for"]
            const forwardedFor = prior === undefined ? peer : `${[prior].flat().join(", ")}, ${peer}`
            const out = httpRequest(
              {
                host: target.hostname,
                port: target.port,
                path: req.url,
                method: req.method,
                headers: { ...req.headers, host: target.host, "x-forwarded-for": forwardedFor },
                localAddress: "127.0.0.1",
                agent: false
              },
              (upstreamResponse) => {
                res.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.headers)
                upstreamResponse.pipe(res)
              }
            )
            out.on("error", () => {
              res.writeHead(502)
              res.end()
            })
            req.pipe(out)
          })
          server.listen(0, "127.0.0.1", () => {
            const { port } = server.address() as { port: number }
            resolve({
              url: `http://127.0.0.1:${port}`,
              close: () => new Promise((done) => server.close(() => done()))
            })
          })
        })
    ),
    (proxy) => Effect.promise(proxy.close)
  )
