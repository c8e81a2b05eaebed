/**
 * `AuthAttempts` on the audit trail: every authentication attempt whose customer is known (a key
 * that parsed and was found, or a session that verified far enough) is appended to that
 * customer's hash-chained audit log as `auth.succeeded` or `auth.failed`, with the method, the
 * reason code, the key id and the client address; never the secret or the token.
 *
 * An attempt with no known customer (a malformed credential, an unknown key id) has no chain to
 * join: it is written to the structured application log at warning level instead, which is where
 * an operator's SIEM collects it. Recording never fails the attempt it records.
 */
import { AuditEvent, AuditLog, AuthAttempts, Tenancy } from "@securebase/core"
import { Effect, Layer } from "effect"

/** Builds the recorder over `Tenancy` and `AuditLog`. */
export const make: Effect.Effect<
  AuthAttempts.AuthAttempts["Service"],
  never,
  Tenancy.Tenancy | AuditLog.AuditLog
> = Effect.gen(function* () {
  const tenancy = yield* Tenancy.Tenancy
  const audit = yield* AuditLog.AuditLog
  const record = (attempt: AuthAttempts.AuthAttempt) => {
    const details = {
      method: attempt.method,
      client: attempt.client,
      ...(attempt.code === undefined ? {} : { code: attempt.code }),
      ...(attempt.keyId === undefined ? {} : { keyId: attempt.keyId }),
      ...(attempt.sessionId === undefined ? {} : { sessionId: attempt.sessionId })
    }
    if (attempt.customerId === undefined) {
      return Effect.logWarning("auth.failed (no customer)", details)
    }
    const customerId = attempt.customerId
    // Authentication runs before the request has a principal: the attempt's own credential is it.
    const principal: Tenancy.Principal =
      attempt.sessionId !== undefined
        ? { actor: `session:${attempt.sessionId}`, keyId: attempt.keyId, sessionId: attempt.sessionId }
        : attempt.keyId !== undefined
          ? { actor: `api_key:${attempt.keyId}`, keyId: attempt.keyId }
          : { actor: `client:${attempt.client}` }
    return tenancy
      .runAs(
        customerId,
        audit.append(
          new AuditEvent.NewAuditEvent({
            customerId,
            action: (attempt.outcome === "success"
              ? "auth.succeeded"
              : "auth.failed") as AuditEvent.AuditAction,
            subjectType: attempt.keyId === undefined ? null : "api_key",
            subjectId: attempt.keyId ?? null,
            payload: details
          })
        )
      )
      .pipe(
        Effect.provideService(Tenancy.CurrentPrincipal, principal),
        Effect.asVoid,
        // The audit write failing must not turn a valid login into an outage (nor a refusal
        // into a success): log it loudly and let the attempt's own outcome stand.
        Effect.catchCause((cause) =>
          Effect.logError("could not audit an authentication attempt", { ...details, cause })
        )
      )
  }
  return AuthAttempts.AuthAttempts.of({ record })
})

/** `AuthAttempts` on the audit trail. */
export const layer: Layer.Layer<AuthAttempts.AuthAttempts, never, Tenancy.Tenancy | AuditLog.AuditLog> =
  Layer.effect(AuthAttempts.AuthAttempts, make)
