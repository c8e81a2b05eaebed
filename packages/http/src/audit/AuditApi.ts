/**
 * The authenticated customer's own audit trail (scope `audit:read`): its events, newest first, and
 * its latest signed checkpoint with the chain's verification against it and the public keys that
 * verify the signature, so a customer can keep the checkpoint and check it without trusting us.
 */
import { AuditCheckpoint, AuditEvent } from "@securebase/core"
import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "effect/http-api"
import { BadRequest, Forbidden, ServiceUnavailable } from "../api/ApiErrors.ts"
import { Authentication } from "../auth/Authentication.ts"
import * as Scopes from "../auth/Scopes.ts"

/** A page of audit events, newest first; `nextCursor` continues below the last one. */
export const AuditEventPage = Schema.Struct({
  data: Schema.Array(AuditEvent.AuditEvent),
  nextCursor: Schema.NullOr(Schema.String)
}).annotate({ identifier: "AuditEventPage" })

/** The chain's state against its latest checkpoint. */
export const AuditVerification = Schema.Struct({
  status: Schema.Literals(["intact", "broken"]),
  /** Events in the chain (when intact). */
  events: Schema.NullOr(Schema.Int),
  /** The checkpoint the verdict rests on. */
  checkpointSeq: Schema.NullOr(Schema.Int),
  /** Events after the latest checkpoint, which no checkpoint protects yet (when intact). */
  unanchored: Schema.NullOr(Schema.Int),
  /** The first bad or missing event (when broken). */
  failure: Schema.NullOr(
    Schema.Struct({
      seq: Schema.Int,
      eventId: Schema.NullOr(AuditEvent.AuditEventId),
      reason: AuditCheckpoint.AnchorReason
    })
  )
}).annotate({ identifier: "AuditVerification" })

/** A public key that verifies checkpoints. */
export const AuditPublicKey = Schema.Struct({
  keyId: Schema.String,
  algorithm: AuditCheckpoint.Algorithm,
  /** The raw 32-byte Ed25519 public key, base64url. */
  publicKey: Schema.String
}).annotate({ identifier: "AuditPublicKey" })

/** The latest signed checkpoint (null before the first), the verdict, and the verification keys. */
export const AuditCheckpointStatus = Schema.Struct({
  checkpoint: Schema.NullOr(AuditCheckpoint.AuditCheckpoint),
  verification: AuditVerification,
  keys: Schema.Array(AuditPublicKey)
}).annotate({ identifier: "AuditCheckpointStatus" })

/** Audit endpoints (scope `audit:read`). */
export class AuditApi extends HttpApiGroup.make("audit")
  .add(
    HttpApiEndpoint.get("events", "/audit/events", {
      query: {
        limit: Schema.optional(
          Schema.NumberFromString.check(Schema.isInt(), Schema.isBetween({ minimum: 1, maximum: 100 }))
        ),
        cursor: Schema.optional(Schema.String.check(Schema.isMaxLength(20)))
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
