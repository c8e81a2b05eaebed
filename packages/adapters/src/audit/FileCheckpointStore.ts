/**
 * `AuditCheckpointStore` on a directory (`AUDIT_CHECKPOINT_DIR`, default
 * `.data/audit-checkpoints`): one JSON file per checkpoint, `<customer id>/<seq, 20 digits>-<signed
 * at, epoch ms>-<random>.json`, so names sort by position and the latest is found without reading
 * every file.
 *
 * Never overwritten: a file is written under a temporary name, flushed, then hard-linked to its
 * final name (`link` refuses an existing name) and the temporary removed, so a crash leaves no
 * half-written checkpoint and no existing checkpoint can be replaced by this code. Point the
 * directory at storage the database's administrators cannot write (another machine, a mounted
 * write-once bucket) for the checkpoints to mean anything against them.
 */
import { randomUUID } from "node:crypto"
import { link, mkdir, open, readdir, readFile, rm } from "node:fs/promises"
import { join } from "node:path"
import { AuditCheckpoint, AuditCheckpointStore, Ids } from "@securebase/core"
import { DateTime, Effect, Layer, Option, Schema } from "effect"

const fileName = /^(\d{20})-(\d{1,16})-[0-9a-f]{8}\.json$/
const Json = Schema.fromJsonString(AuditCheckpoint.AuditCheckpoint)
const decode = Schema.decodeUnknownEffect(Json)
const encode = Schema.encodeEffect(AuditCheckpoint.AuditCheckpoint)
const isCustomerId = Schema.is(Ids.CustomerId)

const failure = (operation: string) => (e: unknown) =>
  new AuditCheckpointStore.CheckpointStoreFailure({
    operation,
    reason: (e as NodeJS.ErrnoException).code ?? String(e)
  })

const io = <A>(operation: string, run: () => Promise<A>) =>
  Effect.tryPromise({ try: run, catch: failure(operation) })

/** Builds the store over `directory` (created on first write). */
export const make = (directory: string) => {
  const customerDir = (customerId: Ids.CustomerId) => join(directory, customerId.toLowerCase())

  // The customer's checkpoint files, highest seq (then latest) first; ENOENT is none.
  const names = (customerId: Ids.CustomerId) =>
    io("list", async () => {
      try {
        return await readdir(customerDir(customerId))
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "ENOENT") return []
        throw e
      }
    }).pipe(
      Effect.map((all) =>
        all
          .filter((n) => fileName.test(n))
          .toSorted()
          .toReversed()
      )
    )

  const readOne = (customerId: Ids.CustomerId, name: string) =>
    Effect.gen(function* () {
      const location = join(customerDir(customerId), name)
      const unreadable = (problem: string) =>
        new AuditCheckpointStore.CheckpointUnreadable({ customerId, location, problem })
      const text = yield* io("read", () => readFile(location, "utf8"))
      const checkpoint = yield* Effect.mapError(decode(text), () => unreadable("not a checkpoint"))
      if (checkpoint.customerId.toLowerCase() !== customerId.toLowerCase()) {
        return yield* unreadable("the checkpoint names another customer")
      }
      if (Number(fileName.exec(name)![1]) !== checkpoint.seq) {
        return yield* unreadable("the checkpoint's seq is not the one in its name")
      }
      return checkpoint
    })

  const append = (checkpoint: AuditCheckpoint.AuditCheckpoint) =>
    Effect.gen(function* () {
      const dir = customerDir(checkpoint.customerId)
      const name = `${String(checkpoint.seq).padStart(20, "0")}-${DateTime.toEpochMillis(checkpoint.signedAt)}-${randomUUID().slice(0, 8)}.json`
      const body = `${JSON.stringify(yield* Effect.orDie(encode(checkpoint)), null, 2)}\n`
      const temporary = join(dir, `.${randomUUID()}.tmp`)
      yield* io("append", async () => {
        await mkdir(dir, { recursive: true })
        const handle = await open(temporary, "wx", 0o644)
        try {
          await handle.writeFile(body)
          await handle.sync()
        } finally {
          await handle.close()
        }
        try {
          await link(temporary, join(dir, name))
        } finally {
          await rm(temporary, { force: true })
        }
        const directoryHandle = await open(dir, "r")
        try {
          await directoryHandle.sync()
        } finally {
          await directoryHandle.close()
        }
      })
    }).pipe(Effect.withSpan("FileCheckpointStore.append"))

  const latest = (customerId: Ids.CustomerId) =>
    Effect.gen(function* () {
      const [newest] = yield* names(customerId)
      return newest === undefined ? Option.none() : Option.some(yield* readOne(customerId, newest))
    }).pipe(Effect.withSpan("FileCheckpointStore.latest"))

  const list = (customerId: Ids.CustomerId) =>
    Effect.flatMap(names(customerId), (all) =>
      Effect.forEach(all, (name) =>
        readOne(customerId, name).pipe(
          Effect.catchTag("CheckpointUnreadable", (e) =>
            Effect.succeed<AuditCheckpoint.AuditCheckpoint | AuditCheckpointStore.CheckpointUnreadable>(e)
          )
        )
      )
    )

  const customers = io("customers", async () => {
    try {
      return await readdir(directory, { withFileTypes: true })
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return []
      throw e
    }
  }).pipe(
    Effect.map((entries) =>
      entries.filter((e) => e.isDirectory() && isCustomerId(e.name)).map((e) => e.name as Ids.CustomerId)
    )
  )

  return AuditCheckpointStore.AuditCheckpointStore.of({ append, latest, list, customers })
}

/** The store over `directory`. */
export const layer = (directory: string): Layer.Layer<AuditCheckpointStore.AuditCheckpointStore> =>
  Layer.succeed(AuditCheckpointStore.AuditCheckpointStore, make(directory))
