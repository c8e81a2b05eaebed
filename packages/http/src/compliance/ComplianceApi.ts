/** Compliance status per framework of the customer's plan, and the findings behind it. */
import { Compliance, Entitlements, PriceBook } from "@securebase/core"
import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "effect/http-api"
import { Forbidden } from "../api/ApiErrors.ts"
import { Authentication } from "../auth/Authentication.ts"
import * as Scopes from "../auth/Scopes.ts"

const counts = Schema.Struct({ low: Schema.Int, medium: Schema.Int, high: Schema.Int, critical: Schema.Int })

/** The status report. */
export const ComplianceStatus = Schema.Struct({
  plan: PriceBook.PlanCode,
  overall: Compliance.FrameworkState,
  frameworks: Schema.Array(
    Schema.Struct({
      framework: Entitlements.ComplianceFramework,
      state: Compliance.FrameworkState,
      open: counts,
      resolved: Schema.Int,
      accepted: Schema.Int,
      lastFindingAt: Schema.NullOr(Schema.DateTimeUtc)
    })
  )
}).annotate({ identifier: "ComplianceStatus" })

/** Compliance endpoints (scope `compliance:read`). */
export class ComplianceApi extends HttpApiGroup.make("compliance")
  .add(
    HttpApiEndpoint.get("status", "/compliance/status", {
      success: ComplianceStatus,
      error: [Forbidden]
    }).pipe(Scopes.requires("compliance:read")),
    HttpApiEndpoint.get("findings", "/compliance/findings", {
      query: {
        framework: Schema.optional(Entitlements.ComplianceFramework),
        status: Schema.optional(Compliance.FindingStatus),
        severity: Schema.optional(Compliance.Severity)
      },
      success: Schema.Array(Compliance.Finding),
      error: [Forbidden]
    }).pipe(Scopes.requires("compliance:read"))
  )
  .middleware(Authentication)
  .annotateMerge(OpenApi.annotations({ title: "Compliance" })) {}
