/**
 * An in-memory `SessionRevocations`: two maps, swept of entries past their `until` as they grow.
 * A real implementation for tests and the embedded (single-process) default.
 */
import { type ApiKey, type Session, SessionRevocations } from "@securebase/core"
import { Clock, DateTime, Effect, Layer } from "effect"

/** Builds an empty deny list. */
export const make: Effect.Effect<SessionRevocations.SessionRevocations["Service"]> = Effect.sync(() => {
  const sessions = new Map<Session.SessionId, number>()
  const keys = new Map<ApiKey.ApiKeyId, { readonly at: number; readonly until: number }>()
  let sweepAt = 1024
  const sweep = (now: number) => {
    if (sessions.size + keys.size < sweepAt) return
    for (const [id, until] of sessions) if (until <= now) sessions.delete(id)
    for (const [id, entry] of keys) if (entry.until <= now) keys.delete(id)
    sweepAt = Math.max(1024, 2 * (sessions.size + keys.size))
  }
  return SessionRevocations.SessionRevocations.of({
    revokeSession: ({ sessionId }, until) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        sessions.set(sessionId, DateTime.toEpochMillis(until))
        sweep(now)
      }),
    revokeKey: (keyId, at, until) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        const previous = keys.get(keyId)
        const atMillis = DateTime.toEpochMillis(at)
        const untilMillis = DateTime.toEpochMillis(until)
        keys.set(keyId, {
          at: Math.max(atMillis, previous?.at ?? atMillis),
          until: Math.max(untilMillis, previous?.until ?? untilMillis)
        })
        sweep(now)
      }),
    isRevoked: ({ sessionId, keyId, issuedAt }) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        const session = sessions.get(sessionId)
        if (session !== undefined && now < session) return true
        const key = keys.get(keyId)
        return key !== undefined && now < key.until && issuedAt * 1000 <= key.at
      })
  })
})

/** The layer. */
export const layer: Layer.Layer<SessionRevocations.SessionRevocations> = Layer.effect(
  SessionRevocations.SessionRevocations,
  make
)
