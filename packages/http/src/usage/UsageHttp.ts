/**
 * `POST /usage/events`. One batch is one transaction: either every new event is stored or none
 * is. Per event:
 * - a key already stored with the same content is a duplicate (counted once, not an error);
 * - a key already stored with other content is a conflict: 409, and nothing of the batch stays;
 * - an unknown metric, an instant more than 5 minutes ahead, or a month already invoiced is 422
 *   naming the event (late usage must not vanish silently into a closed bill).
 */
import { InvoiceRepo, Period, PricingPolicy, Usage, UsageEventRepo } from "@securebase/core"
import { DateTime, Duration, Effect } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { Api } from "../Api.ts"
import { Conflict, Unprocessable } from "../api/ApiErrors.ts"
import { asTenant } from "../api/Persistence.ts"
import { requireScope } from "../auth/AuthenticationLive.ts"

/** How far ahead of the server's clock an event may be stamped (clock skew). */
export const allowedSkew = Duration.minutes(5)

/** The handlers of the `usage` group. */
export const layer = HttpApiBuilder.group(Api, "usage", (handlers) =>
  Effect.succeed(
    handlers.handle("ingest", ({ payload }) =>
      Effect.gen(function* () {
        const identity = yield* requireScope("usage:write")
        const { catalog } = yield* PricingPolicy.PricingPolicy
        const latest = DateTime.addDuration(yield* DateTime.now, allowedSkew)
        const events: Array<Usage.UsageEvent> = []
        for (const [i, e] of payload.events.entries()) {
          if (!catalog.has(e.metric)) {
            return yield* new Unprocessable({
              code: "USAGE.UNKNOWN_METRIC",
              message: `unknown metric ${e.metric}; known: ${Array.from(catalog.keys()).join(", ")}`,
              field: `events.${i}.metric`
            })
          }
          if (DateTime.isGreaterThan(e.occurredAt, latest)) {
            return yield* new Unprocessable({
              code: "USAGE.IN_FUTURE",
              message: "occurredAt is in the future",
              field: `events.${i}.occurredAt`
            })
          }
          events.push(
            new Usage.UsageEvent({
              id: e.id,
              customerId: identity.customerId,
              metric: e.metric,
              occurredAt: e.occurredAt,
              quantity: e.quantity,
              ...(e.subject === undefined ? {} : { subject: e.subject })
            })
          )
        }
        return yield* asTenant(
          identity.customerId,
          Effect.gen(function* () {
            const invoiced = new Set(
              (yield* InvoiceRepo.InvoiceRepo.use((r) => r.listByCustomer(identity.customerId))).map(
                (i) => i.period
              )
            )
            for (const [i, e] of events.entries()) {
              const period = Period.ofDateTime(e.occurredAt)
              if (invoiced.has(period)) {
                return yield* new Unprocessable({
                  code: "USAGE.PERIOD_CLOSED",
                  message: `${period} is already invoiced; late usage cannot be added to it`,
                  field: `events.${i}.occurredAt`
                })
              }
            }
            let accepted = 0
            for (const [i, e] of events.entries()) {
              const outcome = yield* UsageEventRepo.UsageEventRepo.use((r) => r.record(e)).pipe(
                Effect.catchTags({
                  UsageEventConflict: () =>
                    Effect.fail(
                      new Conflict({
                        code: "USAGE.EVENT_CONFLICT",
                        message: `event ${e.id} was already received with different content; nothing in this batch was stored`,
                        field: `events.${i}.id`
                      })
                    ),
                  TenantAccessDenied: (error) => Effect.die(error)
                })
              )
              if (outcome === "recorded") accepted += 1
            }
            return { received: events.length, accepted, duplicates: events.length - accepted }
          })
        )
      })
    )
  )
)
