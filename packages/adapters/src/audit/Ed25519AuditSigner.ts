/**
 * `AuditSigner` with an Ed25519 key held by this process (from `AUDIT_SIGNING_KEY`, or the dev key
 * file), signing through effect's `Signature` on WebCrypto.
 */
import { type AuditCheckpoint, AuditSigner } from "@securebase/core"
import { Effect, Layer } from "effect"
import { Signature } from "effect/crypto"
import { cryptoLayer } from "./AuditKeyMaterial.ts"

/** Builds the signer for one key. */
export const make = (options: {
  readonly keyId: AuditCheckpoint.KeyId
  readonly privateKey: Signature.PrivateKey<Signature.Ed25519>
}) =>
  Effect.gen(function* () {
    const signature = yield* Signature.Signature
    return AuditSigner.AuditSigner.of({
      keyId: options.keyId,
      algorithm: "Ed25519",
      sign: (message) =>
        signature
          .sign(options.privateKey, message)
          .pipe(
            Effect.mapError(
              (e) => new AuditSigner.SigningFailed({ keyId: options.keyId, reason: e.reason._tag })
            )
          )
    })
  })

/** The signer for one key. */
export const layer = (options: Parameters<typeof make>[0]): Layer.Layer<AuditSigner.AuditSigner> =>
  Layer.effect(AuditSigner.AuditSigner, make(options)).pipe(Layer.provide(cryptoLayer))
