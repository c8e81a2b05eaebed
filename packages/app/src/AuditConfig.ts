/**
 * Where signed audit checkpoints live and which keys sign and verify them, from the environment:
 *
 * - `AUDIT_CHECKPOINT_DIR`: the checkpoint directory (default `.data/audit-checkpoints`). With the
 *   database in memory and no directory named, checkpoints are kept in memory too: they would
 *   otherwise outlive their database and be held against the next one.
 * - `AUDIT_SIGNING_KEY`: `keyId:base64` of an Ed25519 private key (the 32-byte seed or PKCS#8
 *   DER). Only the checkpoint job needs it; the API only verifies.
 * - `AUDIT_VERIFY_KEYS`: `keyId:base64,…` public keys (raw 32 bytes or SPKI DER) that verify
 *   checkpoints besides the signing key's own: the retired keys after a rotation, or, on servers
 *   that never sign, every key.
 * - `AUDIT_SIGNING_KEY_FILE`: dev only, where the generated development key is kept (default
 *   `.data/audit-signing-key.json`). Without `AUDIT_SIGNING_KEY` the `dev` profile generates one
 *   there on the first checkpoint, and verifiers read it; staging and prod refuse to sign without
 *   `AUDIT_SIGNING_KEY` and to start without any verification key.
 */
import {
  AuditKeyMaterial,
  DevAuditSigningKey,
  Ed25519AuditKeyRing,
  Ed25519AuditSigner,
  FileCheckpointStore,
  MemoryCheckpointStore
} from "@securebase/adapters"
import type { AuditCheckpointStore, AuditKeyRing, AuditSigner } from "@securebase/core"
import { Config, Console, Effect, Layer, Option, Redacted, Result, Schema } from "effect"

/** The audit settings. */
export interface AuditConfig {
  readonly checkpointDir: Option.Option<string>
  readonly signingKey: Option.Option<Redacted.Redacted<string>>
  readonly verifyKeys: string
  readonly devKeyFile: string
}

/** The default checkpoint directory. */
export const defaultCheckpointDir = ".data/audit-checkpoints"

/** Reads the settings (validated by {@link problems}). */
export const config: Config.Config<AuditConfig> = Config.all({
  checkpointDir: Config.String("AUDIT_CHECKPOINT_DIR").pipe(Config.option),
  signingKey: Config.Redacted("AUDIT_SIGNING_KEY").pipe(Config.option),
  verifyKeys: Config.String("AUDIT_VERIFY_KEYS").pipe(Config.withDefault("")),
  devKeyFile: Config.String("AUDIT_SIGNING_KEY_FILE").pipe(Config.withDefault(".data/audit-signing-key.json"))
})

const signingEntries = (c: AuditConfig) =>
  AuditKeyMaterial.parseEntries(Option.match(c.signingKey, { onNone: () => "", onSome: Redacted.value }))

/** Everything wrong with the settings, for the configuration's one report (never a key's value). */
export const problems = (profile: "dev" | "staging" | "prod", c: AuditConfig): ReadonlyArray<string> => {
  const found: Array<string> = []
  const signing = signingEntries(c)
  if (Result.isFailure(signing)) found.push(`AUDIT_SIGNING_KEY: ${signing.failure.reason}`)
  else if (signing.success.length > 1) found.push("AUDIT_SIGNING_KEY holds one key (keyId:base64)")
  const verifying = AuditKeyMaterial.parseEntries(c.verifyKeys)
  if (Result.isFailure(verifying)) found.push(`AUDIT_VERIFY_KEYS: ${verifying.failure.reason}`)
  if (
    profile !== "dev" &&
    Option.isNone(c.signingKey) &&
    Result.isSuccess(verifying) &&
    verifying.success.length === 0
  ) {
    found.push(
      `AUDIT_VERIFY_KEYS (or AUDIT_SIGNING_KEY) is required in ${profile}: the keys that verify audit checkpoints`
    )
  }
  return found
}

