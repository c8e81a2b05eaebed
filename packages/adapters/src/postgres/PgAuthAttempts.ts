/**
 * `AuthAttempts` on the audit trail. What joins the customer's hash-chained audit log:
 * - every failure whose customer is known (a key that parsed and was found, or a session that
 *   verified far enough), at once, as `auth.failed` with the method, the reason code, the key id
 *   and the client address;
 * - every session issued (a key exchanged for a token), at once, as `auth.succeeded`;
 * - successful USE of a credential (a request authenticated by an API key or a session token):
 *   counted in memory per customer, method, key, session, client and minute, and appended in the
 *   background every `flushEvery` (5 s by default) as one `auth.used` event per group, whose
 *   payload carries the `minute` and the `count`. A busy key costs one chain append a flush
 *   instead of one per request, and the request itself runs one transaction (its tenant
 *   transaction, which re-checks the credential: revocation does not depend on this record).
 *
 * What a crash costs: the counts of at most the last `flushEvery` (counts not yet flushed live only
 * in this process). A graceful stop flushes them (the layer's finalizer), and a flush that fails
 * (the database down) keeps its counts for the next one. Never the secret or the token.
 *
 * An attempt with no known customer (a malformed credential, an unknown key id) has no chain to
 * join: it is written to the structured application log at warning level instead, which is where
 * an operator's SIEM collects it. Recording never fails the attempt it records.
 */
import { AuditEvent, AuditLog, AuthAttempts, type Ids, Tenancy } from "@securebase/core"
import { Array as Arr, Context, DateTime, Duration, Effect, Layer, type Scope } from "effect"

/** How often aggregated successful uses are appended by default. */
export const defaultFlushEvery: Duration.Duration = Duration.seconds(5)

/** Tuning of the recorder. */
export interface Options {
  /** How often aggregated successful uses are appended (default {@link defaultFlushEvery}). */
  readonly flushEvery?: Duration.Duration
}

/** One group of successful uses: a credential's use from one client within one minute. */
interface Use {
  readonly customerId: Ids.CustomerId
  readonly method: AuthAttempts.AuthAttempt["method"]
  readonly client: string
  readonly keyId: string | undefined
  readonly sessionId: string | undefined
  /** The minute's start, ISO 8601. */
  readonly minute: string
  count: number
}

/** The recorder and its flush (which the layer runs every `flushEvery` and when it is released). */
export interface Recorder {
  readonly attempts: AuthAttempts.AuthAttempts["Service"]
  /** Appends the aggregated uses counted so far; a group that cannot be written is kept for the next. */
  readonly flush: Effect.Effect<void>
}

/**
 * The recorder's flush, for a host whose process is frozen between requests: the Lambda API
 * handler runs it at the end of each invocation, so the uses an invocation counted are appended
 * before its response is returned instead of waiting, frozen, for the next interval. Like the
 * interval's, it never fails: a group that cannot be written is logged and kept for the next.
 */
export class UseFlush extends Context.Service<UseFlush, { readonly flush: Effect.Effect<void> }>()(
  "@securebase/adapters/postgres/PgAuthAttempts/UseFlush"
) {}

/** The actor of an attempt's record: the attempt's own credential. */
const actorOf = (attempt: {
  readonly sessionId?: string | undefined
  readonly keyId?: string | undefined
  readonly client: string
}): Tenancy.Principal =>
  attempt.sessionId !== undefined
    ? { actor: `session:${attempt.sessionId}` }
    : attempt.keyId !== undefined
      ? { actor: `api_key:${attempt.keyId}` }
      : { actor: `client:${attempt.client}` }

