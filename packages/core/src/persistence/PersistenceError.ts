/**
 * The typed failures every repository port may report. Adapters translate their driver's errors
 * into these (a unique violation, a row-level-security refusal, a missing row) so that no raw
 * database error, with its SQL text and parameters, ever crosses a port.
 */
import { Schema } from "effect"

/** A row with the same key already exists (a unique violation). */
export class AlreadyExists extends Schema.TaggedError<AlreadyExists>()("AlreadyExists", {
  entity: Schema.String,
  key: Schema.String
}) {
  /** Stable error code. */
  readonly code = "PERSISTENCE.ALREADY_EXISTS"
}

/** No row with this key is visible to the caller (absent, or another tenant's). */
export class NotFound extends Schema.TaggedError<NotFound>()("NotFound", {
  entity: Schema.String,
  key: Schema.String
}) {
  /** Stable error code. */
  readonly code = "PERSISTENCE.NOT_FOUND"
}

/**
 * The database refused the operation for the current tenant: a write of another customer's row
 * (row-level security, SQLSTATE 42501), or an operation outside any tenant context.
 */
export class TenantAccessDenied extends Schema.TaggedError<TenantAccessDenied>()("TenantAccessDenied", {
  entity: Schema.String,
  operation: Schema.String
}) {
  /** Stable error code. */
  readonly code = "TENANCY.ACCESS_DENIED"
}

/**
 * Any other storage failure (connection lost, constraint, serialization). Carries the kind of
 * failure only: the driver's message may contain data and stays in the adapter's logs.
 */
export class PersistenceFailure extends Schema.TaggedError<PersistenceFailure>()("PersistenceFailure", {
  operation: Schema.String,
  kind: Schema.String
}) {
  /** Stable error code. */
  readonly code = "PERSISTENCE.FAILURE"
}
