/**
 * Audit events: who did what to which subject, appended in the same transaction as the change.
 *
 * Each customer's events form a hash chain: an event stores the hash of the previous event of its
 * customer (`prevHash`) and its own hash over a canonical encoding of its content and `prevHash`.
 * Editing, deleting or reordering a stored event breaks the chain at that event, which
 * {@link ChainVerification} reports. Removing the latest events, or rewriting events and
 * recomputing every hash after them, leaves a chain that is consistent with itself: signed
 * checkpoints kept outside the store (`AuditCheckpoint`) catch those.
 *
 * Who acted and when are not the writer's to say: the store records the actor of the
 * transaction's principal (`Tenancy.CurrentPrincipal`) and its own time.
 */
import { Schema } from "effect"
import * as FieldDoc from "../FieldDoc.ts"
import { CustomerId } from "../Ids.ts"

/** An audit event id: a UUID. */
export const AuditEventId = Schema.String.check(Schema.isUUID()).pipe(Schema.brand("AuditEventId"))
export type AuditEventId = typeof AuditEventId.Type

/** A dotted action name such as `invoice.issued` or `api_key.revoked`. */
export const AuditAction = Schema.String.check(
  Schema.isPattern(/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/, {
    message: "expected a dotted action such as invoice.issued"
  })
).pipe(Schema.brand("AuditAction"))
export type AuditAction = typeof AuditAction.Type

/** A SHA-256 digest written as 64 lowercase hex digits. */
export const Sha256Hex = Schema.String.check(
  Schema.isPattern(/^[0-9a-f]{64}$/, { message: "expected 64 lowercase hex digits" })
)
export type Sha256Hex = typeof Sha256Hex.Type

/** The `prevHash` of a customer's first event: 32 zero bytes. */
export const genesisHash: Sha256Hex = "0".repeat(64)

/**
 * The actions the billing worker may append, and nothing else: each names the table its subject
 * lives in, and the store accepts one only for a subject of that customer. Migrations 0010 and 0015
 * hold the same list in `audit_worker_actions`; a test keeps the two equal.
 */
export const workerActions = {
  "invoice.issued": "invoice",
  "invoice.overdue": "invoice",
  "invoice.dunning_reminder": "invoice",
  "invoice.dunning_suspension": "invoice",
  "notification.sent": "notification",
  "invoice.pushed": "invoice",
  "invoice.paid_by_provider": "invoice",
  "invoice.payment_failed": "invoice",
  "customer.updated_by_provider": "customer",
  "customer.plan_changed_by_provider": "customer",
  "customer.closed_by_provider": "customer"
} as const satisfies Record<string, string>

/** A worker action (see {@link workerActions}). */
export type WorkerAction = keyof typeof workerActions

/**
 * The actions both a customer's transaction and the payments worker append (a payment recorded or
 * a credit note issued by an operator, or from a provider event), with the table of their subject.
 * Migration 0019 holds the same list in `audit_shared_actions`; a test keeps the two equal.
 */
export const sharedActions = {
  "invoice.payment_recorded": "invoice",
  "invoice.paid": "invoice",
  "credit_note.issued": "credit_note"
} as const satisfies Record<string, string>

/** What a caller appends. The store assigns the position and the hashes, the actor and the time. */
export class NewAuditEvent extends Schema.Class<NewAuditEvent>("@securebase/core/NewAuditEvent")({
  customerId: CustomerId.pipe(
    FieldDoc.describe("The customer (tenant) whose chain holds the event, a UUID.")
  ),
  action: AuditAction.pipe(FieldDoc.describe("What happened, a dotted action name.", ["api_key.revoked"])),
  /** What was acted on (`invoice`, `api_key`), when there is one subject. */
  subjectType: Schema.NullOr(Schema.String.check(Schema.isMaxLength(100))).pipe(
    FieldDoc.describe("What was acted on, when there is one subject; null otherwise.", ["api_key"])
  ),
  subjectId: Schema.NullOr(Schema.String.check(Schema.isMaxLength(200))).pipe(
    FieldDoc.describe("The id of what was acted on; null when there is no single subject.")
  ),
  /** Details; JSON. */
  payload: Schema.Record(Schema.String, Schema.Json).pipe(
    FieldDoc.describe("Details of the change, a JSON object.")
  )
}) {}

/** A stored audit event: its position in its customer's chain and the chain's hashes. */
export class AuditEvent extends Schema.Class<AuditEvent>("@securebase/core/AuditEvent")({
  ...NewAuditEvent.fields,
  id: AuditEventId.pipe(FieldDoc.describe("The event's id, a UUID.")),
  /** 1 for a customer's first event, then consecutive. */
  seq: Schema.Int.check(Schema.isGreaterThanOrEqualTo(1)).pipe(
    FieldDoc.describe(
      "The event's position in its customer's chain: 1 for the first event, then consecutive.",
      [42]
    )
  ),
  /**
   * Who acted, as the store recorded it from the transaction's principal: `api_key:<id>`,
   * `session:<id>`, `worker:billing`, … (`role:<database role>` when the transaction named none).
   */
  actor: Schema.String.pipe(
    FieldDoc.describe(
      "Who acted, from the transaction's principal: `api_key:<id>`, `session:<id>`, `worker:billing`, … (`role:<database role>` when none was named).",
      ["api_key:abcdefghijklmnop"]
    )
  ),
  /** The database role that appended the event; null for events stored before the store kept it. */
  dbRole: Schema.NullOr(Schema.String).pipe(
    FieldDoc.describe("The database role that appended the event; null for events stored before it was kept.")
  ),
  /** When, by the store's clock (the time of the transaction that appended it). */
  occurredAt: Schema.DateTimeUtc.pipe(
    FieldDoc.describe("When the event was appended, by the store's clock, RFC 3339 UTC.")
  ),
  prevHash: Sha256Hex.pipe(
    FieldDoc.describe("The previous event's `hash` (64 lowercase hex characters; zeros for the first event).")
  ),
  hash: Sha256Hex.pipe(
    FieldDoc.describe("The SHA-256 of this event's content and `prevHash`, 64 lowercase hex characters.")
  )
}) {}

/** Why a link of the chain does not hold. */
export const BrokenLinkReason = Schema.Literals([
  /** The event's stored hash is not the hash of its content: the event was edited. */
  "hash-mismatch",
  /** The event does not point at the previous event's hash: an event before it was removed or replaced. */
  "prev-hash-mismatch",
  /** Positions skip or repeat: an event was removed or inserted. */
  "sequence-gap",
  /** The chain ends before the recorded head: its latest events were removed. */
  "truncated"
])
export type BrokenLinkReason = typeof BrokenLinkReason.Type

/** The chain holds from the first event to the last. */
export class ChainIntact extends Schema.TaggedClass<ChainIntact>()("ChainIntact", {
  customerId: CustomerId,
  /** How many events; the last one's `seq` (0 for an empty chain). */
  events: Schema.Int,
  /** The last event's hash ({@link genesisHash} for an empty chain): what a checkpoint signs. */
  head: Sha256Hex
}) {}

/** The first link that does not hold, in chain order. */
export class ChainBroken extends Schema.TaggedClass<ChainBroken>()("ChainBroken", {
  customerId: CustomerId,
  /** Position of the first event whose link fails (for `truncated`, the first missing position). */
  seq: Schema.Int,
  /** The id of that event, when it still exists. */
  eventId: Schema.NullOr(AuditEventId),
  reason: BrokenLinkReason
}) {}

/** The outcome of verifying a customer's chain. */
export type ChainVerification = ChainIntact | ChainBroken
