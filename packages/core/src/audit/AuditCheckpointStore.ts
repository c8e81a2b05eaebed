/**
 * Where signed checkpoints are kept, outside the database, as a port. The store is append-only:
 * a checkpoint is never overwritten or removed by this code (the storage itself should enforce it
 * too: a write-once bucket, a directory only the checkpoint job may write).
 */
import { Context, type Effect, type Option, Schema } from "effect"
import type { CustomerId } from "../Ids.ts"
import type { AuditCheckpoint } from "./AuditCheckpoint.ts"

/** A stored checkpoint exists but is not a valid checkpoint of its customer (forged or damaged). */
export class CheckpointUnreadable extends Schema.TaggedError<CheckpointUnreadable>()("CheckpointUnreadable", {
  customerId: Schema.String,
  location: Schema.String,
  problem: Schema.String
}) {
  /** Stable error code. */
  readonly code = "AUDIT.CHECKPOINT_UNREADABLE"
}

/** The store itself failed (I/O, permissions, a checkpoint already written at that name). */
export class CheckpointStoreFailure extends Schema.TaggedError<CheckpointStoreFailure>()(
  "CheckpointStoreFailure",
  { operation: Schema.String, reason: Schema.String }
) {
  /** Stable error code. */
  readonly code = "AUDIT.CHECKPOINT_STORE_FAILURE"
}

/** Append-only storage of signed checkpoints. */
export class AuditCheckpointStore extends Context.Service<
  AuditCheckpointStore,
  {
    /** Stores a checkpoint; never replaces an existing one. */
    readonly append: (checkpoint: AuditCheckpoint) => Effect.Effect<void, CheckpointStoreFailure>
    /** The customer's checkpoint with the highest `seq` (the latest signed, among equals). */
    readonly latest: (
      customerId: CustomerId
    ) => Effect.Effect<Option.Option<AuditCheckpoint>, CheckpointUnreadable | CheckpointStoreFailure>
    /**
     * The customer's checkpoints, highest `seq` first; an unreadable one is reported in place.
     * Read only to narrow down a failure.
     */
    readonly list: (
      customerId: CustomerId
    ) => Effect.Effect<ReadonlyArray<AuditCheckpoint | CheckpointUnreadable>, CheckpointStoreFailure>
    /** Every customer with at least one checkpoint. */
    readonly customers: Effect.Effect<ReadonlyArray<CustomerId>, CheckpointStoreFailure>
  }
>()("@securebase/core/audit/AuditCheckpointStore") {}
