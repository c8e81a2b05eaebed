/**
 * Signed checkpoints against every way of tampering with the audit trail that the chain alone
 * cannot see, on PGlite and the real server, with real Ed25519 keys and the directory store:
 * deleting the latest events or all of them, rewriting an event and re-hashing the chain with the
 * public function, a forged or damaged checkpoint file, a checkpoint signed with another key.
 * Each is reported with the customer and the first bad or missing event. One limit is asserted
 * too, because it is a promise's edge: events after the latest checkpoint are not protected.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert } from "@effect/vitest"
import {
  AuditCheckpoint,
  AuditCheckpoints,
  AuditEvent,
  AuditLog,
  CustomerRepo,
  type Ids,
  Tenancy
} from "@securebase/core"
import { Effect, Layer, Schema } from "effect"
import { Signature } from "effect/crypto"
import { SqlClient } from "effect/sql"
import { cryptoLayer } from "../../src/audit/AuditKeyMaterial.ts"
import * as Ed25519AuditKeyRing from "../../src/audit/Ed25519AuditKeyRing.ts"
import * as Ed25519AuditSigner from "../../src/audit/Ed25519AuditSigner.ts"
import * as FileCheckpointStore from "../../src/audit/FileCheckpointStore.ts"
import * as Fixtures from "../postgres/support/Fixtures.ts"
import { suite } from "../postgres/support/TestDatabase.ts"

const keyId = (id: string) => Schema.decodeSync(AuditCheckpoint.KeyId)(id)

/** A fresh Ed25519 key pair under `id`. */
const keyPair = (id: string) =>
  Effect.gen(function* () {
    const signature = yield* Signature.Signature
    const pair = yield* Effect.orDie(signature.generateKeyPair(Signature.ed25519))
    return { keyId: keyId(id), privateKey: pair.privateKey, publicKey: pair.publicKey }
  }).pipe(Effect.provide(cryptoLayer))

/** A temporary checkpoint directory, removed when the test ends. */
const scratchDir = Effect.acquireRelease(
  Effect.promise(() => mkdtemp(join(tmpdir(), "securebase-checkpoints-"))),
  (dir) => Effect.promise(() => rm(dir, { recursive: true, force: true }))
)

type Key = Effect.Success<ReturnType<typeof keyPair>>

/** The checkpoint services over `dir`, signing with `signer` and verifying with `ring`. */
const anchorLayer = (dir: string, signer: Key, ring: ReadonlyArray<Key>) =>
  Layer.mergeAll(
    FileCheckpointStore.layer(dir),
    Ed25519AuditSigner.layer(signer),
    Ed25519AuditKeyRing.layer(ring)
  )

const event = (customerId: Ids.CustomerId, n: number) =>
  new AuditEvent.NewAuditEvent({
    customerId,
    action: Schema.decodeSync(AuditEvent.AuditAction)("api_key.created"),
    subjectType: "api_key",
    subjectId: `key-${n}`,
    payload: { n }
  })

/** A customer with `count` events. */
const withChain = (count: number) =>
  Effect.gen(function* () {
    const tenancy = yield* Tenancy.Tenancy
    const id = Fixtures.customerId()
    yield* tenancy.runAs(id, (yield* CustomerRepo.CustomerRepo).insert(Fixtures.customer(id)))
    yield* append(id, count)
    return id
  })

const append = (id: Ids.CustomerId, count: number) =>
  Effect.gen(function* () {
    const tenancy = yield* Tenancy.Tenancy
    const audit = yield* AuditLog.AuditLog
    const start = (yield* tenancy.runAs(id, audit.list(id))).length
    for (let n = start + 1; n <= start + count; n++) yield* tenancy.runAs(id, audit.append(event(id, n)))
  })

/** Statements as the superuser with triggers disabled: what an attacker with the database can do. */
const tamper = (...statements: ReadonlyArray<string>) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql.withTransaction(
      Effect.gen(function* () {
        yield* sql.unsafe("SET LOCAL session_replication_role = replica")
        for (const s of statements) yield* sql.unsafe(s)
      })
    )
  )

/** Rewrites event `seq`'s payload, then re-links and re-hashes it and every later event with the public function. */
const rewriteAndRehash = (customerId: Ids.CustomerId, seq: number, last: number) =>
  tamper(
    `UPDATE audit_events SET payload = '{"n": 0, "forged": true}' WHERE customer_id = '${customerId}' AND seq = ${seq}`,
    ...Array.from({ length: last - seq + 1 }, (_, i) => seq + i).flatMap((s) => [
      `UPDATE audit_events e SET prev_hash = COALESCE(
         (SELECT p.hash FROM audit_events p WHERE p.customer_id = e.customer_id AND p.seq = e.seq - 1),
         decode(repeat('00', 32), 'hex'))
       WHERE e.customer_id = '${customerId}' AND e.seq = ${s}`,
      `UPDATE audit_events SET hash = audit_event_hash_v2(customer_id, seq, action, actor, db_role, subject_type,
         subject_id, payload, occurred_at, prev_hash) WHERE customer_id = '${customerId}' AND seq = ${s}`
    ])
  )

