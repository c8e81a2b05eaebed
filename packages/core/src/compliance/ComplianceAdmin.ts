/**
 * The operator's side of compliance findings: a scanner's batch is ingested for one customer,
 * idempotent by finding id (a resent batch changes nothing and appends nothing), and an open
 * finding is resolved or accepted. Each runs as the customer (row-level security applies) and is
 * audited in its chain (`compliance.findings_ingested` with the new ids, `compliance.finding_resolved`).
 */
import { DateTime, Effect, Schema } from "effect"
import { type AuditAction, NewAuditEvent } from "../audit/AuditEvent.ts"
import { AuditLog } from "../audit/AuditLog.ts"
import type { CustomerId } from "../Ids.ts"
import { Tenancy } from "../tenancy/Tenancy.ts"
import { type Finding, FindingId } from "./Compliance.ts"
import { ComplianceRepo } from "./ComplianceRepo.ts"

/** A finding as a scanner reports it (the customer is the one the batch is for; it starts open). */
export type ScannedFinding = Omit<Finding, "customerId" | "status" | "resolvedAt">

/** The finding is not open (already resolved or accepted). */
export class FindingNotOpen extends Schema.TaggedError<FindingNotOpen>()("FindingNotOpen", {
  findingId: FindingId,
  status: Schema.String
}) {
  /** Stable error code. */
  readonly code = "COMPLIANCE.FINDING_NOT_OPEN"
  override get message(): string {
    return `the finding is already ${this.status}`
  }
}

const audit = (customerId: CustomerId, action: string, subjectId: string | null, payload: object) =>
  AuditLog.use((log) =>
    log.append(
      new NewAuditEvent({
        customerId,
        action: action as AuditAction,
        subjectType: subjectId === null ? null : "compliance_finding",
        subjectId,
        payload: payload as never
      })
    )
  )

/** Ingests a batch; answers which ids were new and which were already stored. */
export const ingest = Effect.fn("ComplianceAdmin.ingest")(function* (
  customerId: CustomerId,
  findings: ReadonlyArray<ScannedFinding>
) {
  const tenancy = yield* Tenancy
  return yield* tenancy.runAs(
    customerId,
    Effect.gen(function* () {
      const created = yield* ComplianceRepo.use((r) =>
        r.ingest(findings.map((f) => ({ ...f, customerId, status: "open" as const, resolvedAt: null })))
      )
      const fresh = new Set<string>(created)
      if (created.length > 0)
        yield* audit(customerId, "compliance.findings_ingested", null, { created: [...created] })
      return { created, unchanged: findings.map((f) => f.id).filter((id) => !fresh.has(id)) }
    })
  )
})

/** Resolves (fixed) or accepts (a documented risk) an open finding. */
export const resolve = Effect.fn("ComplianceAdmin.resolve")(function* (
  customerId: CustomerId,
  id: FindingId,
  status: "resolved" | "accepted",
  note: string | undefined
) {
  const tenancy = yield* Tenancy
  const at = yield* DateTime.now
  return yield* tenancy.runAs(
    customerId,
    Effect.gen(function* () {
      const { before, after } = yield* ComplianceRepo.use((r) => r.resolve(id, status, at))
      if (before.status !== "open") return yield* new FindingNotOpen({ findingId: id, status: before.status })
      yield* audit(customerId, "compliance.finding_resolved", id, { status, note: note ?? null })
      return after
    })
  )
})
