/**
 * The session deny list with PostgreSQL as its authority, in front of a fast index.
 *
 * `revokeSession` (logout) writes the durable row first, as the session's customer, in one
 * transaction with its audit event (`session.revoked`) and the pruning of that customer's expired
 * rows (migration 0008); `PgTenancy.runAs` reads that row whenever the session acts, so the logout
 * holds on every instance and across restarts. Then it tells the fast index (the in-memory or
 * DynamoDB deny list), which the authentication middleware and the Lambda authorizer read without
 * a round trip; a failure there is logged, not raised, because the revocation is already in force.
 *
 * `revokeKey` needs no row of its own: the key's `revoked_at` (written by the key store in the
 * transaction that revokes it) is what `runAs` checks for the key and all its sessions. It only
 * updates the fast index. `isRevoked` asks the fast index.
 */
import { AuditEvent, AuditLog, AuthError, SessionRevocations, Tenancy } from "@securebase/core"
import { DateTime, Effect, Layer } from "effect"
import { SqlClient } from "effect/sql"

/** Builds the deny list over `fast`, the current `SqlClient`, `Tenancy` and `AuditLog`. */
export const make = (fast: SessionRevocations.SessionRevocations["Service"]) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const tenancy = yield* Tenancy.Tenancy
    const audit = yield* AuditLog.AuditLog

    const durable = (session: SessionRevocations.RevokedSession, until: DateTime.Utc) =>
      tenancy.runAs(
        session.customerId,
        Effect.gen(function* () {
          const now = yield* DateTime.now
          // The policy lets the application delete only rows whose session has expired.
          yield* sql`DELETE FROM revoked_sessions
            WHERE customer_id = ${session.customerId} AND expires_at < ${DateTime.formatIso(now)}`
          const inserted = yield* sql`
            INSERT INTO revoked_sessions (customer_id, session_id, key_id, revoked_at, expires_at)
            VALUES (${session.customerId}, ${session.sessionId}, ${session.keyId}, ${DateTime.formatIso(now)},
              ${DateTime.formatIso(until)})
            ON CONFLICT (customer_id, session_id) DO NOTHING
            RETURNING 1`
          // Revoking twice is a no-op, and audited once.
          if (inserted.length === 0) return
          yield* audit.append(
            new AuditEvent.NewAuditEvent({
              customerId: session.customerId,
              action: "session.revoked" as AuditEvent.AuditAction,
              subjectType: "session",
              subjectId: session.sessionId,
              payload: { keyId: session.keyId, expiresAt: DateTime.formatIso(until) }
            })
          )
        })
      )

    const revokeSession = (session: SessionRevocations.RevokedSession, until: DateTime.Utc) =>
      durable(session, until).pipe(
        Effect.mapError((error) =>
          AuthError.isCredentialRefused(error)
            ? error
            : new AuthError.AuthBackendUnavailable({
                backend: "postgres",
                operation: "SessionRevocations.revokeSession",
                cause: new Error(error._tag === "SqlError" ? error.reason._tag : error._tag)
              })
        ),
        Effect.andThen(
          fast.revokeSession(session, until).pipe(
            Effect.catchCause((cause) =>
              Effect.logWarning("session revoked in PostgreSQL; the fast deny list missed it", {
                sessionId: session.sessionId,
                cause
              })
            )
          )
        ),
        Effect.withSpan("SessionRevocations.revokeSession")
      )

    return SessionRevocations.SessionRevocations.of({
      revokeSession,
      revokeKey: fast.revokeKey,
      isRevoked: fast.isRevoked
    })
  })

/**
 * The durable deny list in front of the `SessionRevocations` that `fast` provides. Build `fast`
 * once and share it (layers are memoized by reference) with whatever else feeds it, such as
 * `PgRevocationListener`.
 */
export const layer = <E, R>(
  fast: Layer.Layer<SessionRevocations.SessionRevocations, E, R>
): Layer.Layer<
  SessionRevocations.SessionRevocations,
  E,
  R | SqlClient.SqlClient | Tenancy.Tenancy | AuditLog.AuditLog
> =>
  Layer.effect(
    SessionRevocations.SessionRevocations,
    Effect.flatMap(Effect.service(SessionRevocations.SessionRevocations), make)
  ).pipe(Layer.provide(fast))
