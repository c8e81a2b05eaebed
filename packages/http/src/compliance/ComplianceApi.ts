/** Compliance status per framework of the customer's tier, and the findings behind it. */
import { Compliance, Tier } from "@securebase/core"
import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "effect/http-api"
import { Forbidden } from "../api/ApiErrors.ts"
import { Authentication } from "../auth/Authentication.ts"
import * as Scopes from "../auth/Scopes.ts"

const counts = Schema.Struct({ low: Schema.Int, medium: Schema.Int, high: Schema.Int, critical: Schema.Int })

/** The status report. */
export const ComplianceStatus = Schema.Struct({
  tier: Tier.Tier,
  overall: Compliance.FrameworkState,
  frameworks: Schema.Array(
    Schema.Struct({
      framework: Tier.ComplianceFramework,
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
    })
      .annotateMerge(
        OpenApi.annotations({
          summary: "Get compliance status",
          description:
            "The state of each compliance framework of the caller's tier (compliant, at risk, non-compliant) with counts of open findings by severity, resolved and accepted findings, and the overall state (the worst framework's). Scope `compliance:read`. Errors: 403 `AUTH.SCOPE_MISSING`."
        })
      )
      .pipe(Scopes.requires("compliance:read")),
    HttpApiEndpoint.get("findings", "/compliance/findings", {
      query: {
        framework: Schema.optional(Tier.ComplianceFramework),
        status: Schema.optional(Compliance.FindingStatus),
        severity: Schema.optional(Compliance.Severity)
      },
      success: Schema.Array(Compliance.Finding),
      error: [Forbidden]
    })
      .annotateMerge(
        OpenApi.annotations({
          summary: "List compliance findings",
          description:
            "The caller's compliance findings, optionally filtered by framework, status and severity. Scope `compliance:read`. Errors: 400 `REQUEST.INVALID` for an unknown filter value (the message names the allowed values), 403 `AUTH.SCOPE_MISSING`."
        })
      )
      .pipe(Scopes.requires("compliance:read"))
  )
  .middleware(Authentication)
  .annotateMerge(OpenApi.annotations({ title: "Compliance" })) {}
