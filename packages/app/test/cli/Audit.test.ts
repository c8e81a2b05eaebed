/**
 * `npm run audit` as a process, on an embedded database seeded with the demo tenants: checkpoint
 * and verify, then tampering done directly in the database files, which verify reports with the
 * customer and the first bad or missing event; and the exit codes say what happened.
 */
import { mkdtemp, readdir, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { PgliteClient } from "@securebase/adapters"
import { Effect } from "effect"
import { Reactivity } from "effect/reactivity"
import { securebase } from "../support/Cli.ts"

const audit = (args: ReadonlyArray<string>, env: Record<string, string>) =>
  securebase(["audit", ...args], env)

/** Statements as PGlite's superuser with triggers off, in the data directory no process holds now. */
const tamper = (dataDir: string, ...statements: ReadonlyArray<string>) =>
  Effect.scoped(
    Effect.gen(function* () {
      const sql = yield* PgliteClient.make({ dataDir })
      yield* sql.withTransaction(
        Effect.gen(function* () {
          yield* sql.unsafe("SET LOCAL session_replication_role = replica")
          for (const s of statements) yield* sql.unsafe(s)
        })
      )
    })
  ).pipe(Effect.provide(Reactivity.layer), Effect.orDie)

const customer = (n: number) => `5ecb0a5e-0000-4000-8000-00010000000${n}`

describe("securebase audit", () => {
  it.live(
    "exit code 2 and the usage for bad arguments",
    () =>
      Effect.gen(function* () {
        for (const args of [
          ["bogus"],
          ["verify", "--customer", "not-a-uuid"],
          ["verify", "--what"],
          ["checkpoint", "--customer"]
        ]) {
          const r = yield* audit(args, {})
          assert.strictEqual(r.code, 2, args.join(" "))
          assert.include(r.stdout, "securebase audit")
          assert.include(r.stderr, "ERROR")
        }
      }),
    120_000
  )

  it.live(
    "exit code 3 when it cannot run: no database, or no signing key outside dev",
    () =>
      Effect.gen(function* () {
        const unreachable = yield* audit(["verify"], { DATABASE_URL: "postgres://nobody@127.0.0.1:9/none" })
        assert.strictEqual(unreachable.code, 3)
        assert.include(unreachable.stderr, "cannot reach the database")
        const unsigned = yield* audit(["checkpoint"], {
          SECUREBASE_ENV: "prod",
          DATABASE_URL: "postgres://nobody@127.0.0.1:9/none",
          // A strong secret (base64url of 32 random bytes), so that only the missing signing key is refused.
          JWT_SIGNING_KEYS: "k1:q3Xv9LrT0bWm2ZcYhJ8sKdPfNa6uGe1oRiVt4EyQw7M",
          AUDIT_VERIFY_KEYS: `k1:${"A".repeat(43)}`,
          SELLER_NAME: "Audit Test Seller Ltd"
        })
        assert.strictEqual(unsigned.code, 3)
        assert.include(unsigned.stderr, "AUDIT_SIGNING_KEY is required in prod")
      }),
    120_000
  )

  it.live(
    "checkpoint and verify the seeded tenants; tampering is reported with the customer and the event",
    () =>
      Effect.gen(function* () {
        const dir = yield* Effect.acquireRelease(
          Effect.promise(() => mkdtemp(join(tmpdir(), "securebase-audit-"))),
          (d) => Effect.promise(() => rm(d, { recursive: true, force: true }))
        )
        const env = {
          PGLITE_DATA_DIR: join(dir, "db"),
          AUDIT_CHECKPOINT_DIR: join(dir, "checkpoints"),
          AUDIT_SIGNING_KEY_FILE: join(dir, "signing-key.json")
        }
        const seeded = yield* securebase(["db", "seed"], env)
        assert.strictEqual(seeded.code, 0, seeded.stderr)

        const first = yield* audit(["checkpoint"], env)
        assert.strictEqual(first.code, 0, first.stderr)
        assert.include(first.stderr, "generated the development key dev-")
        assert.include(first.stdout, "checkpoint: 4 chains, 4 signed, 0 failed verification")
        assert.include(first.stdout, `signed ${customer(2)}: seq`)
        assert.deepStrictEqual(
          (yield* Effect.promise(() => readdir(join(dir, "checkpoints")))).toSorted(),
          [1, 2, 3, 4].map(customer)
        )
        const again = yield* audit(["checkpoint"], env)
        assert.strictEqual(again.code, 0, again.stderr)
        assert.include(again.stdout, "0 signed")
        assert.include(again.stderr, "signing with the development key dev-")

        const ok = yield* audit(["verify"], env)
        assert.strictEqual(ok.code, 0, ok.stderr)
        assert.include(ok.stdout, "verify: 4 chains, 4 ok, 0 failed")

        // Customer 2 loses its latest event; customer 3's first event is rewritten and the chain
        // re-hashed with the public function. Both chains still verify on their own.
        yield* tamper(
          env.PGLITE_DATA_DIR,
          `DELETE FROM audit_events WHERE customer_id = '${customer(2)}'
             AND seq = (SELECT max(seq) FROM audit_events WHERE customer_id = '${customer(2)}')`,
          `UPDATE audit_events SET payload = '{"forged": true}' WHERE customer_id = '${customer(3)}' AND seq = 1`,
          ...[1, 2, 3, 4].flatMap((s) => [
            `UPDATE audit_events e SET prev_hash = COALESCE(
               (SELECT p.hash FROM audit_events p WHERE p.customer_id = e.customer_id AND p.seq = e.seq - 1),
               decode(repeat('00', 32), 'hex'))
             WHERE e.customer_id = '${customer(3)}' AND e.seq = ${s}`,
            `UPDATE audit_events SET hash = audit_event_hash_v2(customer_id, seq, action, actor, db_role,
               subject_type, subject_id, payload, occurred_at, prev_hash)
             WHERE customer_id = '${customer(3)}' AND seq = ${s}`
          ])
        )
        const bad = yield* audit(["verify"], env)
        assert.strictEqual(bad.code, 1, bad.stderr)
        assert.match(
          bad.stdout,
          new RegExp(`FAILED ${customer(2)}: seq 4 \\(event missing\\): truncated \\(checkpoint at seq 4\\)`)
        )
        assert.match(
          bad.stdout,
          new RegExp(`FAILED ${customer(3)}: seq 1 \\(event [0-9a-f-]{36}\\): rewritten`)
        )
        assert.include(bad.stdout, `ok ${customer(1)}`)
        assert.include(bad.stdout, "verify: 4 chains, 2 ok, 2 failed")

        const one = yield* audit(["verify", "--customer", customer(1)], env)
        assert.strictEqual(one.code, 0, one.stderr)
        assert.include(one.stdout, "verify: 1 chains, 1 ok, 0 failed")

        const refused = yield* audit(["checkpoint"], env)
        assert.strictEqual(refused.code, 1, refused.stderr)
        assert.include(refused.stdout, `FAILED ${customer(2)}: seq 4 (event missing): truncated`)
        assert.include(refused.stdout, "not signed")
        assert.strictEqual(
          (yield* Effect.promise(() => readdir(join(dir, "checkpoints", customer(2))))).length,
          1,
          "a tampered chain gets no new checkpoint"
        )
      }).pipe(Effect.scoped),
    300_000
  )
})