const verify = (id: Ids.CustomerId) =>
  Effect.flatMap(Tenancy.Tenancy, (tenancy) => tenancy.runAs(id, AuditCheckpoints.verify(id)))

const checkpoint = (id: Ids.CustomerId) =>
  Effect.flatMap(Tenancy.Tenancy, (tenancy) => tenancy.runAsWorker(AuditCheckpoints.checkpoint(id)))

const chainOnly = (id: Ids.CustomerId) =>
  Effect.flatMap(Tenancy.Tenancy, (tenancy) =>
    tenancy.runAs(
      id,
      AuditLog.AuditLog.use((a) => a.verify(id))
    )
  )

const eventIds = (id: Ids.CustomerId) =>
  Effect.flatMap(Tenancy.Tenancy, (tenancy) =>
    tenancy.runAs(
      id,
      AuditLog.AuditLog.use((a) => Effect.map(a.list(id), (events) => events.map((e) => e.id)))
    )
  )

const files = (dir: string, id: Ids.CustomerId) =>
  Effect.promise(() => readdir(join(dir, id.toLowerCase())).then((names) => names.toSorted()))

const broken = (
  customerId: Ids.CustomerId,
  seq: number,
  eventId: AuditEvent.AuditEventId | null,
  reason: AuditCheckpoint.AnchorReason,
  checkpointSeq: number | null
) => new AuditCheckpoint.AnchorBroken({ customerId, seq, eventId, reason, checkpointSeq })

/** Runs `body` with a fresh directory and key. */
const anchored = <A, E, R>(body: (dir: string, key: Key) => Effect.Effect<A, E, R>) =>
  Effect.gen(function* () {
    const dir = yield* scratchDir
    const key = yield* keyPair("k1")
    return yield* body(dir, key).pipe(Effect.provide(anchorLayer(dir, key, [key])))
  }).pipe(Effect.scoped, Effect.provide(Fixtures.adapters))

