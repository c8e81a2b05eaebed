/**
 * Checkpointing and verifying audit chains against signed checkpoints.
 *
 * `checkpoint(customer)` verifies the chain, then signs its head (`seq`, hash) and appends the
 * checkpoint to the store; it never signs a chain that fails verification. `verify(customer)`
 * holds when:
 *
 * 1. the chain verifies on its own (every hash, link and position: `AuditLog.verify`);
 * 2. the latest checkpoint's signature verifies with a configured public key;
 * 3. the chain reaches the checkpoint's `seq` (else its latest events were deleted: `truncated`);
 * 4. the event at that `seq` still has the checkpointed hash (else an event at or before it was
 *    rewritten and the chain re-hashed: `rewritten`, narrowed down with older checkpoints).
 *
 * What it cannot see: events appended after the latest checkpoint are vouched for by the chain
 * alone, so deleting them, or rewriting and re-hashing them, goes unnoticed until a checkpoint
 * covers them. How often checkpoints are taken bounds that window.
 *
 * Both run inside the caller's tenancy context (`runAs(customer)` for a tenant verifying its own
 * chain; `runAsWorker` for the operator's job over every chain).
 */
import { Clock, DateTime, Effect, Option, Result } from "effect"
import * as Base64Url from "effect/encoding/Base64Url"
import type { CustomerId } from "../Ids.ts"
import { Tenancy } from "../tenancy/Tenancy.ts"
import {
  AnchorBroken,
  AnchorHolds,
  type AnchorReason,
  type AnchorVerification,
  AuditCheckpoint,
  canonicalBytes
} from "./AuditCheckpoint.ts"
import { AuditCheckpointStore, CheckpointUnreadable } from "./AuditCheckpointStore.ts"
import { AuditKeyRing } from "./AuditKeyRing.ts"
import { AuditLog } from "./AuditLog.ts"
import { AuditSigner } from "./AuditSigner.ts"

/** What `checkpoint` did for one customer. */
export type CheckpointOutcome =
  /** A new checkpoint was signed and stored. */
  | { readonly _tag: "Written"; readonly checkpoint: AuditCheckpoint }
  /** The chain's head is the latest checkpoint's: nothing to sign. */
  | { readonly _tag: "Unchanged"; readonly customerId: CustomerId; readonly seq: number }
  /** The customer has no events. */
  | { readonly _tag: "Empty"; readonly customerId: CustomerId }
  /** The chain does not verify: it is not signed, and this says why. */
  | { readonly _tag: "Refused"; readonly verification: AnchorBroken }

const broken = (
  customerId: CustomerId,
  seq: number,
  reason: AnchorReason,
  checkpointSeq: number | null,
  eventId: AnchorBroken["eventId"] = null
) => new AnchorBroken({ customerId, seq, eventId, reason, checkpointSeq })

/** Whether a stored checkpoint is this customer's and its signature verifies. */
const checkSignature = (customerId: CustomerId, checkpoint: AuditCheckpoint) =>
  Effect.gen(function* () {
    const ring = yield* AuditKeyRing
    if (checkpoint.customerId.toLowerCase() !== customerId.toLowerCase()) {
      return "checkpoint-unreadable" as const
    }
    const signature = Base64Url.decode(checkpoint.signature)
    if (Result.isFailure(signature)) return "checkpoint-signature-invalid" as const
    const check = yield* ring.verify(
      checkpoint.keyId,
      checkpoint.algorithm,
      canonicalBytes(checkpoint),
      signature.success
    )
    return check === "valid"
      ? ("valid" as const)
      : check === "unknown-key"
        ? ("checkpoint-key-unknown" as const)
        : ("checkpoint-signature-invalid" as const)
  })

/**
 * After a `rewritten` verdict at the latest checkpoint: the highest older checkpoint that is
 * genuine and still matches bounds the rewrite from below, so the first event no checkpoint
 * vouches for is the one after it.
 */
const firstUnvouched = (customerId: CustomerId, below: number) =>
  Effect.gen(function* () {
    const log = yield* AuditLog
    const store = yield* AuditCheckpointStore
    const older = yield* store.list(customerId)
    for (const candidate of older) {
      if (candidate instanceof CheckpointUnreadable || candidate.seq >= below) continue
      if ((yield* checkSignature(customerId, candidate)) !== "valid") continue
      const event = yield* log.at(customerId, candidate.seq)
      if (Option.isSome(event) && event.value.hash === candidate.hash) return candidate.seq + 1
    }
    return 1
  })

