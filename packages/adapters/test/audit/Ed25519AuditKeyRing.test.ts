/**
 * The Ed25519 keys against an independent implementation (node:crypto): a checkpoint signed here
 * verifies there and the other way round, for every key format configuration accepts.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from "node:crypto"
import { assert, describe, it } from "@effect/vitest"
import { AuditKeyRing, AuditSigner } from "@securebase/core"
import { Effect, Result } from "effect"
import * as AuditKeyMaterial from "../../src/audit/AuditKeyMaterial.ts"
import * as Ed25519AuditKeyRing from "../../src/audit/Ed25519AuditKeyRing.ts"
import * as Ed25519AuditSigner from "../../src/audit/Ed25519AuditSigner.ts"

const message = new TextEncoder().encode("securebase-audit-checkpoint/1\nseq:1")

const nodeKey = () => {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519")
  const pkcs8 = privateKey.export({ format: "der", type: "pkcs8" })
  const spki = publicKey.export({ format: "der", type: "spki" })
  // The raw seed and public key are the last 32 bytes of the DER forms.
  return { privateKey, publicKey, pkcs8, spki, seed: pkcs8.subarray(-32), raw: spki.subarray(-32) }
}

const entries = (raw: string) => {
  const parsed = AuditKeyMaterial.parseEntries(raw)
  if (Result.isFailure(parsed)) throw new Error(parsed.failure.reason)
  return parsed.success
}

const signerOf = (raw: string) =>
  Effect.flatMap(AuditKeyMaterial.privateKey(entries(raw)[0]!), (privateKey) =>
    AuditSigner.AuditSigner.use((s) => s.sign(message)).pipe(
      Effect.provide(Ed25519AuditSigner.layer({ keyId: entries(raw)[0]!.keyId, privateKey }))
    )
  )

const ringOf = (raw: string) =>
  Effect.flatMap(
    Effect.forEach(entries(raw), (e) =>
      Effect.map(AuditKeyMaterial.publicKey(e), (publicKey) => ({ keyId: e.keyId, publicKey }))
    ),
    (keys) => Effect.succeed(Ed25519AuditKeyRing.layer(keys))
  )

describe("Ed25519 audit keys", () => {
  it.effect("a seed or a PKCS#8 key (base64 or base64url) signs what node:crypto verifies", () =>
    Effect.gen(function* () {
      const key = nodeKey()
      for (const encoded of [
        key.seed.toString("base64"),
        key.seed.toString("base64url"),
        key.pkcs8.toString("base64"),
        key.pkcs8.toString("base64url")
      ]) {
        const signature = yield* signerOf(`k1:${encoded}`)
        assert.isTrue(verify(null, message, key.publicKey, signature), encoded)
      }
    })
  )

  it.effect("a raw or SPKI public key verifies what node:crypto signed; other keys and ids do not", () =>
    Effect.gen(function* () {
      const key = nodeKey()
      const other = nodeKey()
      const signature = sign(null, message, key.privateKey)
      for (const encoded of [key.raw.toString("base64url"), key.spki.toString("base64")]) {
        const ring = yield* ringOf(`old:${other.raw.toString("base64url")},k1:${encoded}`)
        const check = (id: string, sig: Uint8Array) =>
          AuditKeyRing.AuditKeyRing.use((r) => r.verify(id, "Ed25519", message, sig)).pipe(
            Effect.provide(ring)
          )
        assert.strictEqual(yield* check("k1", signature), "valid")
        assert.strictEqual(yield* check("old", signature), "invalid")
        assert.strictEqual(yield* check("k2", signature), "unknown-key")
        assert.strictEqual(yield* check("k1", signature.subarray(0, 63)), "invalid")
        const keys = yield* AuditKeyRing.AuditKeyRing.use((r) => Effect.succeed(r.keys)).pipe(
          Effect.provide(ring)
        )
        assert.deepStrictEqual(
          keys.map((k) => [k.keyId, k.publicKey]),
          [
            ["old", other.raw.toString("base64url")],
            ["k1", key.raw.toString("base64url")]
          ]
        )
        // The published key is usable by anyone: node:crypto rebuilds it from the raw bytes.
        const rebuilt = createPublicKey({
          key: { kty: "OKP", crv: "Ed25519", x: keys[1]!.publicKey },
          format: "jwk"
        })
        assert.isTrue(verify(null, message, rebuilt, signature))
      }
    })
  )

  it.effect("configuration that is not a key is refused with a reason, never echoing the key", () =>
    Effect.gen(function* () {
      for (const raw of ["k1", ":AAAA", "k 1:AAAA", "k1:!!!"]) {
        const parsed = AuditKeyMaterial.parseEntries(raw)
        assert.isTrue(Result.isFailure(parsed), raw)
      }
      const short = yield* Effect.flip(AuditKeyMaterial.privateKey(entries("k1:AAAA")[0]!))
      assert.deepStrictEqual([short._tag, short.keyId], ["InvalidAuditKey", "k1"])
      assert.notInclude(short.reason, "AAAA")
      const spkiAsPrivate = yield* Effect.flip(
        AuditKeyMaterial.privateKey(entries(`k1:${nodeKey().spki.toString("base64")}`)[0]!)
      )
      assert.strictEqual(spkiAsPrivate._tag, "InvalidAuditKey")
      assert.deepStrictEqual(AuditKeyMaterial.parseEntries(" , "), Result.succeed([]))
      // node:crypto agrees the seed below is a valid key: the parser is not the judge of that.
      assert.doesNotThrow(() => createPrivateKey({ key: nodeKey().pkcs8, format: "der", type: "pkcs8" }))
    })
  )
})