suite("AuditCheckpoints", (it) => {
  it.effect(
    "an intact chain holds against its checkpoints; events after the latest are counted as unanchored",
    () =>
      anchored((dir) =>
        Effect.gen(function* () {
          const id = yield* withChain(3)
          assert.deepStrictEqual(
            yield* verify(id),
            new AuditCheckpoint.AnchorHolds({ customerId: id, events: 3, checkpointSeq: null, unanchored: 3 })
          )
          const first = yield* checkpoint(id)
          assert.strictEqual(first._tag, "Written")
          const written = (first as { checkpoint: AuditCheckpoint.AuditCheckpoint }).checkpoint
          assert.deepStrictEqual(
            [written.seq, written.events, written.keyId, written.algorithm],
            [3, 3, "k1", "Ed25519"]
          )
          yield* append(id, 2)
          assert.deepStrictEqual(
            yield* verify(id),
            new AuditCheckpoint.AnchorHolds({ customerId: id, events: 5, checkpointSeq: 3, unanchored: 2 })
          )
          assert.strictEqual((yield* checkpoint(id))._tag, "Written")
          assert.deepStrictEqual(yield* checkpoint(id), { _tag: "Unchanged", customerId: id, seq: 5 })
          assert.strictEqual((yield* files(dir, id)).length, 2)
          assert.deepStrictEqual(
            yield* verify(id),
            new AuditCheckpoint.AnchorHolds({ customerId: id, events: 5, checkpointSeq: 5, unanchored: 0 })
          )
        })
      )
  )

  // Regression (issue 10): deleting a customer's latest events went undetected.
  it.effect("deleting the latest events is reported at the first missing event", () =>
    anchored(() =>
      Effect.gen(function* () {
        const id = yield* withChain(5)
        yield* checkpoint(id)
        yield* tamper(`DELETE FROM audit_events WHERE customer_id = '${id}' AND seq >= 4`)
        assert.strictEqual((yield* chainOnly(id))._tag, "ChainIntact", "the chain alone cannot tell")
        assert.deepStrictEqual(yield* verify(id), broken(id, 4, null, "truncated", 5))
      })
    )
  )

  // Regression (issue 10): deleting all of a customer's events went undetected.
  it.effect("deleting every event, even with the customer row, is reported at seq 1", () =>
    anchored(() =>
      Effect.gen(function* () {
        const tenancy = yield* Tenancy.Tenancy
        const id = yield* withChain(3)
        const bystander = yield* withChain(2)
        yield* checkpoint(id)
        yield* checkpoint(bystander)
        yield* tamper(`DELETE FROM audit_events WHERE customer_id = '${id}'`)
        assert.deepStrictEqual(yield* verify(id), broken(id, 1, null, "truncated", 3))
        // With the customer gone too, the operator's run still finds it: through its checkpoints.
        yield* tamper(`DELETE FROM customers WHERE id = '${id}'`)
        const all = yield* AuditCheckpoints.verifyAll()
        assert.deepStrictEqual(
          all.find((v) => v.customerId === id),
          broken(id, 1, null, "truncated", 3)
        )
        assert.strictEqual(all.find((v) => v.customerId === bystander)?._tag, "AnchorHolds")
        assert.strictEqual(
          (yield* tenancy.runAsWorker(AuditLog.AuditLog.use((a) => a.verify(id))))._tag,
          "ChainIntact"
        )
      })
    )
  )

  // Regression (issue 10): an edited row re-hashed with the public hash function went undetected.
  it.effect("rewriting an event and re-hashing the chain with the public function is reported", () =>
    anchored(() =>
      Effect.gen(function* () {
        const id = yield* withChain(5)
        yield* checkpoint(id)
        yield* rewriteAndRehash(id, 2, 5)
        assert.strictEqual((yield* chainOnly(id))._tag, "ChainIntact", "the chain alone cannot tell")
        const ids = yield* eventIds(id)
        // No older checkpoint: nothing vouches for any event up to the checkpoint's.
        assert.deepStrictEqual(yield* verify(id), broken(id, 1, ids[0]!, "rewritten", 5))
      })
    )
  )

  it.effect("an older checkpoint that still holds narrows a rewrite down to the events after it", () =>
    anchored(() =>
      Effect.gen(function* () {
        const id = yield* withChain(2)
        yield* checkpoint(id)
        yield* append(id, 4)
        yield* checkpoint(id)
        yield* rewriteAndRehash(id, 4, 6)
        const ids = yield* eventIds(id)
        assert.deepStrictEqual(yield* verify(id), broken(id, 3, ids[2]!, "rewritten", 6))
      })
    )
  )

  it.effect(
    "a forged checkpoint (a real signature over other content) is reported; so is a damaged file",
    () =>
      anchored((dir) =>
        Effect.gen(function* () {
          const id = yield* withChain(4)
          yield* checkpoint(id)
          const [name] = yield* files(dir, id)
          const original = JSON.parse(yield* Effect.promise(() => readFile(join(dir, id, name!), "utf8")))
          // After deleting event 4, the forger "checkpoints" the shorter chain, reusing the signature.
          yield* tamper(`DELETE FROM audit_events WHERE customer_id = '${id}' AND seq = 4`)
          const head = (yield* chainOnly(id)) as AuditEvent.ChainIntact
          const forged = { ...original, seq: 3, events: 3, hash: head.head }
          yield* Effect.promise(() =>
            writeFile(
              join(dir, id, `${"3".padStart(20, "0")}-9999999999999-00000000.json`),
              JSON.stringify(forged)
            )
          )
          // The forged file is not the latest (seq 3 < 4): the truncation is still reported…
          assert.deepStrictEqual(yield* verify(id), broken(id, 4, null, "truncated", 4))
          // …and written over the genuine one's position it is reported as forged.
          yield* Effect.promise(() =>
            writeFile(
              join(dir, id, `${"4".padStart(20, "0")}-9999999999999-00000000.json`),
              JSON.stringify({ ...forged, seq: 4 })
            )
          )
          assert.deepStrictEqual(yield* verify(id), broken(id, 4, null, "checkpoint-signature-invalid", 4))
          yield* Effect.promise(() =>
            writeFile(join(dir, id, `${"9".padStart(20, "0")}-1-00000000.json`), "{ not json")
          )
          assert.deepStrictEqual(yield* verify(id), broken(id, 4, null, "checkpoint-unreadable", null))
        })
      )
  )

  it.effect("another customer's genuine checkpoint copied over is not accepted", () =>
    anchored((dir) =>
      Effect.gen(function* () {
        const id = yield* withChain(2)
        const other = yield* withChain(6)
        yield* checkpoint(other)
        const [name] = yield* files(dir, other)
        const body = yield* Effect.promise(() => readFile(join(dir, other, name!), "utf8"))
        yield* Effect.promise(async () => {
          const { mkdir } = await import("node:fs/promises")
          await mkdir(join(dir, id), { recursive: true })
          await writeFile(join(dir, id, name!), body)
        })
        assert.deepStrictEqual(yield* verify(id), broken(id, 3, null, "checkpoint-unreadable", null))
      })
    )
  )

  it.effect("a checkpoint signed with another key is reported, under an unknown id or a known one", () =>
    Effect.gen(function* () {
      const dir = yield* scratchDir
      const trusted = yield* keyPair("k1")
      const stranger = yield* keyPair("k9")
      const impostor = { ...(yield* keyPair("k1")) }
      const id = yield* withChain(3)
      const other = yield* withChain(3)
      yield* checkpoint(id).pipe(Effect.provide(anchorLayer(dir, stranger, [stranger])))
      yield* checkpoint(other).pipe(Effect.provide(anchorLayer(dir, impostor, [impostor])))
      const ring = anchorLayer(dir, trusted, [trusted])
      assert.deepStrictEqual(
        yield* verify(id).pipe(Effect.provide(ring)),
        broken(id, 3, null, "checkpoint-key-unknown", 3)
      )
      assert.deepStrictEqual(
        yield* verify(other).pipe(Effect.provide(ring)),
        broken(other, 3, null, "checkpoint-signature-invalid", 3)
      )
    }).pipe(Effect.scoped, Effect.provide(Fixtures.adapters))
  )

  it.effect(
    "after a rotation, checkpoints signed with the retired key still verify while it is in the ring",
    () =>
      Effect.gen(function* () {
        const dir = yield* scratchDir
        const retired = yield* keyPair("2026-10")
        const current = yield* keyPair("2026-11")
        const id = yield* withChain(2)
        yield* checkpoint(id).pipe(Effect.provide(anchorLayer(dir, retired, [retired])))
        const rotated = anchorLayer(dir, current, [current, retired])
        assert.strictEqual((yield* verify(id).pipe(Effect.provide(rotated)))._tag, "AnchorHolds")
        yield* append(id, 1)
        const next = yield* checkpoint(id).pipe(Effect.provide(rotated))
        assert.strictEqual(next._tag === "Written" ? next.checkpoint.keyId : next._tag, "2026-11")
        assert.deepStrictEqual(
          yield* verify(id).pipe(Effect.provide(anchorLayer(dir, current, [current]))),
          new AuditCheckpoint.AnchorHolds({ customerId: id, events: 3, checkpointSeq: 3, unanchored: 0 })
        )
      }).pipe(Effect.scoped, Effect.provide(Fixtures.adapters))
  )

  it.effect("a chain that fails verification is not signed", () =>
    anchored((dir) =>
      Effect.gen(function* () {
        const id = yield* withChain(3)
        const ids = yield* eventIds(id)
        yield* tamper(`UPDATE audit_events SET payload = '{"n": 9}' WHERE customer_id = '${id}' AND seq = 2`)
        assert.deepStrictEqual(yield* checkpoint(id), {
          _tag: "Refused",
          verification: broken(id, 2, ids[1]!, "hash-mismatch", null)
        })
        assert.deepStrictEqual(yield* Effect.promise(() => readdir(dir)), [])
      })
    )
  )

  // The documented limit, asserted so that it cannot silently change: only the chain vouches for
  // events after the latest checkpoint.
  it.effect("deleting events appended after the latest checkpoint is not detected (the limit)", () =>
    anchored(() =>
      Effect.gen(function* () {
        const id = yield* withChain(3)
        yield* checkpoint(id)
        yield* append(id, 2)
        yield* tamper(`DELETE FROM audit_events WHERE customer_id = '${id}' AND seq >= 4`)
        assert.deepStrictEqual(
          yield* verify(id),
          new AuditCheckpoint.AnchorHolds({ customerId: id, events: 3, checkpointSeq: 3, unanchored: 0 })
        )
      })
    )
  )

  it.effect("checkpointAll signs every chain once and refuses a broken one, naming it", () =>
    anchored((dir) =>
      Effect.gen(function* () {
        const a = yield* withChain(2)
        const b = yield* withChain(3)
        const written = (outcomes: ReadonlyArray<AuditCheckpoints.CheckpointOutcome>) =>
          outcomes.flatMap((o) => (o._tag === "Written" ? [o.checkpoint.customerId] : []))
        assert.includeMembers(written(yield* AuditCheckpoints.checkpointAll()), [a, b])
        yield* tamper(
          `UPDATE audit_events SET action = 'api_key.revoked' WHERE customer_id = '${b}' AND seq = 1`
        )
        yield* append(a, 1)
        const second = yield* AuditCheckpoints.checkpointAll()
        assert.include(written(second), a)
        const refused = second.flatMap((o) => (o._tag === "Refused" ? [o.verification] : []))
        assert.deepStrictEqual(
          refused.find((v) => v.customerId === b),
          broken(b, 1, (yield* eventIds(b))[0]!, "hash-mismatch", null)
        )
        assert.strictEqual((yield* files(dir, b)).length, 1)
      })
    )
  )
})
