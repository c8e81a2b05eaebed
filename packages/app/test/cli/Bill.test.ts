/**
 * `npm run bill` as a process, on an embedded database seeded with the demo tenants: the dry run
 * prints invoices and writes nothing, a run issues and mails them, a re-run issues nothing, an
 * open month is refused, mail that cannot be delivered is reported, and the exit codes say what
 * happened.
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
          ["--period", "2026-10", "--number-every", "1001"],
          ["--bogus"]
        ]) {
          const r = yield* bill(args, {})
          assert.strictEqual(r.code, 2, args.join(" "))
          assert.include(r.stdout, "securebase bill [flags]")
          assert.include(r.stderr, "ERROR")
        }
      }),
    120_000
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
    "the month in progress and a future month are refused with exit 2, naming when they become billable; --dry-run previews them",
    () =>
      Effect.gen(function* () {
        const current = Period.ofDateTime(yield* DateTime.now)
        for (const [period, grace, billableAt] of [
          [current, {}, DateTime.add(Period.end(current), { hours: 1 })],
          [
            Period.next(current),
            { USAGE_GRACE: "6 hours" },
            DateTime.add(Period.end(Period.next(current)), { hours: 6 })
          ]
        ] as const) {
          const r = yield* bill(["--period", period], grace)
          assert.strictEqual(r.code, 2, r.stderr)
          assert.include(
            r.stderr,
            `bill: ${period} is still open for usage: it becomes billable at ${DateTime.formatIso(billableAt)}`
          )
          assert.include(r.stderr, "Preview it with --dry-run.")
          assert.strictEqual(r.stdout, "")
        }
        const dry = yield* bill(["--period", current, "--dry-run"], {})
        assert.strictEqual(dry.code, 0, dry.stderr)
        assert.include(dry.stdout, `Dry run for ${current}: would issue 0 invoices`)
        // A grace the configuration refuses is a configuration error (exit 3), not a silent default.
        const negative = yield* bill(["--period", Period.previous(current)], { USAGE_GRACE: "-1 hour" })
        assert.strictEqual(negative.code, 3)
        assert.include(negative.stderr, "USAGE_GRACE must be between 0 seconds and 31d")
      }),
    120_000
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
        // The demo has the last three months invoiced and this month's usage so far; the month
        // before them is closed and not invoiced (no usage: the tiers' base prices).
        const current = Period.ofDateTime(yield* DateTime.now)
        const closed = Period.trailing(current, 5)[0]!

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

        const run = yield* bill(["--period", closed, "--concurrency", "2", "--batch-size", "3"], env)
        assert.strictEqual(run.code, 0, run.stderr)
        assert.include(run.stdout, `Billing run ${closed}`)
        assert.include(run.stdout, "4 issued by this run, 0 already invoiced")
        assert.include(run.stdout, "failures   0")
        assert.include(run.stdout, "4 sent")
        assert.include(run.stdout, "undelivered 0")
        assert.include(run.stderr, "4/4 customers, 4 billed")
        const mails = yield* Effect.promise(() => readdir(join(dir, "outbox")))
        assert.strictEqual(mails.filter((f) => f.endsWith(".eml")).length, 4)

        // The month before, per customer with numbering in blocks: the same invoices, all numbered.
        const older = Period.previous(closed)
        const blocks = yield* bill(["--period", older, "--concurrency", "2", "--number-every", "3"], env)
        assert.strictEqual(blocks.code, 0, blocks.stderr)
        assert.include(blocks.stdout, "4 issued by this run, 0 already invoiced")
        assert.include(blocks.stdout, "claims: 4 done, 0 pending, 0 failed)")
        assert.include(blocks.stdout, "4 sent")

        const again = yield* bill(["--period", closed], env)
        assert.strictEqual(again.code, 0, again.stderr)
        // Every claim of the period is done: nothing is claimed, nothing issued.
        assert.include(again.stdout, "claims: 4 done, 0 pending, 0 failed")
        assert.include(again.stdout, "0 issued by this run")
        assert.include(again.stdout, "0 sent")
        const dryAfter = yield* bill(["--period", closed, "--dry-run"], env)
        assert.include(dryAfter.stdout, "would issue 0 invoices")
        // The month in progress is still open: refused, and nothing of it was written.
        const open = yield* bill(["--period", current], env)
        assert.strictEqual(open.code, 2, open.stderr)
        const dryOpen = yield* bill(["--period", current, "--dry-run"], env)
        assert.include(dryOpen.stdout, "would issue 4 invoices")
      }).pipe(Effect.scoped),
    240_000
  )

  it.live(
    "mail that cannot be delivered is reported as undelivered, with exit code 4 (it exited 0)",
    () =>
      Effect.gen(function* () {
        const dir = yield* Effect.acquireRelease(
          Effect.promise(() => mkdtemp(join(tmpdir(), "securebase-bill-"))),
          (d) => Effect.promise(() => rm(d, { recursive: true, force: true }))
        )
        const env = { PGLITE_DATA_DIR: join(dir, "db"), OUTBOX_DIR: join(dir, "outbox") }
        const seeded = yield* securebase(["db", "seed"], env)
        assert.strictEqual(seeded.code, 0, seeded.stderr)
        const closed = Period.trailing(Period.ofDateTime(yield* DateTime.now), 5)[0]!
        // Amazon SES at an address where nothing listens: no e-mail at all can be delivered.
        const sesDown = {
          ...env,
          MAILER: "ses",
          SES_ENDPOINT: "http://127.0.0.1:9",
          AWS_REGION: "us-east-1",
          AWS_ACCESS_KEY_ID: "test",
          AWS_SECRET_ACCESS_KEY: "test"
        }
        const down = yield* bill(["--period", closed], sesDown)
        assert.strictEqual(down.code, 4, `${down.stdout}\n${down.stderr}`)
        assert.include(down.stdout, "4 issued by this run")
        assert.include(down.stdout, "e-mail     0 sent, 4 to retry, 0 parked as failed")
        assert.include(
          down.stdout,
          "undelivered 4: 4 queued for a later attempt, 0 parked as failed by this run"
        )
        assert.include(down.stderr, "4 e-mail(s) could not be delivered")
        // Left queued with --no-send is the operator's choice, not a failure.
        const noSend = yield* bill(["--period", closed, "--no-send"], sesDown)
        assert.strictEqual(noSend.code, 0, noSend.stderr)
        assert.include(noSend.stdout, "left queued (--no-send)")
        // The queued mail is due again only after its backoff (1 minute): a re-run before that
        // sends nothing, and still reports it undelivered rather than a clean run.
        const early = yield* bill(["--period", closed], env)
        assert.strictEqual(early.code, 4, early.stdout)
        assert.include(early.stdout, "e-mail     0 sent, 0 to retry, 0 parked as failed")
        assert.include(early.stdout, "undelivered 4: 4 queued")
      }).pipe(Effect.scoped),
    300_000
  )
})
