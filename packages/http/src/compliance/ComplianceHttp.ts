/** Compliance handlers: the status is computed from the stored findings on every request, never stored. */
import { Compliance, ComplianceRepo, Pricing } from "@securebase/core"
import { Effect } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { Api } from "../Api.ts"
import { fromUnknownPlan } from "../api/ErrorMapping.ts"
import { asTenant, ownCustomer } from "../api/Persistence.ts"
import { CurrentIdentity } from "../auth/Authentication.ts"

/** The handlers of the `compliance` group. */
export const layer = HttpApiBuilder.group(Api, "compliance", (handlers) =>
  Effect.succeed(
    handlers
      .handle("status", () =>
        Effect.gen(function* () {
          const identity = yield* CurrentIdentity
          const { customer, findings } = yield* asTenant(
            identity.customerId,
            Effect.all({
              customer: ownCustomer(identity.customerId),
              findings: ComplianceRepo.ComplianceRepo.use((r) => r.list({}))
            })
          )
          const { complianceFrameworks } = yield* Pricing.entitlementsOf(customer.plan).pipe(
            Effect.mapError(fromUnknownPlan)
          )
          return Compliance.summarize(customer.plan, complianceFrameworks, findings)
        })
      )
      .handle("findings", ({ query }) =>
        Effect.gen(function* () {
          const identity = yield* CurrentIdentity
          return yield* asTenant(
            identity.customerId,
            ComplianceRepo.ComplianceRepo.use((r) =>
              r.list({
                ...(query.framework === undefined ? {} : { framework: query.framework }),
                ...(query.status === undefined ? {} : { status: query.status }),
                ...(query.severity === undefined ? {} : { severity: query.severity })
              })
            )
          )
        })
      )
  )
)
