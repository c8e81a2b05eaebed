/**
 * Real server processes for the multi-instance tests: `npm start`'s entry (`src/main.ts`) run by
 * the same Node as the tests, each on its own ephemeral port, stopped with SIGTERM (and SIGKILL if
 * it does not exit) when the scope closes. Also the CLIs a deployment runs (`db:migrate`).
 */
import { type ChildProcess, execFile, spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import { Effect } from "effect"

const root = fileURLToPath(new URL("../../../../", import.meta.url))
const main = fileURLToPath(new URL("../../src/main.ts", import.meta.url))

/** Runs a CLI (script path from the repository root, then its arguments) to completion; fails with its output otherwise. */
export const runCli = ([script, ...args]: readonly [string, ...Array<string>], env: Record<string, string>) =>
  Effect.promise(
    () =>
      new Promise<string>((resolve, reject) => {
        execFile(
          process.execPath,
          [`${root}${script}`, ...args],
          { cwd: root, env: { ...process.env, ...env } },
          (error, stdout, stderr) =>
            error === null ? resolve(stdout) : reject(new Error(`${script} failed: ${stderr}${stdout}`))
        )
      })
  )

/** A running `src/main.ts` with `env`, and the URL it listens on. */
export const serverProcess = (env: Record<string, string>) =>
  Effect.acquireRelease(
    Effect.promise(
      () =>
        new Promise<{ url: string; child: ChildProcess; output: () => string }>((resolve, reject) => {
          const child = spawn(process.execPath, [main], {
            cwd: root,
            env: { ...process.env, PORT: "0", HOST: "127.0.0.1", SEED_DEMO: "false", ...env },
            stdio: ["ignore", "pipe", "pipe"]
          })
          let output = ""
          const timer = setTimeout(() => {
            child.kill("SIGKILL")
            reject(new Error(`the server did not start within 120 s:\n${output}`))
          }, 120_000)
          const onData = (chunk: Buffer) => {
            output += chunk.toString()
            const port = /SecureBase API \(\w+\) on http:\/\/127\.0\.0\.1:(\d+)/.exec(output)?.[1]
            if (port !== undefined) {
              clearTimeout(timer)
              resolve({ url: `http://127.0.0.1:${port}`, child, output: () => output })
            }
          }
          child.stdout.on("data", onData)
          child.stderr.on("data", onData)
          child.on("exit", (code) => {
            clearTimeout(timer)
            reject(new Error(`the server exited with ${code} before listening:\n${output}`))
          })
        })
    ),
    ({ child }) =>
      Effect.promise(
        () =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null) return resolve()
            const kill = setTimeout(() => child.kill("SIGKILL"), 20_000)
            child.once("exit", () => {
              clearTimeout(kill)
              resolve()
            })
            child.kill("SIGTERM")
          })
      )
  )
