/**
 * The public keys that verify audit checkpoints, by key id, as a port. After a rotation the ring
 * holds the new key and every previous one, so older checkpoints still verify.
 */
import { Context, type Effect } from "effect"
import type { Algorithm, KeyId } from "./AuditCheckpoint.ts"

/** A verification key as it is published (for customers who check signatures themselves). */
export interface PublicKeyInfo {
  readonly keyId: KeyId
  readonly algorithm: Algorithm
  /** The raw public key (32 bytes for Ed25519), base64url. */
  readonly publicKey: string
}

/** The outcome of checking one signature. */
export type SignatureCheck = "valid" | "invalid" | "unknown-key"

/** Verifies checkpoint signatures against the configured public keys. */
export class AuditKeyRing extends Context.Service<
  AuditKeyRing,
  {
    /** The keys, newest first. */
    readonly keys: ReadonlyArray<PublicKeyInfo>
    /** Checks `signature` over `message` with the key `keyId` of `algorithm`; never fails. */
    readonly verify: (
      keyId: string,
      algorithm: string,
      message: Uint8Array,
      signature: Uint8Array
    ) => Effect.Effect<SignatureCheck>
  }
>()("@securebase/core/audit/AuditKeyRing") {}
