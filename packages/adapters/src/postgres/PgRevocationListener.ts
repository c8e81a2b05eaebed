/**
 * Evicts this process's cached credentials as soon as PostgreSQL announces a change made by any
 * instance (or by an operator in plain SQL): `LISTEN securebase_revocations`, fed by the triggers
 * of migration 0008 at commit.
 *
 * - a key revoked, expired, re-scoped or deleted: its cache entry is deleted (and tombstoned), and
 *   a revocation denies the key's sessions in the fast deny list;
 * - a customer's status or plan changed, or the customer deleted: every cached key of that
 *   customer is dropped (through `LocalKeyCache`, when the cache is this process's own);
 * - a session revoked: it goes on the fast deny list.
 *
 * Notifications are not durable: one sent while this process was not listening is lost. So after
 * every (re)connection, once `LISTEN` is confirmed, the whole local key cache is dropped and
 * refilled from the database on demand; a lost connection is retried with backoff (100 ms doubling
 * to 5 s) for as long as the process runs. None of this is what keeps a revoked credential out
 * (every request's tenant transaction checks it, see `PgTenancy`); it stops the cache from
 * verifying a revoked key and the middleware from recording it as a success, usually within
 * milliseconds.
 *
 * On the embedded PGlite (one process, no `PgClient`) the layer does nothing.
 */
import { PgClient } from "@effect/sql-pg"
import { ApiKey, Ids, Session, SessionCache, SessionRevocations } from "@securebase/core"
import {
  Cause,
  DateTime,
  Deferred,
  type Duration,
  Effect,
  Layer,
  Option,
  Queue,
  Schedule,
  Schema
} from "effect"
import { LocalKeyCache } from "../memory/MemorySessionCache.ts"

/** The channel the triggers notify. */
export const channel = "securebase_revocations"

/** A change announced on {@link channel}. */
export const Change = Schema.Union([
  Schema.Struct({
    kind: Schema.Literal("key"),
    keyId: ApiKey.ApiKeyId,
    customerId: Ids.CustomerId,
    revokedAt: Schema.NullOr(Schema.String)
  }),
  Schema.Struct({ kind: Schema.Literal("customer"), customerId: Ids.CustomerId }),
  Schema.Struct({
    kind: Schema.Literal("session"),
    sessionId: Session.SessionId,
    customerId: Ids.CustomerId,
    keyId: Schema.NullOr(ApiKey.ApiKeyId),
    expiresAt: Schema.String
  })
])
export type Change = typeof Change.Type

const decodeChange = Schema.decodeUnknownEffect(Schema.fromJsonString(Change))

/** Options of the listener. */
export interface Options {
  /** The longest session lifetime: how long a key revocation is kept in the fast deny list (default 24 h). */
  readonly sessionTtl?: Duration.Duration
}

const timestamp = (text: string): Option.Option<DateTime.Utc> => DateTime.make(text)

/**
 * Listens while the layer's scope is open. Startup waits for the first `LISTEN` to be confirmed
 * (or to fail, in which case it keeps retrying in the background).
 */
export const layer = (
  options: Options = {}
): Layer.Layer<never, never, SessionCache.SessionCache | SessionRevocations.SessionRevocations> =>
  Layer.effectDiscard(
    Effect.gen(function* () {
      const pg = yield* Effect.serviceOption(PgClient.PgClient)
      if (Option.isNone(pg)) return
      const cache = yield* SessionCache.SessionCache
      const revocations = yield* SessionRevocations.SessionRevocations
      const local = yield* Effect.serviceOption(LocalKeyCache)
      const sessionTtl = options.sessionTtl ?? Session.defaultTtl
      const evictAll = Option.match(local, { onNone: () => Effect.void, onSome: (l) => l.evictAll })

      const apply = (change: Change): Effect.Effect<void, unknown> => {
        switch (change.kind) {
          case "key": {
            const revokedAt = change.revokedAt === null ? Option.none() : timestamp(change.revokedAt)
            return Effect.andThen(
              cache.delete(change.keyId),
              Option.match(revokedAt, {
                onNone: () => Effect.void,
                onSome: (at) => revocations.revokeKey(change.keyId, at, DateTime.addDuration(at, sessionTtl))
              })
            )
          }
          case "customer":
            return Option.match(local, {
              onNone: () => Effect.void,
              onSome: (l) => l.evictCustomer(change.customerId)
            })
          case "session":
            return Option.match(timestamp(change.expiresAt), {
              onNone: () => Effect.void,
              onSome: (until) =>
                change.keyId === null
                  ? Effect.void
                  : revocations.revokeSession(
                      { sessionId: change.sessionId, customerId: change.customerId, keyId: change.keyId },
                      until
                    )
            })
        }
      }

      // One bad or unappliable notification is logged and skipped; it never stops the feed.
      const handle = (payload: string) =>
        decodeChange(payload).pipe(
          Effect.flatMap(apply),
          Effect.catchCause((cause) =>
            Effect.logWarning("revocation feed: a notification could not be applied", {
              cause: Cause.pretty(cause)
            })
          )
        )

      const ready = yield* Deferred.make<void>()
      const listen = Effect.scoped(
        Effect.gen(function* () {
          const queue = yield* pg.value.listen(channel)
          // Whatever was announced while we were not listening is lost: start from nothing.
          yield* evictAll
          yield* Deferred.succeed(ready, undefined)
          yield* Effect.logInfo(`revocation feed: listening on ${channel}`)
          return yield* Effect.forever(Effect.flatMap(Queue.take(queue), (n) => handle(n.payload)))
        })
      ).pipe(
        Effect.tapError((error) =>
          Effect.andThen(
            Deferred.succeed(ready, undefined),
            Effect.logWarning("revocation feed: connection lost; reconnecting", { reason: error.reason._tag })
          )
        ),
        Effect.retry(Schedule.min([Schedule.exponential("100 millis"), Schedule.spaced("5 seconds")]))
      )
      yield* Effect.forkScoped(listen)
      yield* Deferred.await(ready)
    })
  )
