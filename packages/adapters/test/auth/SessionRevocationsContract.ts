/**
 * The contract every `SessionRevocations` adapter passes (in memory and DynamoDB run it here; a
 * Postgres adapter would run it too). Times are `TestClock`'s, which starts at the epoch.
 */
import { assert, it } from "@effect/vitest"
import { type Ids, type Session, SessionRevocations } from "@securebase/core"
import { DateTime, Duration, Effect, type Layer } from "effect"
import { TestClock } from "effect/testing"
import { freshKeyId } from "./SessionCacheContract.ts"

const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
/** A random session id. */
export const freshSessionId = (): Session.SessionId =>
  Array.from(globalThis.crypto.getRandomValues(new Uint8Array(22)), (b) => alphabet[b % 64]).join(
    ""
  ) as Session.SessionId

const at = (ms: number) => DateTime.makeUnsafe(ms)
const day = Duration.toMillis(Duration.hours(24))

/** The customer whose sessions the contract revokes (a durable adapter must know it). */
export const contractCustomerId = "0b7c2a4e-3f1d-4c55-9a1e-00000000c0de" as Ids.CustomerId

/** Registers the contract for the deny list built by `layer` (a fresh one per test). */
export const sessionRevocationsContract = <E>(
  layer: Layer.Layer<SessionRevocations.SessionRevocations, E>
) => {
  const test = (
    name: string,
    body: (revocations: SessionRevocations.SessionRevocations["Service"]) => Effect.Effect<void, unknown>
  ) =>
    it.effect(name, () =>
      Effect.gen(function* () {
        yield* body(yield* SessionRevocations.SessionRevocations)
      }).pipe(Effect.provide(layer))
    )

  test("nothing is revoked at first", (r) =>
    Effect.gen(function* () {
      assert.isFalse(yield* r.isRevoked({ sessionId: freshSessionId(), keyId: freshKeyId(), issuedAt: 0 }))
    }))

  test("a revoked session is denied until its expiry; its key's other sessions are not", (r) =>
    Effect.gen(function* () {
      const keyId = freshKeyId()
      const sessionId = freshSessionId()
      yield* r.revokeSession({ sessionId, customerId: contractCustomerId, keyId }, at(day))
      assert.isTrue(yield* r.isRevoked({ sessionId, keyId, issuedAt: 0 }))
      assert.isFalse(yield* r.isRevoked({ sessionId: freshSessionId(), keyId, issuedAt: 0 }))
      yield* TestClock.adjust(Duration.millis(day - 1))
      assert.isTrue(yield* r.isRevoked({ sessionId, keyId, issuedAt: 0 }))
      yield* TestClock.adjust(Duration.millis(1))
      assert.isFalse(
        yield* r.isRevoked({ sessionId, keyId, issuedAt: 0 }),
        "forgotten once the token is dead"
      )
    }))

  test("a revoked key denies its sessions issued up to the revocation, not later ones", (r) =>
    Effect.gen(function* () {
      const keyId = freshKeyId()
      yield* TestClock.setTime(100_000)
      yield* r.revokeKey(keyId, at(100_000), at(100_000 + day))
      assert.isTrue(yield* r.isRevoked({ sessionId: freshSessionId(), keyId, issuedAt: 0 }))
      assert.isTrue(yield* r.isRevoked({ sessionId: freshSessionId(), keyId, issuedAt: 100 }))
      assert.isFalse(yield* r.isRevoked({ sessionId: freshSessionId(), keyId, issuedAt: 101 }))
      assert.isFalse(yield* r.isRevoked({ sessionId: freshSessionId(), keyId: freshKeyId(), issuedAt: 0 }))
    }))

  test("a later key revocation extends an earlier one, never the reverse", (r) =>
    Effect.gen(function* () {
      const keyId = freshKeyId()
      yield* r.revokeKey(keyId, at(50_000), at(50_000 + day))
      yield* r.revokeKey(keyId, at(20_000), at(20_000 + day))
      assert.isTrue(yield* r.isRevoked({ sessionId: freshSessionId(), keyId, issuedAt: 50 }))
      yield* TestClock.adjust(Duration.millis(20_000 + day))
      assert.isTrue(yield* r.isRevoked({ sessionId: freshSessionId(), keyId, issuedAt: 50 }))
      yield* TestClock.adjust(Duration.millis(30_000))
      assert.isFalse(
        yield* r.isRevoked({ sessionId: freshSessionId(), keyId, issuedAt: 50 }),
        "forgotten after until"
      )
    }))
}
