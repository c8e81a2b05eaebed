/**
 * The `securebase` command as a user runs it: a separate Node process on the workspace's bin,
 * with its own environment (never the test runner's DATABASE_URL unless a test passes one).
 */
import { type ChildProcess, execFile, spawn } from "node:child_process"
import { join } from "node:path"
import { Effect } from "effect"

/** The workspace root. */
export const root = new URL("../../../../", import.meta.url).pathname

/** The bin that `npx securebase` runs. */
export const bin = join(root, "packages/app/bin/securebase.mjs")

/** How a run ended. */
export interface Result {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** Runs a Node script of the workspace to completion. */
export const node = (script: string, args: ReadonlyArray<string>, env: Record<string, string>) =>
  Effect.promise(
    () =>
      new Promise<Result>((resolve) => {
        execFile(
          process.execPath,
          [join(root, script), ...args],
          { cwd: root, env: { ...process.env, DATABASE_URL: "", ...env }, maxBuffer: 16 * 1024 * 1024 },
          (error, stdout, stderr) =>
            resolve({ code: error === null ? 0 : Number(error.code ?? 1), stdout, stderr })
        )
      })
  )

/** Runs `securebase <args>` to completion. */
export const securebase = (args: ReadonlyArray<string>, env: Record<string, string> = {}) =>
  node("packages/app/bin/securebase.mjs", args, env)

/** A `securebase serve` process that printed its banner. */
export interface Served {
  readonly url: string
  readonly output: () => string
  readonly child: ChildProcess
}

/**
 * Starts `securebase serve` and waits for its banner (the URL it printed); the process is killed
 * when the scope closes. Fails with everything the process printed if it exits first.
 */
export const serve = (env: Record<string, string>) =>
  Effect.acquireRelease(
    Effect.callback<Served, Error>((resume) => {
      const child = spawn(process.execPath, [bin, "serve"], {
        cwd: root,
        env: { ...process.env, DATABASE_URL: "", PORT: "0", ...env },
        stdio: ["ignore", "pipe", "pipe"]
      })
      let output = ""
      let done = false
      const onData = (chunk: Buffer) => {
        output += chunk.toString()
        const url = /SecureBase API \(\w+\) on (http:\/\/\S+)/.exec(output)?.[1]
        if (url !== undefined && output.includes("Ctrl-C stops the server.") && !done) {
          done = true
          resume(Effect.succeed({ url, output: () => output, child }))
        }
      }
      child.stdout.on("data", onData)
      child.stderr.on("data", onData)
      child.on("exit", (code) => {
        if (!done) {
          done = true
          resume(Effect.fail(new Error(`securebase serve exited with ${code} before serving:\n${output}`)))
        }
      })
    }),
    (served) =>
      Effect.promise(
        () =>
          new Promise<void>((resolve) => {
            if (served.child.exitCode !== null) return resolve()
            served.child.on("exit", () => resolve())
            served.child.kill("SIGTERM")
          })
      )
  )
