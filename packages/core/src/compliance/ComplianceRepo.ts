/** Port: where compliance findings are stored (per customer, under row-level security). */
import { Context, type Effect } from "effect"
import type { ComplianceFramework } from "../billing/Entitlements.ts"
import type {
  AlreadyExists,
  PersistenceFailure,
  TenantAccessDenied
} from "../persistence/PersistenceError.ts"
import type { Finding, FindingStatus, Severity } from "./Compliance.ts"

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
    /** The current tenant's findings, newest first. */
    readonly list: (filter: FindingFilter) => Effect.Effect<ReadonlyArray<Finding>, PersistenceFailure>
  }
>()("@securebase/core/compliance/ComplianceRepo") {}
