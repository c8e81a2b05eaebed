/**
 * The authenticator composed from the real in-memory adapters, HS256 tokens and SHA-256 secrets:
 * what the embedded default runs, and what the auth tests exercise.
 */
import { hmac } from "@oslojs/crypto/hmac"
import { SHA256 } from "@oslojs/crypto/sha2"
import { createJWTSignatureMessage, encodeJWT } from "@oslojs/jwt"
import {
  type ApiKeySecrets,
  type ApiKeyStore,
  type AuthAttempts,
  Authenticator,
  type CustomerDirectory,
  type Ids,
  type LimitStore,
  type SessionCache,
  type SessionRevocations,
  type SessionTokens,
  Throttle
} from "@securebase/core"
import { Layer, Redacted } from "effect"
import {
  HmacSessionTokens,
  MemoryApiKeyStore,
  MemoryAuthAttempts,
  MemoryCustomerDirectory,
  MemoryLimitStore,
  MemorySessionCache,
  MemorySessionRevocations,
  Sha256ApiKeySecrets
} from "../../src/index.ts"

/** A 32-byte secret filled with `byte`. */
export const secretOf = (byte: number) => Redacted.make(new Uint8Array(32).fill(byte))

export const tokenOptions: HmacSessionTokens.Options = {
  issuer: "https://auth.securebase.test",
  audience: "securebase-api",
  keys: [{ kid: "k1", secret: secretOf(1) }]
}

/** A customer id numbered `n`. */
export const customerId = (n: number) =>
  `0b7c2a4e-3f1d-4c55-9a1e-${n.toString(16).padStart(12, "0")}` as Ids.CustomerId

/** Signs arbitrary header and payload JSON with `secret`: for forging tokens in tests. */
export const craft = (header: object, payload: object, secret: Uint8Array = Redacted.value(secretOf(1))) => {
  const h = JSON.stringify(header)
  const p = JSON.stringify(payload)
  return encodeJWT(h, p, hmac(SHA256, secret, createJWTSignatureMessage(h, p)))
}

/** Every service the in-memory world provides. */
export type World =
  | Authenticator.Authenticator
  | ApiKeyStore.ApiKeyStore
  | SessionCache.SessionCache
  | SessionRevocations.SessionRevocations
  | ApiKeySecrets.ApiKeySecrets
  | SessionTokens.SessionTokens
  | CustomerDirectory.CustomerDirectory
  | MemoryCustomerDirectory.MemoryCustomers
  | AuthAttempts.AuthAttempts
  | MemoryAuthAttempts.MemoryAttempts
  | Throttle.FailureThrottle
  | LimitStore.LimitStore

/** The ports, in memory. */
export const ports = (options?: {
  readonly policy?: Throttle.Settings
}): Layer.Layer<Exclude<World, Authenticator.Authenticator>> =>
  Layer.mergeAll(
    MemoryApiKeyStore.layer,
    MemorySessionCache.layer,
    MemorySessionRevocations.layer,
    Sha256ApiKeySecrets.layer,
    HmacSessionTokens.layer(tokenOptions),
    MemoryCustomerDirectory.layer,
    MemoryAuthAttempts.layer,
    Throttle.FailureThrottle.layerWith(options?.policy === undefined ? {} : { policy: options.policy }).pipe(
      Layer.provideMerge(MemoryLimitStore.layer)
    )
  )

/** The authenticator over fresh in-memory ports (each `Effect.provide` builds a new world). */
export const authLayer = (options?: { readonly policy?: Throttle.Settings }): Layer.Layer<World> =>
  Authenticator.Authenticator.layer.pipe(Layer.provideMerge(ports(options)))
