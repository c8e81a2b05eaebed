/** Port: where compliance findings are stored (per customer, under row-level security). */
import { Context, type DateTime, type Effect } from "effect"
import type { ComplianceFramework } from "../billing/Entitlements.ts"
import type {
  AlreadyExists,
  NotFound,
  PersistenceFailure,
  TenantAccessDenied
} from "../persistence/PersistenceError.ts"
import type { Finding, FindingId, FindingStatus, Severity } from "./Compliance.ts"

/** Which findings to list; every field narrows. */
export interface FindingFilter {
  readonly framework?: ComplianceFramework
  readonly status?: FindingStatus
  readonly severity?: Severity
}

/** Stores compliance findings. */
export class ComplianceRepo extends Context.Service<
  ComplianceRepo,
  {
    /** Records a finding (a scanner's result). */
    readonly insert: (
      finding: Finding
    ) => Effect.Effect<Finding, AlreadyExists | TenantAccessDenied | PersistenceFailure>
    /**
     * Records a scanner's batch, idempotent by finding id: a finding already stored (any content)
     * is left as it is. Answers the ids that were new.
     */
    readonly ingest: (
      findings: ReadonlyArray<Finding>
    ) => Effect.Effect<ReadonlyArray<FindingId>, TenantAccessDenied | PersistenceFailure>
    /** Moves an open finding of the current tenant to `resolved` or `accepted` at `at`; `None` state is NotFound. */
    readonly resolve: (
      id: FindingId,
      status: "resolved" | "accepted",
      at: DateTime.Utc
    ) => Effect.Effect<{ readonly before: Finding; readonly after: Finding }, NotFound | PersistenceFailure>
    /** The current tenant's findings, newest first. */
    readonly list: (filter: FindingFilter) => Effect.Effect<ReadonlyArray<Finding>, PersistenceFailure>
  }
>()("@securebase/core/compliance/ComplianceRepo") {}
