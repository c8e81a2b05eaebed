/** The signing-secret rule: every weakness is named, and random secrets pass. */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { SecureRandom } from "effect/crypto"
import { Base64Url, Hex } from "effect/encoding"
import { SigningSecretRules } from "../../src/index.ts"

describe("SigningSecretRules.weaknesses", () => {
  it("names each weakness of a bad secret", () => {
    const cases: Array<[string, RegExp]> = [
      ["short", /shorter than 32 bytes \(5\)/],
      ["a".repeat(32), /only 1 distinct characters/],
      ["ab".repeat(16), /only 2 distinct characters/],
      ["0123456789abcdef0123456789abcdef", /repeats a block of 16 characters/],
      ["abcdefghijklmnopqrstuvwxyz0123456789", /repeat or continue a sequence/],
      ["zyxwvutsrqponmlkjihgfedcba9876543210", /repeat or continue a sequence/],
      ["securebase-development-signing-secret-not-for-production", /published in the SecureBase source/]
    ]
    for (const [secret, expected] of cases)
      assert.match(SigningSecretRules.weaknesses(secret).join("; "), expected, secret)
  })

  it("counts bytes, not characters: 16 two-byte characters are 32 bytes", () => {
    const secret = "äöüßéèêëïîôûçñåø"
    assert.notMatch(SigningSecretRules.weaknesses(secret).join("; "), /shorter/)
  })

  it.effect("random secrets pass: 2,000 of 32 random bytes in base64url and hex", () =>
    Effect.gen(function* () {
      const random = yield* SecureRandom.SecureRandom
      for (let i = 0; i < 1000; i++) {
        const bytes = yield* random.randomBytes(32)
        assert.deepStrictEqual(SigningSecretRules.weaknesses(Base64Url.encode(bytes)), [])
        assert.deepStrictEqual(SigningSecretRules.weaknesses(Hex.encode(bytes)), [])
      }
    }).pipe(Effect.provide(SecureRandom.layerWebCrypto))
  )
})