// The verdict, and the intact chain (count and head, one consistent read) it rests on.
const examine = (customerId: CustomerId) =>
  Effect.gen(function* () {
    const log = yield* AuditLog
    const store = yield* AuditCheckpointStore
    const chain = yield* log.verify(customerId)
    if (chain._tag === "ChainBroken") {
      return { chain: null, verdict: broken(customerId, chain.seq, chain.reason, null, chain.eventId) }
    }
    const judged = (verdict: AnchorVerification) => ({ chain, verdict })
    const latest = yield* Effect.result(store.latest(customerId))
    if (Result.isFailure(latest)) {
      if (latest.failure._tag === "CheckpointStoreFailure") return yield* Effect.fail(latest.failure)
      return judged(broken(customerId, chain.events + 1, "checkpoint-unreadable", null))
    }
    if (Option.isNone(latest.success)) {
      return judged(
        new AnchorHolds({ customerId, events: chain.events, checkpointSeq: null, unanchored: chain.events })
      )
    }
    const checkpoint = latest.success.value
    const signature = yield* checkSignature(customerId, checkpoint)
    if (signature !== "valid") return judged(broken(customerId, checkpoint.seq, signature, checkpoint.seq))
    if (chain.events < checkpoint.seq) {
      return judged(broken(customerId, chain.events + 1, "truncated", checkpoint.seq))
    }
    const pinned = yield* log.at(customerId, checkpoint.seq)
    if (Option.isNone(pinned)) return judged(broken(customerId, checkpoint.seq, "truncated", checkpoint.seq))
    if (pinned.value.hash !== checkpoint.hash) {
      const seq = yield* firstUnvouched(customerId, checkpoint.seq)
      const first = yield* log.at(customerId, seq)
      return judged(
        broken(
          customerId,
          seq,
          "rewritten",
          checkpoint.seq,
          Option.match(first, { onNone: () => null, onSome: (e) => e.id })
        )
      )
    }
    return judged(
      new AnchorHolds({
        customerId,
        events: chain.events,
        checkpointSeq: checkpoint.seq,
        unanchored: chain.events - checkpoint.seq
      })
    )
  })

/** Verifies a customer's chain, then the chain against its latest checkpoint. */
export const verify = Effect.fn("AuditCheckpoints.verify")(function* (customerId: CustomerId) {
  return (yield* examine(customerId)).verdict
})

/**
 * Signs the head of a customer's chain and stores the checkpoint, after verifying the chain
 * against its previous checkpoint: a chain that fails is refused, not signed.
 */
export const checkpoint = Effect.fn("AuditCheckpoints.checkpoint")(function* (customerId: CustomerId) {
  const store = yield* AuditCheckpointStore
  const signer = yield* AuditSigner
  const { chain, verdict } = yield* examine(customerId)
  if (verdict._tag === "AnchorBroken" || chain === null) {
    return { _tag: "Refused", verification: verdict } as CheckpointOutcome
  }
  if (chain.events === 0) return { _tag: "Empty", customerId } as CheckpointOutcome
  if (verdict.checkpointSeq !== null && verdict.checkpointSeq >= chain.events) {
    return { _tag: "Unchanged", customerId, seq: chain.events } as CheckpointOutcome
  }
  const content = {
    customerId,
    seq: chain.events,
    hash: chain.head,
    events: chain.events,
    signedAt: DateTime.makeUnsafe(yield* Clock.currentTimeMillis),
    keyId: signer.keyId,
    algorithm: signer.algorithm
  }
  const signature = yield* signer.sign(canonicalBytes(content))
  const signed = new AuditCheckpoint({ version: 1, ...content, signature: Base64Url.encode(signature) })
  yield* store.append(signed)
  return { _tag: "Written", checkpoint: signed } as CheckpointOutcome
})

/**
 * Every customer to look at: those with events and those with stored checkpoints, so a customer
 * whose every event was deleted is still verified. Read as the worker, which sees every chain.
 */
const everyone = Effect.gen(function* () {
  const tenancy = yield* Tenancy
  const store = yield* AuditCheckpointStore
  const withEvents = yield* tenancy.runAsWorker(AuditLog.use((log) => log.chains))
  const withCheckpoints = yield* store.customers
  const all = new Map<string, CustomerId>()
  for (const id of [...withEvents, ...withCheckpoints]) all.set(id.toLowerCase(), id)
  return [...all.values()].toSorted()
})

/**
 * The operator's job: checkpoints every chain (or `only` one), each customer in its own worker
 * transaction. A chain that fails verification is refused and reported, the others go on.
 */
export const checkpointAll = Effect.fn("AuditCheckpoints.checkpointAll")(function* (
  options: { readonly only?: CustomerId | undefined } = {}
) {
  const tenancy = yield* Tenancy
  const ids = options.only === undefined ? yield* everyone : [options.only]
  return yield* Effect.forEach(ids, (id) => tenancy.runAsWorker(checkpoint(id)))
})

/** Verifies every chain (or `only` one) against its latest checkpoint, as the worker. */
export const verifyAll = Effect.fn("AuditCheckpoints.verifyAll")(function* (
  options: { readonly only?: CustomerId | undefined } = {}
) {
  const tenancy = yield* Tenancy
  const ids = options.only === undefined ? yield* everyone : [options.only]
  return yield* Effect.forEach(ids, (id) => tenancy.runAsWorker(verify(id)))
})
