/**
 * Ed25519 key material for audit checkpoints, as configuration carries it: `keyId:base64`
 * entries, comma-separated for lists (`AUDIT_SIGNING_KEY`, `AUDIT_VERIFY_KEYS`).
 *
 * - a private key is the 32-byte seed, or a PKCS#8 DER key (48 bytes for Ed25519), in base64 or
 *   base64url (`openssl genpkey -algorithm ed25519 -outform DER | base64 -w0` gives the latter);
 * - a public key is the raw 32 bytes, or an SPKI DER key (44 bytes), in base64 or base64url
 *   (`openssl pkey -pubout -outform DER | base64 -w0`).
 */
import { AuditCheckpoint } from "@securebase/core"
import { Effect, Layer, Result, Schema } from "effect"
import { type CryptoError, KeyFormat, SecureRandom, Signature } from "effect/crypto"
import * as Base64 from "effect/encoding/Base64"
import * as Base64Url from "effect/encoding/Base64Url"

/** A key in configuration is unusable; `reason` says why, never the key. */
export class InvalidAuditKey extends Schema.TaggedError<InvalidAuditKey>()("InvalidAuditKey", {
  keyId: Schema.String,
  reason: Schema.String
}) {
  /** Stable error code. */
  readonly code = "AUDIT.INVALID_KEY"
}

/** One `keyId:base64` entry, decoded to bytes. */
export interface Entry {
  readonly keyId: AuditCheckpoint.KeyId
  readonly bytes: Uint8Array
}

const decodeKeyId = Schema.decodeUnknownResult(AuditCheckpoint.KeyId)

// Base64 or base64url, padded or not: both alphabets are folded into one before decoding.
const decodeBytes = (text: string): Uint8Array | undefined => {
  const folded = text.trim().replaceAll("-", "+").replaceAll("_", "/").replace(/=+$/, "")
  if (!/^[A-Za-z0-9+/]*$/.test(folded)) return undefined
  const decoded = Base64.decode(folded + "=".repeat((4 - (folded.length % 4)) % 4))
  return Result.isSuccess(decoded) ? decoded.success : undefined
}

/** Parses `keyId:base64[,keyId:base64…]`; an empty string is no entries. */
export const parseEntries = (raw: string): Result.Result<ReadonlyArray<Entry>, InvalidAuditKey> => {
  const entries: Array<Entry> = []
  for (const part of raw.split(",").map((p) => p.trim())) {
    if (part === "") continue
    const at = part.indexOf(":")
    const keyId = decodeKeyId(at <= 0 ? "" : part.slice(0, at))
    if (Result.isFailure(keyId)) {
      return Result.fail(
        new InvalidAuditKey({
          keyId: "",
          reason: "expected keyId:base64 with a key id of 1-64 letters, digits, . _ -"
        })
      )
    }
    const bytes = decodeBytes(part.slice(at + 1))
    if (bytes === undefined || bytes.length === 0) {
      return Result.fail(new InvalidAuditKey({ keyId: keyId.success, reason: "the key is not base64" }))
    }
    entries.push({ keyId: keyId.success, bytes })
  }
  return Result.succeed(entries)
}

const invalid = (keyId: string, reason: string) => () => new InvalidAuditKey({ keyId, reason })

/** An Ed25519 private key from a 32-byte seed or a PKCS#8 DER key. */
export const privateKey = (entry: Entry) =>
  (entry.bytes.length === 32
    ? Signature.privateKey(Signature.ed25519, entry.bytes)
    : KeyFormat.decodePrivate(KeyFormat.pkcs8, Signature.ed25519, entry.bytes)
  ).pipe(Effect.mapError(invalid(entry.keyId, "not an Ed25519 private key (a 32-byte seed or PKCS#8 DER)")))

/** An Ed25519 public key from its raw 32 bytes or an SPKI DER key. */
export const publicKey = (entry: Entry) =>
  (entry.bytes.length === 32
    ? Signature.publicKey(Signature.ed25519, entry.bytes)
    : KeyFormat.decodePublic(KeyFormat.spki, Signature.ed25519, entry.bytes)
  ).pipe(Effect.mapError(invalid(entry.keyId, "not an Ed25519 public key (32 raw bytes or SPKI DER)")))

/** The `Signature` service on WebCrypto (Node's `crypto.subtle`). */
export const cryptoLayer: Layer.Layer<Signature.Signature> = Signature.layerWebCrypto.pipe(
  Layer.provide(SecureRandom.layerWebCrypto)
)

/** The public key of a private key. */
export const publicKeyOf = (
  key: Signature.PrivateKey<Signature.Ed25519>
): Effect.Effect<Signature.PublicKey<Signature.Ed25519>, CryptoError.CryptoError> =>
  Signature.Signature.use((signature) => signature.publicKeyOf(key)).pipe(Effect.provide(cryptoLayer))

/** The raw 32 bytes of a public key, base64url: how keys are published. */
export const publicKeyText = (key: Signature.PublicKey) =>
  Effect.map(Effect.orDie(Signature.toBytes(key)), Base64Url.encode)
