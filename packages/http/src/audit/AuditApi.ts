/**
 * The authenticated customer's own audit trail (scope `audit:read`): its events, newest first, and
 * its latest signed checkpoint with the chain's verification against it and the public keys that
 * verify the signature, so a customer can keep the checkpoint and check it without trusting us.
 */
import { AuditCheckpoint, AuditEvent, FieldDoc } from "@securebase/core"
import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "effect/http-api"
import { BadRequest, Forbidden, ServiceUnavailable } from "../api/ApiErrors.ts"
import { Authentication } from "../auth/Authentication.ts"
import * as Scopes from "../auth/Scopes.ts"

/** A page of audit events, newest first; `nextCursor` continues below the last one. */
export const AuditEventPage = Schema.Struct({
  data: Schema.Array(AuditEvent.AuditEvent).pipe(FieldDoc.describe("The events of this page, newest first.")),
  nextCursor: Schema.NullOr(Schema.String).pipe(
    FieldDoc.describe("Pass as `cursor` to get older events; null on the last page.")
  )
}).annotate({ identifier: "AuditEventPage" })

/** The chain's state against its latest checkpoint. */
export const AuditVerification = Schema.Struct({
  status: Schema.Literals(["intact", "broken"]).pipe(
    FieldDoc.describe("`intact` when the chain verifies against the checkpoint, `broken` otherwise.")
  ),
  /** Events in the chain (when intact). */
  events: Schema.NullOr(Schema.Int).pipe(
    FieldDoc.describe("Events in the chain when intact; null when broken.")
  ),
  /** The checkpoint the verdict rests on. */
  checkpointSeq: Schema.NullOr(Schema.Int).pipe(
    FieldDoc.describe("The `seq` of the checkpoint the verdict rests on; null before the first checkpoint.")
  ),
  /** Events after the latest checkpoint, which no checkpoint protects yet (when intact). */
  unanchored: Schema.NullOr(Schema.Int).pipe(
    FieldDoc.describe(
      "Events after the latest checkpoint, which no checkpoint protects yet (when intact); null otherwise."
    )
  ),
  /** The first bad or missing event (when broken). */
  failure: Schema.NullOr(
    Schema.Struct({
      seq: Schema.Int.pipe(FieldDoc.describe("The position of the first event that does not verify.")),
      eventId: Schema.NullOr(AuditEvent.AuditEventId).pipe(
        FieldDoc.describe("Its id, a UUID; null when the event is missing.")
      ),
      reason: AuditCheckpoint.AnchorReason.pipe(FieldDoc.describe("Why it does not verify."))
    })
  ).pipe(FieldDoc.describe("The first bad or missing event when broken; null when intact."))
}).annotate({ identifier: "AuditVerification" })

/** A public key that verifies checkpoints. */
export const AuditPublicKey = Schema.Struct({
  keyId: Schema.String.pipe(
    FieldDoc.describe("The key's id, as named by a checkpoint's `keyId`.", ["audit-2026-11"])
  ),
  algorithm: AuditCheckpoint.Algorithm.pipe(FieldDoc.describe("The signature algorithm: `Ed25519`.")),
  /** The raw 32-byte Ed25519 public key, base64url. */
  publicKey: Schema.String.pipe(FieldDoc.describe("The raw 32-byte Ed25519 public key, unpadded base64url."))
}).annotate({ identifier: "AuditPublicKey" })

/** The latest signed checkpoint (null before the first), the verdict, and the verification keys. */
export const AuditCheckpointStatus = Schema.Struct({
  checkpoint: Schema.NullOr(AuditCheckpoint.AuditCheckpoint).pipe(
    FieldDoc.describe("The latest signed checkpoint; null before the first.")
  ),
  verification: AuditVerification.pipe(FieldDoc.describe("The chain's state against that checkpoint.")),
  keys: Schema.Array(AuditPublicKey).pipe(
    FieldDoc.describe("The public keys that verify checkpoints (more than one across a key rotation).")
  )
}).annotate({ identifier: "AuditCheckpointStatus" })

/** Audit endpoints (scope `audit:read`). */
export class AuditApi extends HttpApiGroup.make("audit")
  .add(
    HttpApiEndpoint.get("events", "/audit/events", {
      query: {
        limit: Schema.optional(
          Schema.NumberFromString.check(Schema.isInt(), Schema.isBetween({ minimum: 1, maximum: 100 }))
        ).pipe(FieldDoc.describe("How many events per page, 1 to 100 (default 50).", ["50"])),
        cursor: Schema.optional(Schema.String.check(Schema.isMaxLength(20))).pipe(
          FieldDoc.describe("The `nextCursor` of the previous page; omit for the newest events.")
        )
      },
      success: AuditEventPage,
      error: [BadRequest, Forbidden, ServiceUnavailable]
    })
      .annotateMerge(
        OpenApi.annotations({
          summary: "List audit events",
          description:
            "The caller's own audit trail, newest first: every change to its keys, sessions, invoices and tickets, each event hash-chained to the one before. Scope `audit:read`. Paging: up to `limit` (1–100, default 50) per page; pass `nextCursor` as `cursor` for older events (null on the last page). Errors: 400 `REQUEST.INVALID` for a bad limit or cursor, 403 `AUTH.SCOPE_MISSING`, 503 `AUDIT.CHECKPOINT_STORE_FAILURE` when the store is unavailable."
        })
      )
      .pipe(Scopes.requires("audit:read")),
    HttpApiEndpoint.get("checkpoint", "/audit/checkpoint", {
      success: AuditCheckpointStatus,
      error: [Forbidden, ServiceUnavailable]
    })
      .annotateMerge(
        OpenApi.annotations({
          summary: "Get the latest signed audit checkpoint",
          description:
            "The caller's latest Ed25519-signed checkpoint of its audit chain (null before the first), the verification of the chain against it, and the public keys that verify the signature, so the customer can keep the checkpoint and check it independently. Scope `audit:read`. Errors: 403 `AUTH.SCOPE_MISSING`, 503 `AUDIT.CHECKPOINT_UNREADABLE` or `AUDIT.CHECKPOINT_STORE_FAILURE`."
        })
      )
      .pipe(Scopes.requires("audit:read"))
  )
  .middleware(Authentication)
  .annotateMerge(OpenApi.annotations({ title: "Audit" })) {}
