/**
 * `/admin/customers/{id}/compliance/findings`: a scanner's batch for one customer, idempotent by
 * finding id, and resolving a finding. Scope `compliance:write`.
 */
import { Compliance, Entitlements, FieldDoc, Ids, Text } from "@securebase/core"
import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "effect/http-api"
import { BadRequest, Conflict, Forbidden, NotFound } from "../api/ApiErrors.ts"
import { OperatorAuthentication } from "./OperatorAuthentication.ts"
import * as OperatorScopes from "./OperatorScopes.ts"

/** One finding as a scanner reports it. */
export const ScannedFinding = Schema.Struct({
  id: Compliance.FindingId.pipe(
    FieldDoc.describe(
      "The finding's id, a UUID the scanner keeps for it; sending it again changes nothing (idempotent)."
    )
  ),
  framework: Entitlements.ComplianceFramework.pipe(
    FieldDoc.describe("The compliance framework the control belongs to.")
  ),
  controlId: Text.singleLine({ minimum: 1, maximum: 64 }).pipe(
    FieldDoc.describe("The framework's control identifier, up to 64 characters.", ["CIS-1.4"])
  ),
  title: Text.singleLine({ minimum: 1, maximum: 300 }).pipe(
    FieldDoc.describe("What was found, one line of up to 300 characters.")
  ),
  severity: Compliance.Severity.pipe(FieldDoc.describe("`low`, `medium`, `high` or `critical`.")),
  resource: Schema.NullOr(Text.singleLine({ minimum: 1, maximum: 512 })).pipe(
    FieldDoc.describe("The affected resource (an ARN, a host, …), or null.")
  ),
  detectedAt: Schema.DateTimeUtcFromString.pipe(FieldDoc.describe("When the scanner found it, RFC 3339 UTC."))
}).annotate({ identifier: "ScannedFinding" })

/** A batch of 1 to 500 findings with distinct ids. */
export const FindingBatch = Schema.Struct({
  findings: Schema.Array(ScannedFinding)
    .pipe(FieldDoc.describe("1 to 500 findings with distinct ids."))
    .check(
      Schema.isMinLength(1),
      Schema.isMaxLength(500),
      Schema.makeFilter((fs: ReadonlyArray<{ readonly id: string }>) =>
        new Set(fs.map((f) => f.id)).size === fs.length ? true : "finding ids must be distinct within a batch"
      )
    )
})
  .annotate({ identifier: "FindingBatch" })
  .pipe(
    Schema.annotateEncoded({
      examples: [
        {
          findings: [
            {
              id: "5ecb0a5e-0000-4000-8000-00000000f001",
              framework: "CIS",
              controlId: "CIS-1.4",
              title: "Root account access key is active",
              severity: "high",
              resource: "arn:aws:iam::123456789012:root",
              detectedAt: "2026-11-28T09:15:00Z"
            }
          ]
        }
      ]
    })
  )

/** Which findings were new, and which were already stored (left as they were). */
export const IngestResult = Schema.Struct({
  created: Schema.Array(Compliance.FindingId).pipe(FieldDoc.describe("The ids stored by this batch.")),
  unchanged: Schema.Array(Compliance.FindingId).pipe(
    FieldDoc.describe("The ids that were already stored, left as they were.")
  )
}).annotate({ identifier: "FindingIngestResult" })

/** How a finding is closed: fixed, or accepted as a documented risk. */
export const ResolveFinding = Schema.Struct({
  status: Schema.Literals(["resolved", "accepted"]).pipe(
    FieldDoc.describe("`resolved` (fixed) or `accepted` (a documented risk).")
  ),
  note: Schema.optionalKey(Text.singleLine({ minimum: 1, maximum: 1000 })).pipe(
    FieldDoc.describe("Why, one line of up to 1,000 characters.")
  )
})
  .annotate({ identifier: "ResolveFinding" })
  .pipe(
    Schema.annotateEncoded({
      examples: [{ status: "resolved", note: "Root access key deleted on 2026-11-28." }]
    })
  )

const customerId = Ids.CustomerId.pipe(FieldDoc.describe("The customer's id, a UUID."))

/** The compliance endpoints of `/admin`. */
export class AdminComplianceApi extends HttpApiGroup.make("adminCompliance")
  .add(
    HttpApiEndpoint.post("ingest", "/admin/customers/:id/compliance/findings", {
      params: { id: customerId },
      payload: FindingBatch,
      success: IngestResult,
      error: [BadRequest, Forbidden, NotFound]
    })
      .annotateMerge(
        OpenApi.annotations({
          summary: "Ingest a scanner's findings",
          description:
            "Stores a scanner's batch of findings for one customer in one statement, idempotent by finding id (a finding already stored is left as it was), and answers which were new. Audited in the customer's chain. Operator scope `compliance:write`. Errors: 400 `REQUEST.INVALID` (an empty batch, over 500, repeated ids, a bad field), 403 `AUTH.SCOPE_MISSING`, 404 `CUSTOMER.NOT_FOUND`."
        })
      )
      .pipe(OperatorScopes.requires("compliance:write")),
    HttpApiEndpoint.post("resolve", "/admin/customers/:id/compliance/findings/:findingId/resolve", {
      params: {
        id: customerId,
        findingId: Compliance.FindingId.pipe(FieldDoc.describe("The finding's id, a UUID."))
      },
      payload: ResolveFinding,
      success: Compliance.Finding,
      error: [BadRequest, Forbidden, NotFound, Conflict]
    })
      .annotateMerge(
        OpenApi.annotations({
          summary: "Resolve a finding",
          description:
            "Closes an open finding as `resolved` or `accepted`, with an optional note, and answers the finding. Audited in the customer's chain. Operator scope `compliance:write`. Errors: 400 `REQUEST.INVALID`, 403 `AUTH.SCOPE_MISSING`, 404 for an unknown customer or finding, 409 for a finding that is not open."
        })
      )
      .pipe(OperatorScopes.requires("compliance:write"))
  )
  .middleware(OperatorAuthentication)
  .annotateMerge(OpenApi.annotations({ title: "Admin: compliance" })) {}
