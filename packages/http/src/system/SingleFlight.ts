/**
 * One run of an effect shared by every caller that asks while it is in flight (`make`), and kept
 * for a short while (`recent`): `/health` under load answers from one `select 1` a second instead
 * of one per request.
 */
import { Clock, Deferred, Duration, Effect } from "effect"

/**
 * Wraps `run` so that concurrent callers share one execution and its outcome (success, failure or
 * defect alike). The shared run is uninterruptible: a caller that goes away does not strand the
 * others, so `run` should bound its own duration (a timeout).
 */
export const make = <A, E>(run: Effect.Effect<A, E>): Effect.Effect<A, E> => {
  let inFlight: Deferred.Deferred<A, E> | undefined
  return Effect.suspend(() => {
    if (inFlight !== undefined) return Deferred.await(inFlight)
    const shared = Deferred.makeUnsafe<A, E>()
    inFlight = shared
    return Effect.uninterruptible(
      Effect.onExit(run, (exit) =>
        Effect.sync(() => {
          inFlight = undefined
          Deferred.doneUnsafe(shared, exit)
        })
      )
    )
  })
}

/**
 * Like {@link make}, and a successful outcome is also reused for `maxAge` after its run began:
 * under load, at most one run per `maxAge`, and no answer older than that.
 */
export const recent = <A, E>(run: Effect.Effect<A, E>, maxAge: Duration.Duration): Effect.Effect<A, E> => {
  const maxAgeMillis = Duration.toMillis(maxAge)
  let last: { readonly at: number; readonly value: A } | undefined
  const shared = make(
    Effect.flatMap(Clock.currentTimeMillis, (at) =>
      Effect.tap(run, (value) =>
        Effect.sync(() => {
          last = { at, value }
        })
      )
    )
  )
  return Effect.flatMap(Clock.currentTimeMillis, (now) =>
    last !== undefined && now - last.at < maxAgeMillis ? Effect.succeed(last.value) : shared
  )
}
