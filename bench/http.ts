/**
 * HTTP throughput and latency on loopback: the real app (as `npm start` composes it, demo tenants,
 * embedded PGlite unless BENCH_DATABASE_URL names a migrated PostgreSQL; `bench/support/app-server.ts`,
 * whose limit store admits everything so the tier limit does not answer 429) against a bare
 * `node:http` server serving the same bytes, measured in the same run as the ceiling. Each server
 * runs in its own process; autocannon drives them from this one.
 *
 *   npx node bench/http.ts            # BENCH_SECONDS=10 BENCH_CONNECTIONS=16 by default
 *
 * BENCH_CPU_PROF=<dir> runs the app under `node --cpu-prof` and writes its profile there on exit;
 * BENCH_ONLY=health measures only the baseline and /health. Each row also reports the server
 * process's CPU milliseconds per request (`bench/support/cpu.ts`), which other work on the machine
 * does not distort the way it distorts throughput.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import autocannon from "autocannon"
import { cpuMillis } from "./support/cpu.ts"

const seconds = Number(process.env.BENCH_SECONDS ?? 10)
const connections = Number(process.env.BENCH_CONNECTIONS ?? 16)
const root = join(import.meta.dirname, "..")

const start = (args: Array<string>, env: Record<string, string>, ready: RegExp) =>
  new Promise<{ child: ChildProcess; output: string; match: RegExpMatchArray }>((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let output = ""
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const match = output.match(ready)
      if (match !== null) resolve({ child, output, match })
    }
    child.stdout!.on("data", onData)
    child.stderr!.on("data", onData)
    child.on("exit", (code) => reject(new Error(`server exited with ${code}:\n${output}`)))
  })

const profile = process.env.BENCH_CPU_PROF
const app = await start(
  [
    ...(profile === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${profile}`]),
    "bench/support/app-server.ts"
  ],
  {
    PORT: "0",
    SEED_DEMO: "true",
    ...(process.env.BENCH_DATABASE_URL === undefined ? {} : { DATABASE_URL: process.env.BENCH_DATABASE_URL })
  },
  /listening (\d+)/
)
const url = `http://127.0.0.1:${app.match[1]}`
const key = app.output.match(/fintech\s+.+?(sb_live_\S+)/)![1]!
const session = (
  (await (
    await fetch(`${url}/auth/authenticate`, { method: "POST", headers: { authorization: `Bearer ${key}` } })
  ).json()) as { token: string }
).token
const invoicesBody = Buffer.from(
  await (await fetch(`${url}/invoices`, { headers: { authorization: `Bearer ${key}` } })).arrayBuffer()
)
const bodyFile = join(mkdtempSync(join(tmpdir(), "sb-bench-")), "invoices.json")
writeFileSync(bodyFile, invoicesBody)
const bare = await start(["bench/support/bare-server.ts", bodyFile], {}, /listening (\d+)/)
const bareUrl = `http://127.0.0.1:${bare.match[1]}`

const run = async (
  name: string,
  target: string,
  headers: Record<string, string> = {},
  server: ChildProcess = app.child
) => {
  const cpuBefore = cpuMillis(server.pid!)
  const result = await autocannon({ url: target, connections, duration: seconds, headers })
  return {
    task: name,
    "req/s": Math.round(result.requests.average).toLocaleString("en-US"),
    "p50 ms": result.latency.p50,
    "p99 ms": result.latency.p99,
    "server CPU ms/req": ((cpuMillis(server.pid!) - cpuBefore) / Math.max(result.requests.total, 1)).toFixed(
      3
    ),
    non2xx: result.non2xx,
    errors: result.errors
  }
}

const healthOnly = process.env.BENCH_ONLY === "health"
const rows = [
  await run("baseline: bare node:http, same /invoices bytes", `${bareUrl}/invoices`, {}, bare.child),
  await run("app: GET /health (no auth, database ping)", `${url}/health`),
  ...(healthOnly
    ? []
    : [
        await run("app: GET /invoices, API key (cached), RLS transaction", `${url}/invoices`, {
          authorization: `Bearer ${key}`
        }),
        await run("app: GET /invoices, session token (JWT)", `${url}/invoices`, {
          authorization: `Bearer ${session}`
        })
      ])
]
console.log(
  `http benchmark, Node ${process.version}, ${connections} connections, ${seconds} s each, database: ${
    process.env.BENCH_DATABASE_URL === undefined ? "embedded PGlite" : "PostgreSQL"
  }, ${new Date().toISOString()}`
)
console.table(rows)
// SIGINT: node writes its --cpu-prof profile on a clean exit.
app.child.kill(profile === undefined ? "SIGTERM" : "SIGINT")
bare.child.kill("SIGTERM")