/** Builds the recorder over `Tenancy` and `AuditLog`, without starting its background flush. */
export const makeRecorder: Effect.Effect<Recorder, never, Tenancy.Tenancy | AuditLog.AuditLog> = Effect.gen(
  function* () {
    const tenancy = yield* Tenancy.Tenancy
    const audit = yield* AuditLog.AuditLog
    const pending = new Map<string, Use>()

    const count = (use: Omit<Use, "count">, n: number) => {
      const key = JSON.stringify([
        use.customerId,
        use.method,
        use.keyId,
        use.sessionId,
        use.client,
        use.minute
      ])
      const found = pending.get(key)
      if (found === undefined) pending.set(key, { ...use, count: n })
      else found.count += n
    }

    // Authentication runs before the request has a principal: the attempt's own credential is its
    // actor. Only the actor: the record is written whether or not that credential may act (a
    // revoked key's attempt is exactly what must be recorded), so the transaction checks nothing.
    const append = (
      customerId: Ids.CustomerId,
      principal: Tenancy.Principal,
      events: ReadonlyArray<AuditEvent.NewAuditEvent>
    ) =>
      tenancy
        .runAs(
          customerId,
          Effect.forEach(events, (event) => audit.append(event), { discard: true })
        )
        .pipe(Effect.provideService(Tenancy.CurrentPrincipal, principal))

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
      if (attempt.outcome === "success" && attempt.method !== "exchange") {
        const millis = DateTime.toEpochMillis(attempt.at)
        return Effect.sync(() =>
          count(
            {
              customerId,
              method: attempt.method,
              client: attempt.client,
              keyId: attempt.keyId,
              sessionId: attempt.sessionId,
              minute: DateTime.formatIso(DateTime.makeUnsafe(millis - (millis % 60_000)))
            },
            1
          )
        )
      }
      return append(customerId, actorOf(attempt), [
        new AuditEvent.NewAuditEvent({
          customerId,
          action: (attempt.outcome === "success"
            ? "auth.succeeded"
            : "auth.failed") as AuditEvent.AuditAction,
          subjectType: attempt.keyId === undefined ? null : "api_key",
          subjectId: attempt.keyId ?? null,
          payload: details
        })
      ]).pipe(
        Effect.asVoid,
        // The audit write failing must not turn a valid login into an outage (nor a refusal
        // into a success): log it loudly and let the attempt's own outcome stand.
        Effect.catchCause((cause) =>
          Effect.logError("could not audit an authentication attempt", { ...details, cause })
        )
      )
    }

    const flush = Effect.suspend(() => {
      // Taken in one synchronous step: a use counted from here on waits for the next flush.
      const uses = [...pending.values()]
      pending.clear()
      // One transaction per customer and credential (the actor of its events).
      const groups = Arr.groupBy(uses, (u) => `${u.customerId}/${actorOf(u).actor}`)
      return Effect.forEach(
        Object.values(groups),
        (group) => {
          const first = group[0]
          return append(
            first.customerId,
            actorOf(first),
            group.map(
              (u) =>
                new AuditEvent.NewAuditEvent({
                  customerId: u.customerId,
                  action: "auth.used" as AuditEvent.AuditAction,
                  subjectType: u.keyId === undefined ? null : "api_key",
                  subjectId: u.keyId ?? null,
                  payload: {
                    method: u.method,
                    client: u.client,
                    ...(u.keyId === undefined ? {} : { keyId: u.keyId }),
                    ...(u.sessionId === undefined ? {} : { sessionId: u.sessionId }),
                    minute: u.minute,
                    count: u.count
                  }
                })
            )
          ).pipe(
            Effect.catchCause((cause) =>
              Effect.andThen(
                Effect.sync(() => {
                  for (const u of group) count(u, u.count)
                }),
                Effect.logError("could not audit credential use; kept for the next flush", {
                  customerId: first.customerId,
                  cause
                })
              )
            )
          )
        },
        { concurrency: 4, discard: true }
      )
    })

    return { attempts: AuthAttempts.AuthAttempts.of({ record }), flush }
  }
)

/** The recorder with its flush running every `flushEvery` in the scope, and once more when it closes. */
export const makeRunning = (
  options: Options = {}
): Effect.Effect<Recorder, never, Tenancy.Tenancy | AuditLog.AuditLog | Scope.Scope> =>
  Effect.gen(function* () {
    const recorder = yield* makeRecorder
    const every = options.flushEvery ?? defaultFlushEvery
    yield* Effect.addFinalizer(() => recorder.flush)
    yield* Effect.forkScoped(Effect.forever(Effect.andThen(Effect.sleep(every), recorder.flush)))
    return recorder
  })

/** {@link makeRunning}'s `AuthAttempts`. */
export const make = (
  options: Options = {}
): Effect.Effect<
  AuthAttempts.AuthAttempts["Service"],
  never,
  Tenancy.Tenancy | AuditLog.AuditLog | Scope.Scope
> => Effect.map(makeRunning(options), (recorder) => recorder.attempts)

/** `AuthAttempts` on the audit trail, with `options`, and its {@link UseFlush}. */
export const layerWith = (
  options: Options
): Layer.Layer<AuthAttempts.AuthAttempts | UseFlush, never, Tenancy.Tenancy | AuditLog.AuditLog> =>
  Layer.effectContext(
    Effect.map(makeRunning(options), (recorder) =>
      Context.make(AuthAttempts.AuthAttempts, recorder.attempts).pipe(
        Context.add(UseFlush, UseFlush.of({ flush: recorder.flush }))
      )
    )
  )

/** `AuthAttempts` on the audit trail, flushing aggregated uses every 5 s. */
export const layer: Layer.Layer<
  AuthAttempts.AuthAttempts | UseFlush,
  never,
  Tenancy.Tenancy | AuditLog.AuditLog
> = layerWith({})
