/**
 * Translation of `SqlError` into the core's typed persistence errors. Only the reason's tag and,
 * for a unique violation, the constraint name are kept: the driver's message can hold SQL text
 * and row values and must not leave the adapter.
 */
import { PersistenceError } from "@securebase/core"
import { Effect, type Schema } from "effect"
import type { SqlError } from "effect/sql/SqlError"

/** The failure for anything that is not one of the expected, typed cases. */
export const failure = (operation: string, error: SqlError): PersistenceError.PersistenceFailure =>
  new PersistenceError.PersistenceFailure({ operation, kind: error.reason._tag })

/**
 * Maps a statement's `SqlError`: a unique violation becomes `AlreadyExists`, a row-level-security
 * or privilege refusal (42501) `TenantAccessDenied`, anything else `PersistenceFailure`.
 */
export const mapWrite =
  (entity: string, key: string, operation: string) =>
  <A, R>(
    effect: Effect.Effect<A, SqlError, R>
  ): Effect.Effect<
    A,
    | PersistenceError.AlreadyExists
    | PersistenceError.TenantAccessDenied
    | PersistenceError.PersistenceFailure,
    R
  > =>
    Effect.mapError(effect, (error) => {
      switch (error.reason._tag) {
        case "UniqueViolation":
          return new PersistenceError.AlreadyExists({ entity, key })
        case "AuthorizationError":
          return new PersistenceError.TenantAccessDenied({ entity, operation })
        default:
          return failure(`${entity}.${operation}`, error)
      }
    })

/**
 * Maps a read's `SqlError` or row-decoding `SchemaError` to `PersistenceFailure` (a read that
 * row-level security filters never fails: it returns fewer rows).
 */
export const mapRead =
  (operation: string) =>
  <A, R>(
    effect: Effect.Effect<A, SqlError | Schema.SchemaError, R>
  ): Effect.Effect<A, PersistenceError.PersistenceFailure, R> =>
    Effect.mapError(effect, (error) =>
      error._tag === "SqlError"
        ? failure(operation, error)
        : new PersistenceError.PersistenceFailure({ operation, kind: "SchemaError" })
    )

/**
 * The SQLSTATE and DETAIL the server reported, for the errors this schema raises itself (its
 * triggers' own codes): both drivers keep the server's error fields on the reason's cause.
 */
export const serverFields = (error: SqlError): { readonly code?: string; readonly detail?: string } => {
  const cause = error.reason.cause as { readonly code?: unknown; readonly detail?: unknown } | undefined
  return {
    ...(typeof cause?.code === "string" ? { code: cause.code } : {}),
    ...(typeof cause?.detail === "string" ? { detail: cause.detail } : {})
  }
}
