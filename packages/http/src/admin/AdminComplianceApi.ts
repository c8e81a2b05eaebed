/**
 * `/admin/customers/{id}/compliance/findings`: a scanner's batch for one customer, idempotent by
 * finding id, and resolving a finding. Scope `compliance:write`.
 */
import { Compliance, Ids, Text, Tier } from "@securebase/core"
import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "effect/http-api"
import { BadRequest, Conflict, Forbidden, NotFound } from "../api/ApiErrors.ts"
import { OperatorAuthentication } from "./OperatorAuthentication.ts"
import * as OperatorScopes from "./OperatorScopes.ts"

/** One finding as a scanner reports it. */
export const ScannedFinding = Schema.Struct({
  id: Compliance.FindingId,
  framework: Tier.ComplianceFramework,
  controlId: Text.singleLine({ minimum: 1, maximum: 64 }),
  title: Text.singleLine({ minimum: 1, maximum: 300 }),
  severity: Compliance.Severity,
  resource: Schema.NullOr(Text.singleLine({ minimum: 1, maximum: 512 })),
  detectedAt: Schema.DateTimeUtcFromString
}).annotate({ identifier: "ScannedFinding" })

/** A batch of 1 to 500 findings with distinct ids. */
export const FindingBatch = Schema.Struct({
  findings: Schema.Array(ScannedFinding).check(
    Schema.isMinLength(1),
    Schema.isMaxLength(500),
    Schema.makeFilter((fs: ReadonlyArray<{ readonly id: string }>) =>
      new Set(fs.map((f) => f.id)).size === fs.length ? true : "finding ids must be distinct within a batch"
    )
  )
}).annotate({ identifier: "FindingBatch" })

/** Which findings were new, and which were already stored (left as they were). */
export const IngestResult = Schema.Struct({
  created: Schema.Array(Compliance.FindingId),
  unchanged: Schema.Array(Compliance.FindingId)
}).annotate({ identifier: "FindingIngestResult" })

/** How a finding is closed: fixed, or accepted as a documented risk. */
export const ResolveFinding = Schema.Struct({
  status: Schema.Literals(["resolved", "accepted"]),
  note: Schema.optionalKey(Text.singleLine({ minimum: 1, maximum: 1000 }))
}).annotate({ identifier: "ResolveFinding" })

/** The compliance endpoints of `/admin`. */
export class AdminComplianceApi extends HttpApiGroup.make("adminCompliance")
  .add(
    HttpApiEndpoint.post("ingest", "/admin/customers/:id/compliance/findings", {
      params: { id: Ids.CustomerId },
      payload: FindingBatch,
      success: IngestResult,
      error: [BadRequest, Forbidden, NotFound]
    }).pipe(OperatorScopes.requires("compliance:write")),
    HttpApiEndpoint.post("resolve", "/admin/customers/:id/compliance/findings/:findingId/resolve", {
      params: { id: Ids.CustomerId, findingId: Compliance.FindingId },
      payload: ResolveFinding,
      success: Compliance.Finding,
      error: [BadRequest, Forbidden, NotFound, Conflict]
    }).pipe(OperatorScopes.requires("compliance:write"))
  )
  .middleware(OperatorAuthentication)
  .annotateMerge(OpenApi.annotations({ title: "Admin: compliance" })) {}
