/** `npm start`'s process: it serves, and SIGTERM / SIGINT shut it down cleanly with exit code 0. */
import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import { assert, describe, it } from "@effect/vitest"

const main = fileURLToPath(new URL("../src/main.ts", import.meta.url))

const runAndSignal = (signal: NodeJS.Signals) =>
  new Promise<{ code: number | null; health: number; output: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [main], {
      env: { ...process.env, PORT: "0", SEED_DEMO: "false" },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let output = ""
    let health = 0
    const timer = setTimeout(() => {
      child.kill("SIGKILL")
      reject(new Error(`no clean exit:\n${output}`))
    }, 110_000)
    const onData = async (chunk: Buffer) => {
      output += chunk.toString()
      const port = /on http:\/\/127\.0\.0\.1:(\d+)/.exec(output)?.[1]
      if (port !== undefined && health === 0) {
        health = -1
        health = (await fetch(`http://127.0.0.1:${port}/health`)).status
        child.kill(signal)
      }
    }
    child.stdout.on("data", onData)
    child.stderr.on("data", onData)
    child.on("exit", (code) => {
      clearTimeout(timer)
      resolve({ code, health, output })
    })
  })

describe("graceful shutdown", () => {
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    it(`${signal}: serves, then exits 0`, { timeout: 120_000 }, async () => {
      const { code, health, output } = await runAndSignal(signal)
      assert.strictEqual(health, 200, output)
      assert.strictEqual(code, 0, output)
    })
  }
})
