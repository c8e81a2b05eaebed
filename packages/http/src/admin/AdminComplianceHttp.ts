/** The handlers of `/admin/customers/{id}/compliance/findings`. */
import { ComplianceAdmin, CustomerRepo, Tenancy } from "@securebase/core"
import { Effect } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { Api } from "../Api.ts"
import { Conflict, ServiceUnavailable } from "../api/ApiErrors.ts"
import { notFound } from "../api/ErrorMapping.ts"

const unavailable = (error: { readonly code: string }) =>
  Effect.fail(
    new ServiceUnavailable({ code: error.code, message: "the database is temporarily unavailable" })
  )

/** The customer must exist (as itself, under RLS) before findings are recorded for it. */
const existing = (id: Parameters<CustomerRepo.CustomerRepo["Service"]["findById"]>[0]) =>
  Tenancy.Tenancy.use((t) =>
    t.runAs(
      id,
      CustomerRepo.CustomerRepo.use((r) => r.findById(id))
    )
  )

/** The handlers of the `adminCompliance` group. */
export const layer = HttpApiBuilder.group(Api, "adminCompliance", (handlers) =>
  Effect.succeed(
    handlers
      .handle("ingest", ({ params, payload }) =>
        Effect.andThen(existing(params.id), ComplianceAdmin.ingest(params.id, payload.findings)).pipe(
          Effect.catchTags({
            NotFound: () => Effect.fail(notFound("customer")),
            // The findings carry the customer the tenancy sets: RLS cannot refuse them.
            TenantAccessDenied: Effect.die,
            AuthenticationFailed: Effect.die,
            PersistenceFailure: unavailable
          })
        )
      )
      .handle("resolve", ({ params, payload }) =>
        ComplianceAdmin.resolve(params.id, params.findingId, payload.status, payload.note).pipe(
          Effect.catchTags({
            NotFound: () => Effect.fail(notFound("compliance finding", "findingId")),
            FindingNotOpen: (e) => Effect.fail(new Conflict({ code: e.code, message: e.message })),
            TenantAccessDenied: Effect.die,
            AuthenticationFailed: Effect.die,
            PersistenceFailure: unavailable
          })
        )
      )
  )
)
