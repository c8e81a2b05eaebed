/**
 * `npm start`'s real process (`src/main.ts`), spawned with its own environment: for promises that
 * span processes (two instances on one PostgreSQL, a restart) and for what a process does at start
 * (refusing a configuration, announcing a generated secret).
 */
import { type ChildProcess, spawn } from "node:child_process"
import { fileURLToPath } from "node:url"

const main = fileURLToPath(new URL("../../src/main.ts", import.meta.url))

// PATH and HOME, and the migrated cluster the suites' global setup cached (PgliteSnapshot), which
// an in-memory database starts from; nothing else of the test runner's environment.
const baseEnv = (): Record<string, string> => ({
  PATH: process.env.PATH ?? "",
  HOME: process.env.HOME ?? "",
  ...(process.env.PGLITE_TEMPLATE === undefined ? {} : { PGLITE_TEMPLATE: process.env.PGLITE_TEMPLATE })
})

/** A running server process. */
export interface ServerProcess {
  readonly url: string
  /** Everything it printed so far (stdout and stderr). */
  readonly output: () => string
  /** Asks it to stop (SIGTERM) and waits for its exit code. */
  readonly stop: () => Promise<number | null>
}

/** Runs `main.ts` with exactly `env` on top of `baseEnv`, until it exits or `deadlineMs` passes. */
export const runToExit = (env: Record<string, string>, deadlineMs = 60_000) =>
  new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn(process.execPath, [main], {
      env: { ...baseEnv(), ...env },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let output = ""
    const timer = setTimeout(() => child.kill("SIGKILL"), deadlineMs)
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()))
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()))
    child.on("exit", (code) => {
      clearTimeout(timer)
      resolve({ code, output })
    })
  })

/**
 * Starts `main.ts` with `env` (PORT=0) and resolves once it listens and every line in `ready` has
 * appeared in its output; rejects with the output if it exits first or `deadlineMs` passes.
 */
export const start = (
  env: Record<string, string>,
  options: { readonly ready?: ReadonlyArray<string>; readonly deadlineMs?: number } = {}
) =>
  new Promise<ServerProcess>((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, [main], {
      env: { ...baseEnv(), PORT: "0", ...env },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let output = ""
    let started = false
    const exited = new Promise<number | null>((done) => child.on("exit", (code) => done(code)))
    const timer = setTimeout(() => {
      child.kill("SIGKILL")
      reject(new Error(`server did not start in time:\n${output}`))
    }, options.deadlineMs ?? 90_000)
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const port = /SecureBase API \(\w+\) on http:\/\/127\.0\.0\.1:(\d+)/.exec(output)?.[1]
      if (started || port === undefined || !(options.ready ?? []).every((line) => output.includes(line)))
        return
      started = true
      clearTimeout(timer)
      resolve({
        url: `http://127.0.0.1:${port}`,
        output: () => output,
        stop: () => {
          child.kill("SIGTERM")
          return exited
        }
      })
    }
    child.stdout!.on("data", onData)
    child.stderr!.on("data", onData)
    void exited.then((code) => {
      if (started) return
      clearTimeout(timer)
      reject(new Error(`server exited with ${code} before it listened:\n${output}`))
    })
  })

/** One HTTP request over loopback; the JSON body parsed when there is one. */
export const request = async (
  url: string,
  method: string,
  path: string,
  token?: string,
  json?: unknown
): Promise<{ readonly status: number; readonly body: any }> => {
  const headers: Record<string, string> = {}
  if (token !== undefined) headers.authorization = `Bearer ${token}`
  if (json !== undefined) headers["content-type"] = "application/json"
  const response = await fetch(`${url}${path}`, {
    method,
    headers,
    ...(json === undefined ? {} : { body: JSON.stringify(json) })
  })
  const text = await response.text()
  return { status: response.status, body: text === "" ? undefined : JSON.parse(text) }
}
