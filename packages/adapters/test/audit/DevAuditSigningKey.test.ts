/**
 * The development signing key: generated once per file (mode 0600), read back by later runs,
 * one winner when several processes create it at once, and a damaged file refused, not replaced.
 */
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import * as DevAuditSigningKey from "../../src/audit/DevAuditSigningKey.ts"

const scratch = Effect.acquireRelease(
  Effect.promise(() => mkdtemp(join(tmpdir(), "securebase-devkey-"))),
  (dir) => Effect.promise(() => rm(dir, { recursive: true, force: true }))
)

describe("DevAuditSigningKey", () => {
  it.effect("is generated once, readable only by its owner, and read back afterwards", () =>
    Effect.gen(function* () {
      const file = join(yield* scratch, "nested", "key.json")
      assert.isTrue(Option.isNone(yield* DevAuditSigningKey.load(file)))
      const first = yield* DevAuditSigningKey.loadOrCreate(file)
      assert.isTrue(first.created)
      assert.match(first.entry.keyId, /^dev-[0-9a-f]{8}$/)
      assert.strictEqual(first.entry.bytes.length, 32)
      assert.strictEqual((yield* Effect.promise(() => stat(file))).mode & 0o777, 0o600)
      const second = yield* DevAuditSigningKey.loadOrCreate(file)
      assert.isFalse(second.created)
      assert.deepStrictEqual(
        [second.entry.keyId, [...second.entry.bytes]],
        [first.entry.keyId, [...first.entry.bytes]]
      )
    }).pipe(Effect.scoped)
  )

  it.effect("concurrent creators end up with one and the same key", () =>
    Effect.gen(function* () {
      const file = join(yield* scratch, "key.json")
      const results = yield* Effect.all(
        Array.from({ length: 8 }, () => DevAuditSigningKey.loadOrCreate(file)),
        { concurrency: "unbounded" }
      )
      assert.strictEqual(new Set(results.map((r) => r.entry.keyId)).size, 1)
      assert.strictEqual(results.filter((r) => r.created).length, 1)
      const stored = JSON.parse(yield* Effect.promise(() => readFile(file, "utf8")))
      assert.strictEqual(stored.keyId, results[0]!.entry.keyId)
    }).pipe(Effect.scoped)
  )

  it.effect("a damaged key file is refused with InvalidAuditKey and left as it is", () =>
    Effect.gen(function* () {
      const file = join(yield* scratch, "key.json")
      yield* Effect.promise(() => writeFile(file, "{ damaged"))
      const error = yield* Effect.flip(DevAuditSigningKey.loadOrCreate(file))
      assert.deepStrictEqual([error._tag, error.code], ["InvalidAuditKey", "AUDIT.INVALID_KEY"])
      assert.strictEqual(yield* Effect.promise(() => readFile(file, "utf8")), "{ damaged")
    }).pipe(Effect.scoped)
  )
})
