/** Compliance status per framework of the customer's plan, and the findings behind it. */
import { Compliance, Entitlements, FieldDoc, PriceBook } from "@securebase/core"
import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "effect/http-api"
import { Forbidden } from "../api/ApiErrors.ts"
import { Authentication } from "../auth/Authentication.ts"
import * as Scopes from "../auth/Scopes.ts"

const counts = Schema.Struct({
  low: Schema.Int.pipe(FieldDoc.describe("Open findings of low severity.")),
  medium: Schema.Int.pipe(FieldDoc.describe("Open findings of medium severity.")),
  high: Schema.Int.pipe(FieldDoc.describe("Open findings of high severity.")),
  critical: Schema.Int.pipe(FieldDoc.describe("Open findings of critical severity."))
})

/** The status report. */
export const ComplianceStatus = Schema.Struct({
  plan: PriceBook.PlanCode.pipe(
    FieldDoc.describe("The customer's plan code; its entitlements decide the frameworks.", ["standard"])
  ),
  overall: Compliance.FrameworkState.pipe(FieldDoc.describe("The worst state among the frameworks.")),
  frameworks: Schema.Array(
    Schema.Struct({
      framework: Entitlements.ComplianceFramework.pipe(FieldDoc.describe("The compliance framework.")),
      state: Compliance.FrameworkState.pipe(
        FieldDoc.describe(
          "`compliant` (no open finding), `at_risk` (open low or medium findings) or `non_compliant` (open high or critical findings)."
        )
      ),
      open: counts.pipe(FieldDoc.describe("Open findings by severity.")),
      resolved: Schema.Int.pipe(FieldDoc.describe("Findings resolved.")),
      accepted: Schema.Int.pipe(FieldDoc.describe("Findings accepted as documented risks.")),
      lastFindingAt: Schema.NullOr(Schema.DateTimeUtc).pipe(
        FieldDoc.describe("When the latest finding was detected, RFC 3339 UTC; null without findings.")
      )
    })
  ).pipe(FieldDoc.describe("One entry per framework of the plan."))
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
            "The state of each compliance framework of the caller's plan (compliant, at risk, non-compliant) with counts of open findings by severity, resolved and accepted findings, and the overall state (the worst framework's). Scope `compliance:read`. Errors: 403 `AUTH.SCOPE_MISSING`."
        })
      )
      .pipe(Scopes.requires("compliance:read")),
    HttpApiEndpoint.get("findings", "/compliance/findings", {
      query: {
        framework: Schema.optional(Entitlements.ComplianceFramework).pipe(
          FieldDoc.describe("Only findings of this framework.")
        ),
        status: Schema.optional(Compliance.FindingStatus).pipe(
          FieldDoc.describe("Only findings in this status.")
        ),
        severity: Schema.optional(Compliance.Severity).pipe(
          FieldDoc.describe("Only findings of this severity.")
        )
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
