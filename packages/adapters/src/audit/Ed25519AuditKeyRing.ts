/**
 * `AuditKeyRing` over Ed25519 public keys: the current signing key's and every retired one's, so
 * checkpoints signed before a rotation still verify.
 */
import { type AuditCheckpoint, AuditKeyRing } from "@securebase/core"
import { Effect, Layer } from "effect"
import { Signature } from "effect/crypto"
import { cryptoLayer, publicKeyText } from "./AuditKeyMaterial.ts"

/** A verification key and its id. */
export interface Key {
  readonly keyId: AuditCheckpoint.KeyId
  readonly publicKey: Signature.PublicKey<Signature.Ed25519>
}

/** Builds the ring; a key id listed twice keeps its first key. */
export const make = (keys: ReadonlyArray<Key>) =>
  Effect.gen(function* () {
    const signature = yield* Signature.Signature
    const byId = new Map<string, Key>()
    for (const key of keys) if (!byId.has(key.keyId)) byId.set(key.keyId, key)
    const published = yield* Effect.forEach([...byId.values()], (key) =>
      Effect.map(publicKeyText(key.publicKey), (publicKey) => ({
        keyId: key.keyId,
        algorithm: "Ed25519" as const,
        publicKey
      }))
    )
    return AuditKeyRing.AuditKeyRing.of({
      keys: published,
      verify: (keyId, algorithm, message, sig) => {
        const key = byId.get(keyId)
        if (key === undefined) return Effect.succeed("unknown-key" as const)
        if (algorithm !== "Ed25519") return Effect.succeed("invalid" as const)
        return signature.verify(key.publicKey, sig, message).pipe(
          Effect.map((ok) => (ok ? ("valid" as const) : ("invalid" as const))),
          // A key the runtime refuses cannot vouch for anything.
          Effect.orElseSucceed(() => "invalid" as const)
        )
      }
    })
  })

/** The ring of `keys`. */
export const layer = (keys: ReadonlyArray<Key>): Layer.Layer<AuditKeyRing.AuditKeyRing> =>
  Layer.effect(AuditKeyRing.AuditKeyRing, make(keys)).pipe(Layer.provide(cryptoLayer))
