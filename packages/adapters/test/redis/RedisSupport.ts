/**
 * Redis for the tests: the shared server on 127.0.0.1:6379 (REDIS_URL), with every key under a
 * prefix of its own per run (other engineers' tests use the same server: never FLUSHALL), and
 * private `redis-server` processes on free ports for the tests that stop a server.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { createServer, Socket } from "node:net"
import { NodeRedis } from "@effect/platform-node"
import { Effect } from "effect"

/** The shared server. */
export const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379"

/** A key prefix no other run uses. */
export const runPrefix = () => `securebase-test:${globalThis.crypto.randomUUID()}:`

/** Whether a TCP server answers at `url` (checked once per file, before declaring the suites). */
export const reachable = (url: string): Promise<boolean> =>
  new Promise((resolve) => {
    const { hostname, port } = new URL(url)
    const socket = new Socket()
    socket.setTimeout(2_000)
    socket.once("connect", () => {
      socket.destroy()
      resolve(true)
    })
    socket.once("error", () => resolve(false))
    socket.once("timeout", () => {
      socket.destroy()
      resolve(false)
    })
    socket.connect(Number(port || 6379), hostname)
  })

/** The `Redis` service over the shared server (or `url`), commands failing at once when offline. */
export const redisLayer = (url: string = redisUrl) => NodeRedis.layer({ url, disableOfflineQueue: true })

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })

/** A private `redis-server` (no persistence) on a free port, stopped with its scope. */
export const privateRedis = Effect.acquireRelease(
  Effect.promise(async () => {
    const port = await freePort()
    const child: ChildProcess = spawn(
      "redis-server",
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
      { stdio: "ignore" }
    )
    const url = `redis://127.0.0.1:${port}`
    for (let i = 0; i < 100 && !(await reachable(url)); i++) await new Promise((r) => setTimeout(r, 50))
    return { url, child }
  }),
  ({ child }) =>
    Effect.sync(() => {
      child.kill("SIGCONT")
      child.kill("SIGKILL")
    })
)
