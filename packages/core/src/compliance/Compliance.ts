/**
 * Compliance findings and the status they add up to, per framework of the customer's plan (CIS,
 * SOC 2, PCI-DSS, HIPAA, HITRUST, FedRAMP, NIST 800-53). Findings are stored per customer; the
 * status is never stored, it is computed from the open findings so it cannot drift from them.
 */
import { DateTime, Schema } from "effect"
import { ComplianceFramework } from "../billing/Entitlements.ts"
import type { PlanCode } from "../billing/PriceBook.ts"
import * as FieldDoc from "../FieldDoc.ts"
import { CustomerId } from "../Ids.ts"

/** A finding id: a UUID. */
export const FindingId = Schema.String.check(Schema.isUUID()).pipe(Schema.brand("FindingId"))
export type FindingId = typeof FindingId.Type

/** How bad a failed control is. */
export const Severity = Schema.Literals(["low", "medium", "high", "critical"])
export type Severity = typeof Severity.Type

/** Open until fixed; `accepted` records a documented risk acceptance. */
export const FindingStatus = Schema.Literals(["open", "resolved", "accepted"])
export type FindingStatus = typeof FindingStatus.Type

/** One failed (or formerly failed) control on one resource. */
export const Finding = Schema.Struct({
  id: FindingId.pipe(FieldDoc.describe("The finding's id, a UUID.")),
  customerId: CustomerId.pipe(FieldDoc.describe("The customer (tenant) the finding concerns, a UUID.")),
  framework: ComplianceFramework.pipe(FieldDoc.describe("The compliance framework whose control failed.")),
  controlId: Schema.NonEmptyString.check(Schema.isMaxLength(64)).pipe(
    FieldDoc.describe("The failed control's id within its framework.", ["CC6.1"])
  ),
  title: Schema.NonEmptyString.check(Schema.isMaxLength(300)).pipe(
    FieldDoc.describe("What failed, in one line.")
  ),
  severity: Severity.pipe(FieldDoc.describe("`low`, `medium`, `high` or `critical`.")),
  status: FindingStatus.pipe(
    FieldDoc.describe(
      "`open` until fixed, `resolved` once fixed, `accepted` for a documented risk acceptance."
    )
  ),
  resource: Schema.NullOr(Schema.String.check(Schema.isMaxLength(512))).pipe(
    FieldDoc.describe("The resource the control failed on; null when not tied to one.")
  ),
  detectedAt: Schema.DateTimeUtc.pipe(FieldDoc.describe("When the finding was detected, RFC 3339 UTC.")),
  resolvedAt: Schema.NullOr(Schema.DateTimeUtc).pipe(
    FieldDoc.describe("When it was resolved, RFC 3339 UTC; null while open or accepted.")
  )
}).annotate({ identifier: "ComplianceFinding" })
export interface Finding extends Schema.Schema.Type<typeof Finding> {}

/**
 * A framework's status: `compliant` with no open finding, `at_risk` with open low or medium ones,
 * `non_compliant` with any open high or critical one.
 */
export const FrameworkState = Schema.Literals(["compliant", "at_risk", "non_compliant"])
export type FrameworkState = typeof FrameworkState.Type

/** The status of one framework. */
export interface FrameworkStatus {
  readonly framework: ComplianceFramework
  readonly state: FrameworkState
  readonly open: Readonly<Record<Severity, number>>
  readonly resolved: number
  readonly accepted: number
  readonly lastFindingAt: DateTime.Utc | null
}

/** The status of every framework of a plan, and the worst of them overall. */
export interface ComplianceStatus {
  readonly plan: PlanCode
  readonly overall: FrameworkState
  readonly frameworks: ReadonlyArray<FrameworkStatus>
}

const rank: Record<FrameworkState, number> = { compliant: 0, at_risk: 1, non_compliant: 2 }

/**
 * Summarises findings into a status per framework of the plan (`frameworks`: its entitlements'
 * `complianceFrameworks`). Findings of frameworks outside the plan (left over from a downgrade,
 * say) are not counted against it.
 */
export const summarize = (
  plan: PlanCode,
  frameworks: ReadonlyArray<ComplianceFramework>,
  findings: Iterable<Finding>
): ComplianceStatus => {
  const byFramework = new Map(
    frameworks.map((f) => [
      f,
      {
        open: { low: 0, medium: 0, high: 0, critical: 0 } as Record<Severity, number>,
        resolved: 0,
        accepted: 0,
        last: null as DateTime.Utc | null
      }
    ])
  )
  for (const finding of findings) {
    const entry = byFramework.get(finding.framework)
    if (entry === undefined) continue
    if (finding.status === "open") entry.open[finding.severity] += 1
    else if (finding.status === "resolved") entry.resolved += 1
    else entry.accepted += 1
    if (entry.last === null || DateTime.isGreaterThan(finding.detectedAt, entry.last))
      entry.last = finding.detectedAt
  }
  const statuses = frameworks.map((framework): FrameworkStatus => {
    const e = byFramework.get(framework)!
    const state: FrameworkState =
      e.open.high + e.open.critical > 0
        ? "non_compliant"
        : e.open.low + e.open.medium > 0
          ? "at_risk"
          : "compliant"
    return {
      framework,
      state,
      open: e.open,
      resolved: e.resolved,
      accepted: e.accepted,
      lastFindingAt: e.last
    }
  })
  const overall = statuses.reduce<FrameworkState>(
    (worst, s) => (rank[s.state] > rank[worst] ? s.state : worst),
    "compliant"
  )
  return { plan, overall, frameworks: statuses }
}