/** Signing was asked for where no key may be generated. */
export class SigningKeyMissing extends Schema.TaggedError<SigningKeyMissing>()("SigningKeyMissing", {
  profile: Schema.String
}) {
  /** Stable error code. */
  readonly code = "AUDIT.SIGNING_KEY_MISSING"
  override get message(): string {
    return `AUDIT_SIGNING_KEY is required in ${this.profile} to sign audit checkpoints (a development key is generated in dev only)`
  }
}

/** The checkpoint store: the directory, or memory for an in-memory database with no directory named. */
export const storeLayer = (
  c: AuditConfig,
  options: { readonly ephemeralDatabase: boolean }
): Layer.Layer<AuditCheckpointStore.AuditCheckpointStore> =>
  Option.match(c.checkpointDir, {
    onSome: FileCheckpointStore.layer,
    onNone: () =>
      options.ephemeralDatabase
        ? MemoryCheckpointStore.layer
        : FileCheckpointStore.layer(defaultCheckpointDir)
  })

/**
 * The verification keys: `AUDIT_VERIFY_KEYS`, the signing key's own public key, and in dev the
 * development key if one was generated.
 */
export const keyRingLayer = (
  profile: "dev" | "staging" | "prod",
  c: AuditConfig
): Layer.Layer<AuditKeyRing.AuditKeyRing, AuditKeyMaterial.InvalidAuditKey> =>
  Layer.unwrap(
    Effect.gen(function* () {
      const signing = yield* Result.match(signingEntries(c), {
        onFailure: Effect.fail,
        onSuccess: Effect.succeed
      })
      const verifying = yield* Result.match(AuditKeyMaterial.parseEntries(c.verifyKeys), {
        onFailure: Effect.fail,
        onSuccess: Effect.succeed
      })
      const dev =
        profile === "dev" && signing.length === 0
          ? Option.toArray(yield* DevAuditSigningKey.load(c.devKeyFile))
          : []
      const fromPrivate = yield* Effect.forEach([...signing, ...dev], (entry) =>
        Effect.map(AuditKeyMaterial.privateKey(entry), (privateKey) => ({ keyId: entry.keyId, privateKey }))
      )
      const derived = yield* Effect.forEach(fromPrivate, (k) =>
        Effect.map(Effect.orDie(AuditKeyMaterial.publicKeyOf(k.privateKey)), (publicKey) => ({
          keyId: k.keyId,
          publicKey
        }))
      )
      const listed = yield* Effect.forEach(verifying, (entry) =>
        Effect.map(AuditKeyMaterial.publicKey(entry), (publicKey) => ({ keyId: entry.keyId, publicKey }))
      )
      return Ed25519AuditKeyRing.layer([...derived, ...listed])
    })
  )

/**
 * The signer: `AUDIT_SIGNING_KEY`; in dev without it, the development key (generated on first
 * use, announced on stderr); in staging and prod without it, `SigningKeyMissing`.
 */
export const signerLayer = (
  profile: "dev" | "staging" | "prod",
  c: AuditConfig
): Layer.Layer<AuditSigner.AuditSigner, AuditKeyMaterial.InvalidAuditKey | SigningKeyMissing> =>
  Layer.unwrap(
    Effect.gen(function* () {
      const signing = yield* Result.match(signingEntries(c), {
        onFailure: Effect.fail,
        onSuccess: Effect.succeed
      })
      let entry = signing[0]
      if (entry === undefined) {
        if (profile !== "dev") return yield* new SigningKeyMissing({ profile })
        const dev = yield* DevAuditSigningKey.loadOrCreate(c.devKeyFile)
        yield* Console.error(
          dev.created
            ? `audit: no AUDIT_SIGNING_KEY; generated the development key ${dev.entry.keyId} in ${c.devKeyFile} (dev only)`
            : `audit: no AUDIT_SIGNING_KEY; signing with the development key ${dev.entry.keyId} from ${c.devKeyFile}`
        )
        entry = dev.entry
      }
      const privateKey = yield* AuditKeyMaterial.privateKey(entry)
      return Ed25519AuditSigner.layer({ keyId: entry.keyId, privateKey })
    })
  )
