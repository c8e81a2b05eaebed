/**
 * `POST /usage/events`. One batch is one transaction: either every new event is stored or none
 * is. Per event:
 * - a key already stored with the same content is a duplicate (counted once, not an error);
 * - a key already stored with other content is a conflict: 409, and nothing of the batch stays;
 * - an unknown metric, an instant more than 5 minutes ahead, or a month that no longer accepts
 *   usage is 422 naming the event (late usage must not vanish silently into a closed bill). A
 *   month stops accepting usage at its end plus `USAGE_GRACE` (checked here by the clock), and
 *   for good once the customer's invoice for it exists (checked by the database, which also
 *   orders this insert against a billing run in progress: the database refuses, or the run
 *   bills the events).
 */
import { Period, PeriodClose, Pricing, Usage, UsageEventRepo } from "@securebase/core"
import { DateTime, Duration, Effect } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { Api } from "../Api.ts"
import { Conflict, Unprocessable } from "../api/ApiErrors.ts"
import { asTenant } from "../api/Persistence.ts"
import { CurrentIdentity } from "../auth/Authentication.ts"

/** How far ahead of the server's clock an event may be stamped (clock skew). */
export const allowedSkew = Duration.minutes(5)

/** The 422 of an event for a month that no longer accepts usage. */
const periodClosed = (error: PeriodClose.PeriodClosed, index: number, grace: Duration.Duration) =>
  new Unprocessable({
    code: error.code,
    message:
      error.reason === "invoiced"
        ? error.message
        : `${error.period} closed for usage at ${DateTime.formatIso(PeriodClose.billableAt(error.period, grace))} (its end plus the usage grace of ${Duration.format(grace)}); late usage cannot be added to it`,
    field: `events.${index}.occurredAt`
  })

/** The handlers of the `usage` group. */
export const layer = HttpApiBuilder.group(Api, "usage", (handlers) =>
  // The grace is the deployment's (USAGE_GRACE), read once when the routes are built.
  Effect.map(PeriodClose.UsageGrace, (grace) =>
    handlers.handle("ingest", ({ payload }) =>
      Effect.gen(function* () {
        const identity = yield* CurrentIdentity
        const { catalog } = yield* Pricing.Pricing
        const now = yield* DateTime.now
        // Two instants bound what the clock accepts, compared per event in epoch milliseconds.
        const latest = DateTime.toEpochMillis(DateTime.addDuration(now, allowedSkew))
        const earliest = DateTime.toEpochMillis(PeriodClose.earliestAccepted(now, grace))
        const events: Array<Usage.UsageEvent> = []
        for (const [i, e] of payload.events.entries()) {
          if (!catalog.has(e.metric)) {
            return yield* new Unprocessable({
              code: "USAGE.UNKNOWN_METRIC",
              message: `unknown metric ${e.metric}; known: ${Array.from(catalog.keys()).join(", ")}`,
              field: `events.${i}.metric`
            })
          }
          const at = DateTime.toEpochMillis(e.occurredAt)
          if (at > latest) {
            return yield* new Unprocessable({
              code: "USAGE.IN_FUTURE",
              message: "occurredAt is in the future",
              field: `events.${i}.occurredAt`
            })
          }
          if (at < earliest) {
            const closed = new PeriodClose.PeriodClosed({
              customerId: identity.customerId,
              period: Period.ofDateTime(e.occurredAt),
              reason: "grace-passed",
              eventId: e.id
            })
            return yield* periodClosed(closed, i, grace)
          }
          events.push(
            new Usage.UsageEvent(
              {
                id: e.id,
                customerId: identity.customerId,
                metric: e.metric,
                occurredAt: e.occurredAt,
                quantity: e.quantity,
                ...(e.subject === undefined ? {} : { subject: e.subject })
              },
              // The payload's schema has applied the event's rules to every field already (its
              // fields are the core's), and the customer is the authenticated one: the checks would
              // validate each of the batch's events a second time.
              { disableChecks: true }
            )
          )
        }
        const outcome = yield* asTenant(
          identity.customerId,
          UsageEventRepo.UsageEventRepo.use((r) => r.recordAll(events))
        ).pipe(
          Effect.catchTags({
            UsageEventConflict: (error) =>
              Effect.fail(
                new Conflict({
                  code: "USAGE.EVENT_CONFLICT",
                  message: `event ${error.id} was already received with different content; nothing in this batch was stored`,
                  field: `events.${events.findLastIndex((e) => e.id === error.id)}.id`
                })
              ),
            PeriodClosed: (error) => {
              const refused = events.findIndex((e) =>
                error.eventId === undefined
                  ? Period.ofDateTime(e.occurredAt) === error.period
                  : e.id === error.eventId
              )
              return Effect.fail(periodClosed(error, Math.max(0, refused), grace))
            },
            TenantAccessDenied: (error) => Effect.die(error)
          })
        )
        return { received: events.length, accepted: outcome.recorded, duplicates: outcome.duplicates }
      })
    )
  )
)
