/**
 * Signed checkpoints of a customer's audit chain: the head of the chain (its last `seq` and hash)
 * signed with a key the database never sees, and kept outside the database (a checkpoint store,
 * and the customer's own copy from the API).
 *
 * A hash chain alone proves only that the stored events agree with each other. Whoever can write
 * the table can delete its latest events, or rewrite an event and recompute every hash after it
 * with the public hash function, and the chain still verifies. A checkpoint pins the head: the
 * chain must still reach the checkpoint's `seq`, and the event there must still have the
 * checkpointed hash, which by construction covers every event before it.
 *
 * Canonical encoding (version 1), the bytes that are signed: the UTF-8 of these lines, joined by
 * "\n", with no trailing newline:
 *
 *   securebase-audit-checkpoint/1
 *   customer:<customer id, lowercase UUID>
 *   seq:<decimal>
 *   hash:<64 lowercase hex digits>
 *   events:<decimal>
 *   signed-at:<ISO 8601 UTC with milliseconds, e.g. 2026-11-22T10:00:00.000Z>
 *   key-id:<key id>
 *   algorithm:Ed25519
 *
 * No field can contain a newline (the schemas below forbid it), so the encoding is unambiguous.
 */
import { DateTime, Schema } from "effect"
import * as FieldDoc from "../FieldDoc.ts"
import { CustomerId } from "../Ids.ts"
import { AuditEventId, BrokenLinkReason, Sha256Hex } from "./AuditEvent.ts"

/** A signing key id: 1-64 letters, digits, `.`, `_` or `-`. Rotation adds a key with a new id. */
export const KeyId = Schema.String.check(
  Schema.isPattern(/^[A-Za-z0-9._-]{1,64}$/, { message: "expected 1-64 letters, digits, '.', '_' or '-'" })
).pipe(Schema.brand("AuditKeyId"))
export type KeyId = typeof KeyId.Type

/** The signature algorithm of checkpoints. */
export const Algorithm = Schema.Literal("Ed25519")
export type Algorithm = typeof Algorithm.Type

/** Bytes written as unpadded base64url. */
export const Base64Url = Schema.String.check(
  Schema.isPattern(/^[A-Za-z0-9_-]{1,1024}$/, { message: "expected unpadded base64url" })
)

/** What is signed: the head of one customer's chain at one moment, and who signs it. */
export const CheckpointContent = Schema.Struct({
  customerId: CustomerId.pipe(FieldDoc.describe("The customer (tenant) whose chain is signed, a UUID.")),
  /** The `seq` of the chain's last event. */
  seq: Schema.Int.check(Schema.isGreaterThanOrEqualTo(1)).pipe(
    FieldDoc.describe("The `seq` of the chain's last event at signing.")
  ),
  /** That event's hash. */
  hash: Sha256Hex.pipe(FieldDoc.describe("That event's hash, 64 lowercase hex characters.")),
  /** How many events the chain held (equal to `seq` for an intact chain; kept for readers). */
  events: Schema.Int.check(Schema.isGreaterThanOrEqualTo(1)).pipe(
    FieldDoc.describe("How many events the chain held (equal to `seq` for an intact chain).")
  ),
  signedAt: Schema.DateTimeUtcFromString.pipe(
    FieldDoc.describe("When the checkpoint was signed, RFC 3339 UTC.", ["2026-11-28T00:00:00.000Z"])
  ),
  keyId: KeyId.pipe(
    FieldDoc.describe("The id of the signing key; the public key with this id verifies the signature.", [
      "audit-2026-11"
    ])
  ),
  algorithm: Algorithm.pipe(FieldDoc.describe("The signature algorithm: `Ed25519`."))
})
export type CheckpointContent = typeof CheckpointContent.Type

/** A signed checkpoint, as stored (one JSON file each) and as returned to the customer. */
export class AuditCheckpoint extends Schema.Class<AuditCheckpoint>("@securebase/core/AuditCheckpoint")({
  version: Schema.Literal(1).pipe(FieldDoc.describe("The checkpoint format's version: 1.")),
  ...CheckpointContent.fields,
  /** The signature over {@link canonicalBytes}, base64url. */
  signature: Base64Url.pipe(
    FieldDoc.describe("The Ed25519 signature over the checkpoint's canonical bytes, unpadded base64url.")
  )
}) {}

const header = "securebase-audit-checkpoint/1"

/** The bytes a checkpoint's signature covers (see the module documentation). */
export const canonicalBytes = (content: CheckpointContent): Uint8Array =>
  new TextEncoder().encode(
    [
      header,
      `customer:${content.customerId.toLowerCase()}`,
      `seq:${content.seq}`,
      `hash:${content.hash}`,
      `events:${content.events}`,
      `signed-at:${DateTime.formatIso(content.signedAt)}`,
      `key-id:${content.keyId}`,
      `algorithm:${content.algorithm}`
    ].join("\n")
  )

/** Why a chain does not hold against its latest checkpoint (beyond the chain's own reasons). */
export const AnchorReason = Schema.Literals([
  ...BrokenLinkReason.literals,
  /**
   * The event at the checkpoint's `seq` no longer has the checkpointed hash: an event at or before
   * it was rewritten and the chain re-hashed. `seq` is the first event no surviving checkpoint
   * vouches for.
   */
  "rewritten",
  /** The checkpoint's signature does not verify: the checkpoint file was forged or altered. */
  "checkpoint-signature-invalid",
  /** The checkpoint names a key id no configured public key has. */
  "checkpoint-key-unknown",
  /** The stored checkpoint cannot be read as a checkpoint of this customer. */
  "checkpoint-unreadable"
])
export type AnchorReason = typeof AnchorReason.Type

/** The chain verifies and reaches its latest checkpoint (or has none yet). */
export class AnchorHolds extends Schema.TaggedClass<AnchorHolds>()("AnchorHolds", {
  customerId: CustomerId,
  /** Events in the chain. */
  events: Schema.Int,
  /** The latest checkpoint's `seq`, or null when the chain has never been checkpointed. */
  checkpointSeq: Schema.NullOr(Schema.Int),
  /**
   * Events after the latest checkpoint. Only the chain vouches for them: deleting them, or
   * rewriting and re-hashing them, would go unnoticed until a checkpoint covers them.
   */
  unanchored: Schema.Int
}) {}

/** The first event that does not hold, in chain order, and why. */
export class AnchorBroken extends Schema.TaggedClass<AnchorBroken>()("AnchorBroken", {
  customerId: CustomerId,
  /** The first bad or missing event's position. */
  seq: Schema.Int,
  /** Its id, when it still exists. */
  eventId: Schema.NullOr(AuditEventId),
  reason: AnchorReason,
  /** The checkpoint the verdict rests on, when one does. */
  checkpointSeq: Schema.NullOr(Schema.Int)
}) {}

/** The outcome of verifying one customer's chain against its latest checkpoint. */
export type AnchorVerification = AnchorHolds | AnchorBroken

/** One line of text describing a verdict, naming the customer and the first bad or missing event. */
export const describe = (v: AnchorVerification): string =>
  v._tag === "AnchorHolds"
    ? `ok ${v.customerId}: ${v.events} events` +
      (v.checkpointSeq === null
        ? ", no checkpoint yet"
        : `, checkpoint at seq ${v.checkpointSeq}, ${v.unanchored} after it`)
    : `FAILED ${v.customerId}: seq ${v.seq} (event ${v.eventId ?? "missing"}): ${v.reason}` +
      (v.checkpointSeq === null ? "" : ` (checkpoint at seq ${v.checkpointSeq})`)
