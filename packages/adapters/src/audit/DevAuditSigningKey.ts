/**
 * The development signing key: when `AUDIT_SIGNING_KEY` is unset in the `dev` profile, the first
 * `audit checkpoint` generates an Ed25519 key and keeps it in a file (mode 0600, default
 * `.data/audit-signing-key.json`), one per data directory; later runs and the API read it back.
 * Staging and prod never use it: they refuse to sign without `AUDIT_SIGNING_KEY`.
 *
 * A key on the same disk as the checkpoints protects nothing against whoever owns that disk: it
 * exists so that the feature works out of the box, not as a production arrangement.
 */
import { randomUUID } from "node:crypto"
import { link, mkdir, readFile, rm, writeFile } from "node:fs/promises"
import { dirname, join } from "node:path"
import { AuditCheckpoint } from "@securebase/core"
import { Effect, Option, Schema } from "effect"
import { Signature } from "effect/crypto"
import * as Base64Url from "effect/encoding/Base64Url"
import { cryptoLayer, type Entry, InvalidAuditKey } from "./AuditKeyMaterial.ts"

const KeyFile = Schema.Struct({
  keyId: AuditCheckpoint.KeyId,
  algorithm: AuditCheckpoint.Algorithm,
  /** The 32-byte seed, base64url. */
  privateKey: AuditCheckpoint.Base64Url,
  /** The raw public key, base64url. */
  publicKey: AuditCheckpoint.Base64Url
})
const decodeKeyFile = Schema.decodeUnknownEffect(Schema.fromJsonString(KeyFile))

const unusable = (file: string, reason: string) => new InvalidAuditKey({ keyId: file, reason })

const read = (file: string) =>
  Effect.gen(function* () {
    const text = yield* Effect.tryPromise({
      try: () => readFile(file, "utf8"),
      catch: (e) => e as NodeJS.ErrnoException
    })
    const key = yield* Effect.mapError(decodeKeyFile(text), () => unusable(file, "not a signing key file"))
    const seed = Base64Url.decode(key.privateKey)
    if (seed._tag === "Failure") return yield* unusable(file, "the private key is not base64url")
    return { keyId: key.keyId, bytes: seed.success } satisfies Entry
  })

/** The development key in `file`, if it exists. */
export const load = (file: string): Effect.Effect<Option.Option<Entry>, InvalidAuditKey> =>
  read(file).pipe(
    Effect.map(Option.some),
    Effect.catchTag("InvalidAuditKey", Effect.fail),
    Effect.catch((e) =>
      (e as NodeJS.ErrnoException).code === "ENOENT"
        ? Effect.succeedNone
        : Effect.fail(unusable(file, `cannot be read (${(e as NodeJS.ErrnoException).code ?? "error"})`))
    )
  )

/** The development key in `file`, generated and written first when it does not exist yet. */
export const loadOrCreate = (
  file: string
): Effect.Effect<{ readonly entry: Entry; readonly created: boolean }, InvalidAuditKey> =>
  Effect.gen(function* () {
    const existing = yield* load(file)
    if (Option.isSome(existing)) return { entry: existing.value, created: false }
    const signature = yield* Signature.Signature
    const pair = yield* Effect.orDie(signature.generateKeyPair(Signature.ed25519))
    const seed = yield* Effect.orDie(Signature.toBytes(pair.privateKey))
    const pub = yield* Effect.orDie(Signature.toBytes(pair.publicKey))
    const keyId = `dev-${randomUUID().slice(0, 8)}` as AuditCheckpoint.KeyId
    const body = `${JSON.stringify(
      { keyId, algorithm: "Ed25519", privateKey: Base64Url.encode(seed), publicKey: Base64Url.encode(pub) },
      null,
      2
    )}\n`
    // Written aside, then linked into place: a concurrent creator's key is never overwritten, and
    // the loser of the race reads the winner's.
    const temporary = join(dirname(file), `.${randomUUID()}.tmp`)
    const won = yield* Effect.tryPromise({
      try: async () => {
        await mkdir(dirname(file), { recursive: true })
        await writeFile(temporary, body, { mode: 0o600, flag: "wx" })
        try {
          await link(temporary, file)
          return true
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === "EEXIST") return false
          throw e
        } finally {
          await rm(temporary, { force: true })
        }
      },
      catch: (e) => unusable(file, `cannot be written (${(e as NodeJS.ErrnoException).code ?? "error"})`)
    })
    if (won) return { entry: { keyId, bytes: seed }, created: true }
    const theirs = yield* load(file)
    return Option.isSome(theirs)
      ? { entry: theirs.value, created: false }
      : yield* unusable(file, "vanished while it was being created")
  }).pipe(Effect.provide(cryptoLayer))
