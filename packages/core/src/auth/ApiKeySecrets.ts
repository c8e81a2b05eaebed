/**
 * The port to the key material: random key ids and secrets, and the SHA-256 of a secret with a
 * constant-time comparison. Kept out of the core because it needs a cryptographic random source
 * and a hash (the adapter uses @oslojs/crypto and Web Crypto's `getRandomValues`).
 */
import { Context, type Effect, type Redacted } from "effect"
import type { ApiKeyId, SecretHash } from "./ApiKey.ts"

/** Generates and checks key material. */
export class ApiKeySecrets extends Context.Service<
  ApiKeySecrets,
  {
    /** A fresh key id (80 random bits) and secret (256 random bits), both base32. */
    readonly generate: Effect.Effect<{ readonly keyId: ApiKeyId; readonly secret: Redacted.Redacted<string> }>
    /** The hash stored for a secret. */
    readonly hash: (secret: Redacted.Redacted<string>) => Effect.Effect<SecretHash>
    /** Whether `secret` hashes to `expected`, compared in constant time. */
    readonly matches: (secret: Redacted.Redacted<string>, expected: SecretHash) => Effect.Effect<boolean>
  }
>()("@securebase/core/auth/ApiKeySecrets") {}
