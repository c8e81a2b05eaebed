/**
 * The port to where operators are kept (Postgres `operators`, migration 0014). Not a tenant
 * table: `findById` is authentication's (it sees one operator by id, nothing else); `insert`,
 * `list` and `revoke` are the administration CLI's, which holds the owner's rights.
 */
import { Context, type DateTime, type Effect, type Option } from "effect"
import type { AuthBackendUnavailable } from "./AuthError.ts"
import type { Operator, OperatorId, OperatorRecord } from "./Operator.ts"

/** Stores operators by their public id. */
export class OperatorStore extends Context.Service<
  OperatorStore,
  {
    /** The operator with that id (authentication). */
    readonly findById: (
      id: OperatorId
    ) => Effect.Effect<Option.Option<OperatorRecord>, AuthBackendUnavailable>
    /** Stores a new operator (administration). */
    readonly insert: (record: OperatorRecord) => Effect.Effect<void, AuthBackendUnavailable>
    /** Every operator, oldest first, without hashes (administration). */
    readonly list: Effect.Effect<ReadonlyArray<Operator>, AuthBackendUnavailable>
    /** Marks the operator revoked at `at`, keeping the first time (administration); `None` if unknown. */
    readonly revoke: (
      id: OperatorId,
      at: DateTime.Utc
    ) => Effect.Effect<Option.Option<Operator>, AuthBackendUnavailable>
  }
>()("@securebase/core/auth/OperatorStore") {}
