/**
 * The HTTP stack's own CPU per request, without sockets: the app exactly as
 * `bench/support/app-server.ts` composes it (the same layers, the same Node server adapter and its
 * `request` listener), fed requests that are `http.IncomingMessage` / `http.ServerResponse` pairs
 * over an in-memory socket that discards what is written. No kernel, no load generator and no
 * other process share the figure, so an A/B of a change to the stack (middleware, routing,
 * response writing) reads in microseconds a request where `bench/http.ts`'s loopback figures
 * move with the machine's load and with the pace of the client.
 *
 *   DATABASE_URL=<migrated db> npx node bench/http-stack.ts     # BENCH_REQUESTS=50000 per row
 *
 * Each row runs BENCH_REQUESTS requests (the database row a tenth as many), 16 in flight, after a
 * warm-up of a fifth as many, in BENCH_ROUNDS rounds (5), and prints the median round's process
 * CPU microseconds a request (user + system, garbage collection included; system is mostly the
 * database socket's writes).
 * The database is needed because the app is (the demo tenants, the key's tenant transaction);
 * `/health` answers from its shared ping. Without DATABASE_URL it uses the embedded PGlite.
 * BENCH_ONLY=baseline,health,invoices,notFound picks rows.
 */
import { createServer, IncomingMessage, type RequestListener, type Server, ServerResponse } from "node:http"
import { Duplex } from "node:stream"
import { NodeHttpServer } from "@effect/platform-node"
import { Effect, Layer } from "effect"
import * as ServerConfig from "../packages/app/src/Config.ts"
import * as DemoData from "../packages/app/src/demo/DemoData.ts"
import { servicesLayer } from "../packages/app/src/Layers.ts"
import * as AppServer from "../packages/app/src/Server.ts"
import { admitAll } from "./support/admit-all.ts"

const requests = Number(process.env.BENCH_REQUESTS ?? 50_000)
const rounds = Number(process.env.BENCH_ROUNDS ?? 5)
const inFlight = 16

let server: Server | undefined
const captureServer = (listener?: RequestListener) => {
  server = createServer(listener)
  return server
}

/** A socket that accepts every write and discards it (what a fast client would read). */
const nullSocket = () => {
  const socket = new Duplex({
    read() {},
    write(_chunk, _encoding, callback) {
      callback()
    },
    writev(_chunks, callback) {
      callback()
    }
  })
  return Object.assign(socket, { remoteAddress: "127.0.0.1", remotePort: 40000, encrypted: false })
}

/** One request through the server's `request` listener; resolves with the status once written. */
const send = (path: string, headers: Record<string, string>, listener: RequestListener | undefined) =>
  new Promise<number>((resolve) => {
    const socket = nullSocket()
    const request = new IncomingMessage(socket as never)
    request.method = "GET"
    request.url = path
    request.httpVersionMajor = 1
    request.httpVersionMinor = 1
    request.httpVersion = "1.1"
    request.headers = { host: "127.0.0.1", ...headers }
    request.rawHeaders = Object.entries(request.headers).flatMap(([k, v]) => [k, String(v)])
    request.complete = true
    request.push(null)
    const response = new ServerResponse(request)
    response.shouldKeepAlive = true
    response.assignSocket(socket as never)
    response.on("finish", () => resolve(response.statusCode))
    if (listener === undefined) server!.emit("request", request, response)
    else listener(request, response)
  })

const measure = async (
  name: string,
  path: string,
  options: { headers?: Record<string, string>; count?: number; listener?: RequestListener } = {}
) => {
  const headers = options.headers ?? {}
  const total = options.count ?? requests
  const drive = async (count: number) => {
    const statuses = new Map<number, number>()
    let next = 0
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (next++ < count) {
          const status = await send(path, headers, options.listener)
          statuses.set(status, (statuses.get(status) ?? 0) + 1)
        }
      })
    )
    return statuses
  }
  await drive(Math.ceil(total / 5))
  // Rounds, and the median of each figure: one preempted or collecting round does not move it.
  const figures: Array<{ user: number; system: number; wall: number }> = []
  const statuses = new Map<number, number>()
  for (let round = 0; round < rounds; round++) {
    const cpu = process.cpuUsage()
    const started = performance.now()
    const perRound = Math.ceil(total / rounds)
    for (const [status, n] of await drive(perRound)) statuses.set(status, (statuses.get(status) ?? 0) + n)
    const used = process.cpuUsage(cpu)
    figures.push({
      user: used.user / perRound,
      system: used.system / perRound,
      wall: ((performance.now() - started) * 1000) / perRound
    })
  }
  const median = (pick: (f: (typeof figures)[number]) => number) =>
    figures.map(pick).sort((a, b) => a - b)[Math.floor(figures.length / 2)]!
  return {
    task: name,
    "CPU µs/req": median((f) => f.user + f.system).toFixed(2),
    "user µs/req": median((f) => f.user).toFixed(2),
    "system µs/req": median((f) => f.system).toFixed(2),
    "wall µs/req": median((f) => f.wall).toFixed(2),
    statuses: [...statuses].map(([s, n]) => `${s}×${n}`).join(" ")
  }
}

const program = Effect.gen(function* () {
  const config = yield* ServerConfig.load
  const services = yield* Layer.build(servicesLayer(config, { limits: admitAll }))
  // `Server.layer`'s composition on a Node server this harness can hand requests to.
  yield* Layer.build(
    AppServer.layerOn(
      config,
      services,
      NodeHttpServer.layerServer(captureServer, { port: 0, host: "127.0.0.1" })
    )
  )
  const tenants = yield* Effect.provide(DemoData.seed({ newKeysForExisting: true }), services)
  const key = tenants.find((t) => t.apiKey !== null)!.apiKey!
  const healthBody = Buffer.from(
    '{"status":"ok","database":{"status":"up","kind":"postgres","latencyMs":1},"profile":"dev","version":"0.1.0","time":"2026-11-29T06:00:39.407Z"}'
  )
  const tasks = {
    // The harness's own cost: the same requests answered by a bare listener (bench/support/bare-server.ts).
    baseline: () =>
      measure("baseline: bare listener, /health's bytes", "/health", {
        listener: (_request, response) => {
          response.writeHead(200, { "content-type": "application/json", "content-length": healthBody.length })
          response.end(healthBody)
        }
      }),
    health: () => measure("GET /health", "/health"),
    invoices: () =>
      measure("GET /invoices, API key (cached)", "/invoices", {
        headers: { authorization: `Bearer ${key}` },
        count: Math.ceil(requests / 10)
      }),
    notFound: () => measure("GET /nowhere (404)", "/nowhere")
  }
  const only = (process.env.BENCH_ONLY ?? Object.keys(tasks).join(",")).split(",")
  const rows = []
  for (const [name, task] of Object.entries(tasks))
    if (only.includes(name)) rows.push(yield* Effect.promise(task))
  console.log(
    `http stack, in process, Node ${process.version}, ${requests} requests a row, ${inFlight} in flight, ${new Date().toISOString()}`
  )
  console.table(rows)
})

await Effect.runPromise(Effect.scoped(program) as Effect.Effect<void>)
process.exit(0)
