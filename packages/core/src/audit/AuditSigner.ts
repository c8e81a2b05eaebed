/**
 * The key that signs audit checkpoints, as a port. It must live outside the database (a secret in
 * the environment, a KMS key): a database writer who could also sign could forge checkpoints.
 */
import { Context, type Effect, Schema } from "effect"
import type { Algorithm, KeyId } from "./AuditCheckpoint.ts"

/** Signing failed (the key is unusable, the signing service is down). */
export class SigningFailed extends Schema.TaggedError<SigningFailed>()("SigningFailed", {
  keyId: Schema.String,
  reason: Schema.String
}) {
  /** Stable error code. */
  readonly code = "AUDIT.SIGNING_FAILED"
}

/** Signs checkpoint bytes with the current key. */
export class AuditSigner extends Context.Service<
  AuditSigner,
  {
    readonly keyId: KeyId
    readonly algorithm: Algorithm
    /** The signature of `message`. */
    readonly sign: (message: Uint8Array) => Effect.Effect<Uint8Array, SigningFailed>
  }
>()("@securebase/core/audit/AuditSigner") {}
