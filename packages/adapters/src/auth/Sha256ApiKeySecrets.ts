/**
 * Key material for `ApiKeySecrets`: ids and secrets from Web Crypto's `getRandomValues`, stored as
 * the SHA-256 of the secret (@oslojs/crypto) and compared with `constantTimeEqual`. A 256-bit
 * random secret cannot be brute-forced, so a slow password hash (bcrypt: ~58 ms a check) would
 * only spend the latency budget; see the README.
 */

import { sha256 } from "@oslojs/crypto/sha2"
import { constantTimeEqual } from "@oslojs/crypto/subtle"
import { decodeHex, encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from "@oslojs/encoding"
import { type ApiKey, ApiKeySecrets } from "@securebase/core"
import { Effect, Layer, Redacted } from "effect"

const encoder = new TextEncoder()

const randomBase32 = (bytes: number): string =>
  encodeBase32LowerCaseNoPadding(globalThis.crypto.getRandomValues(new Uint8Array(bytes)))

const digest = (secret: Redacted.Redacted<string>): Uint8Array =>
  sha256(encoder.encode(Redacted.value(secret)))

/** The SHA-256 hex of a secret (exported for fixtures and the benchmark). */
export const hashSecret = (secret: Redacted.Redacted<string>): ApiKey.SecretHash =>
  encodeHexLowerCase(digest(secret)) as ApiKey.SecretHash

/** `ApiKeySecrets` with SHA-256 and Web Crypto randomness. */
export const make: ApiKeySecrets.ApiKeySecrets["Service"] = ApiKeySecrets.ApiKeySecrets.of({
  generate: Effect.sync(() => ({
    // 10 bytes → exactly 16 base32 characters; 32 bytes → 52 (the format's lengths).
    keyId: randomBase32(10) as ApiKey.ApiKeyId,
    secret: Redacted.make(randomBase32(32))
  })),
  hash: (secret) => Effect.sync(() => hashSecret(secret)),
  matches: (secret, expected) =>
    // `expected` is a validated 64-hex-digit SecretHash, so decodeHex cannot throw.
    Effect.sync(() => constantTimeEqual(digest(secret), decodeHex(expected)))
})

/** The layer. */
export const layer: Layer.Layer<ApiKeySecrets.ApiKeySecrets> = Layer.succeed(
  ApiKeySecrets.ApiKeySecrets,
  make
)
