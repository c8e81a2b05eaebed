/**
 * The directory store: one file per checkpoint, never overwritten, the latest found by name,
 * concurrent writers all kept, and anything that is not a checkpoint of its customer reported.
 */
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { AuditCheckpoint, type AuditCheckpointStore, Ids } from "@securebase/core"
import { DateTime, Effect, Option, Schema } from "effect"
import * as FileCheckpointStore from "../../src/audit/FileCheckpointStore.ts"

const customer = () => Schema.decodeSync(Ids.CustomerId)(crypto.randomUUID())

const checkpoint = (customerId: Ids.CustomerId, seq: number, at: string) =>
  new AuditCheckpoint.AuditCheckpoint({
    version: 1,
    customerId,
    seq,
    hash: "ab".repeat(32),
    events: seq,
    signedAt: DateTime.makeUnsafe(at),
    keyId: Schema.decodeSync(AuditCheckpoint.KeyId)("k1"),
    algorithm: "Ed25519",
    signature: "c2lnbmF0dXJl"
  })

const scratch = Effect.acquireRelease(
  Effect.promise(() => mkdtemp(join(tmpdir(), "securebase-store-"))),
  (dir) => Effect.promise(() => rm(dir, { recursive: true, force: true }))
)

describe("FileCheckpointStore", () => {
  it.effect(
    "keeps every checkpoint in its own file; the latest is the highest seq, then the latest signed",
    () =>
      Effect.gen(function* () {
        const dir = yield* scratch
        const store = FileCheckpointStore.make(dir)
        const a = customer()
        const b = customer()
        assert.isTrue(Option.isNone(yield* store.latest(a)))
        yield* store.append(checkpoint(a, 9, "2026-11-01T00:00:00Z"))
        yield* store.append(checkpoint(a, 10, "2026-11-02T00:00:00Z"))
        yield* store.append(checkpoint(a, 10, "2026-11-03T00:00:00Z"))
        yield* store.append(checkpoint(a, 2, "2026-11-04T00:00:00Z"))
        yield* store.append(checkpoint(b, 1, "2026-11-01T00:00:00Z"))
        const latest = yield* store.latest(a)
        assert.deepStrictEqual(
          Option.map(latest, (c) => [c.seq, DateTime.formatIso(c.signedAt)]),
          Option.some([10, "2026-11-03T00:00:00.000Z"])
        )
        assert.deepStrictEqual(
          (yield* store.list(a)).map((c) => (c instanceof AuditCheckpoint.AuditCheckpoint ? c.seq : c._tag)),
          [10, 10, 9, 2]
        )
        assert.strictEqual((yield* Effect.promise(() => readdir(join(dir, a)))).length, 4)
        assert.sameMembers([...(yield* store.customers)], [a, b])
      }).pipe(Effect.scoped)
  )

  it.effect("concurrent writers of the same checkpoint never overwrite each other", () =>
    Effect.gen(function* () {
      const dir = yield* scratch
      const store = FileCheckpointStore.make(dir)
      const a = customer()
      yield* Effect.all(
        Array.from({ length: 20 }, () => store.append(checkpoint(a, 5, "2026-11-01T00:00:00Z"))),
        { concurrency: "unbounded" }
      )
      const names = yield* Effect.promise(() => readdir(join(dir, a)))
      assert.strictEqual(names.filter((n) => n.endsWith(".json")).length, 20)
      assert.deepStrictEqual(
        names.filter((n) => !n.endsWith(".json")),
        [],
        "no temporary file is left behind"
      )
    }).pipe(Effect.scoped)
  )

  it.effect(
    "a damaged or misplaced file is reported as unreadable; stray names and directories are ignored",
    () =>
      Effect.gen(function* () {
        const dir = yield* scratch
        const store = FileCheckpointStore.make(dir)
        const a = customer()
        const b = customer()
        yield* store.append(checkpoint(a, 3, "2026-11-01T00:00:00Z"))
        yield* Effect.promise(async () => {
          await writeFile(join(dir, a, "notes.txt"), "not a checkpoint name")
          await mkdir(join(dir, "lost+found"))
        })
        assert.strictEqual(Option.map(yield* store.latest(a), (c) => c.seq)._tag, "Some")
        assert.sameMembers([...(yield* store.customers)], [a])
        // A checkpoint whose seq differs from its name, and one of another customer.
        yield* Effect.promise(async () => {
          await writeFile(
            join(dir, a, `${"4".padStart(20, "0")}-1-00000000.json`),
            JSON.stringify({
              ...(await Effect.runPromise(
                Schema.encodeEffect(AuditCheckpoint.AuditCheckpoint)(checkpoint(a, 3, "2026-11-01T00:00:00Z"))
              ))
            })
          )
        })
        const misnamed = yield* Effect.flip(store.latest(a))
        assert.strictEqual(misnamed._tag, "CheckpointUnreadable")
        yield* store.append(checkpoint(b, 1, "2026-11-01T00:00:00Z"))
        const [theirs] = yield* Effect.promise(() => readdir(join(dir, b)))
        yield* Effect.promise(async () => {
          const { copyFile } = await import("node:fs/promises")
          await copyFile(join(dir, b, theirs!), join(dir, a, `${"9".padStart(20, "0")}-1-00000000.json`))
        })
        const foreign = yield* Effect.flip(store.latest(a))
        assert.deepStrictEqual(
          [foreign._tag, (foreign as AuditCheckpointStore.CheckpointUnreadable).problem],
          ["CheckpointUnreadable", "the checkpoint names another customer"]
        )
      }).pipe(Effect.scoped)
  )

  it.effect("an unwritable directory is a CheckpointStoreFailure, not a crash", () =>
    Effect.gen(function* () {
      const dir = yield* scratch
      yield* Effect.promise(() => writeFile(join(dir, "file"), "x"))
      const store = FileCheckpointStore.make(join(dir, "file"))
      const error = yield* Effect.flip(store.append(checkpoint(customer(), 1, "2026-11-01T00:00:00Z")))
      assert.strictEqual(error._tag, "CheckpointStoreFailure")
      assert.strictEqual(error.code, "AUDIT.CHECKPOINT_STORE_FAILURE")
    }).pipe(Effect.scoped)
  )
})
