/**
 * `npm run bill` as a process, on an embedded database seeded with the demo tenants: the dry run
 * prints invoices and writes nothing, a run issues and mails them, a re-run issues nothing, and
 * the exit codes say what happened.
 */
import { mkdtemp, readdir, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Period } from "@securebase/core"
import { DateTime, Effect } from "effect"
import { securebase } from "../support/Cli.ts"

const bill = (args: ReadonlyArray<string>, env: Record<string, string>) => securebase(["bill", ...args], env)

describe("securebase bill", () => {
  it.live(
    "exit code 2 and the usage for bad arguments",
    () =>
      Effect.gen(function* () {
        for (const args of [
          [],
          ["--period", "2026-13"],
          ["--period", "2026-10", "--concurrency", "0"],
          ["--period", "2026-10", "--batch-size", "x"],
          ["--bogus"]
        ]) {
          const r = yield* bill(args, {})
          assert.strictEqual(r.code, 2, args.join(" "))
          assert.include(r.stdout, "securebase bill [flags]")
          assert.include(r.stderr, "ERROR")
        }
      }),
    60_000
  )

  it.live(
    "exit code 3 when the database cannot be reached",
    () =>
      Effect.gen(function* () {
        const r = yield* bill(["--period", "2026-10"], { DATABASE_URL: "postgres://nobody@127.0.0.1:9/none" })
        assert.strictEqual(r.code, 3)
        assert.include(r.stderr, "cannot reach the database (connect ECONNREFUSED 127.0.0.1:9)")
      }),
    60_000
  )

  it.live(
    "dry run, run, re-run on the seeded demo tenants",
    () =>
      Effect.gen(function* () {
        const dir = yield* Effect.acquireRelease(
          Effect.promise(() => mkdtemp(join(tmpdir(), "securebase-bill-"))),
          (d) => Effect.promise(() => rm(d, { recursive: true, force: true }))
        )
        const env = { PGLITE_DATA_DIR: join(dir, "db"), OUTBOX_DIR: join(dir, "outbox") }
        const seeded = yield* securebase(["db", "seed"], env)
        assert.strictEqual(seeded.code, 0, seeded.stderr)
        // The demo has the last three months invoiced and this month's usage so far.
        const current = Period.ofDateTime(yield* DateTime.now)

        const dry = yield* bill(["--period", current, "--dry-run"], env)
        assert.strictEqual(dry.code, 0, dry.stderr)
        assert.strictEqual(dry.stdout.match(/^INVOICE \(draft\)/gm)?.length, 4)
        assert.include(dry.stdout, "Customer: Ledgerline Payments (fintech)")
        assert.match(
          dry.stdout,
          /would issue 4 invoices, total \$[\d,]+\.\d\d; 0 failures\. Nothing was written\./
        )
        assert.deepStrictEqual(yield* Effect.promise(() => readdir(dir)), ["db"])

        const previous = yield* bill(["--period", Period.previous(current)], env)
        assert.strictEqual(previous.code, 0, previous.stderr)
        assert.include(previous.stdout, "0 issued by this run, 4 already invoiced")

        const run = yield* bill(["--period", current, "--concurrency", "2", "--batch-size", "3"], env)
        assert.strictEqual(run.code, 0, run.stderr)
        assert.include(run.stdout, `Billing run ${current}`)
        assert.include(run.stdout, "4 issued by this run, 0 already invoiced")
        assert.include(run.stdout, "failures   0")
        assert.include(run.stdout, "4 sent")
        assert.include(run.stderr, "4/4 customers, 4 billed")
        const mails = yield* Effect.promise(() => readdir(join(dir, "outbox")))
        assert.strictEqual(mails.filter((f) => f.endsWith(".eml")).length, 4)

        const again = yield* bill(["--period", current], env)
        assert.strictEqual(again.code, 0, again.stderr)
        // Every claim of the period is done: nothing is claimed, nothing issued.
        assert.include(again.stdout, "claims: 4 done, 0 pending, 0 failed")
        assert.include(again.stdout, "0 issued by this run")
        assert.include(again.stdout, "0 sent")
        const dryAfter = yield* bill(["--period", current, "--dry-run"], env)
        assert.include(dryAfter.stdout, "would issue 0 invoices")
      }).pipe(Effect.scoped),
    180_000
  )
})
