/**
 * Metrics handlers. The current month is aggregated from the stored usage events and priced by
 * the billing run's own `CustomerPricing.usageFromEvents` and `CustomerPricing.priceUsage` under the
 * deployment's `Pricing` (the book of the customer's currency, its terms), so `/metrics`
 * shows exactly the bill the run would make if the month ended now.
 *
 * A month that cannot be priced because of its stored usage (an event that breaks today's bounds,
 * an amount beyond `Money.maxMinor`) answers 422 with the code and the event or amount at fault,
 * as the billing run reports it, never a 500.
 */
import {
  CustomerPricing,
  type Ids,
  type Metric,
  Period,
  Pricing,
  Quote,
  Usage,
  UsageEventRepo
} from "@securebase/core"
import { DateTime, Effect } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { Api } from "../Api.ts"
import { unprocessable } from "../api/ErrorMapping.ts"
import { asTenant, ownCustomer } from "../api/Persistence.ts"
import { CurrentIdentity } from "../auth/Authentication.ts"

const monthOf = (customerId: Ids.CustomerId, period: Period.Period, catalog: Metric.Catalog) =>
  Effect.flatMap(
    UsageEventRepo.UsageEventRepo.use((repo) => repo.listForPeriod(customerId, period)).pipe(
      Effect.catchTag("StoredUsageEventInvalid", (e) => Effect.fail(unprocessable(e)))
    ),
    (events) => Usage.aggregate({ catalog, customerId, period, events }).pipe(Effect.orDie)
  )

/** The handlers of the `metrics` group. */
export const layer = HttpApiBuilder.group(Api, "metrics", (handlers) =>
  Effect.succeed(
    handlers
      .handle("current", () =>
        Effect.gen(function* () {
          const identity = yield* CurrentIdentity
          const policy = yield* Pricing.Pricing
          const now = yield* DateTime.now
          const period = Period.ofDateTime(now)
          const { events, customer } = yield* asTenant(
            identity.customerId,
            Effect.all({
              events: UsageEventRepo.UsageEventRepo.use((repo) =>
                repo.listForPeriod(identity.customerId, period)
              ).pipe(Effect.catchTag("StoredUsageEventInvalid", (e) => Effect.fail(unprocessable(e)))),
              customer: ownCustomer(identity.customerId)
            })
          )
          // The estimate is priced by the billing run's own functions (the book of the customer's
          // currency, its terms), so it is the bill the run would make were the month to end now.
          const { usage, transactions } = yield* CustomerPricing.usageFromEvents(
            customer,
            period,
            events
          ).pipe(Effect.orDie)
          // Beyond what an invoice holds is the month's data, the client's to hear about; any other
          // pricing failure is a broken price book or a bug.
          const draft = yield* CustomerPricing.priceUsage(customer, period, usage, {
            at: now,
            transactions
          }).pipe(
            Effect.catch((e) =>
              e._tag === "AmountOutOfRange" ? Effect.fail(unprocessable(e)) : Effect.die(e)
            )
          )
          const { plan } = yield* Quote.negotiatedPlan(
            yield* Pricing.planOf(policy, customer).pipe(Effect.orDie),
            customer.terms
          ).pipe(Effect.orDie)
          const included = new Map(
            plan.charges.flatMap((c) => (c._tag === "Usage" ? [[c.metric, c.included] as const] : []))
          )
          return {
            period,
            asOf: DateTime.formatIso(now),
            metrics: Array.from(policy.catalog.values(), (d) => ({
              metric: d.code,
              name: d.name,
              unit: d.unit,
              aggregation: d.aggregation,
              quantity: usage.get(d.code)!,
              included: included.get(d.code) ?? null
            })),
            estimate: {
              currency: draft.currency,
              subtotal: draft.subtotal,
              discount: draft.discount,
              tax: draft.tax,
              total: draft.total
            }
          }
        })
      )
      .handle("history", () =>
        Effect.gen(function* () {
          const identity = yield* CurrentIdentity
          const policy = yield* Pricing.Pricing
          const current = Period.ofDateTime(yield* DateTime.now)
          // The twelve complete months before the current one, oldest first.
          const periods = Period.trailing(Period.previous(current), 12)
          const months = yield* asTenant(
            identity.customerId,
            Effect.forEach(periods, (period) =>
              Effect.map(monthOf(identity.customerId, period, policy.catalog), (usage) => ({
                period,
                metrics: Array.from(usage, ([metric, quantity]) => ({ metric, quantity }))
              }))
            )
          )
          return { months }
        })
      )
  )
)
