/**
 * `OperatorStore` on PostgreSQL (table `operators`, migration 0014).
 *
 * - `findById` runs as the application role in a transaction that sets only `app.operator_id`:
 *   row-level security shows exactly that operator, or nothing; the role can never list them.
 * - `insert`, `list` and `revoke` are administration: they switch to the owner role for the
 *   transaction, which only a login allowed to become the owner may do (the migrator, a
 *   superuser, PGlite's own connection). The application's login cannot, so a compromised
 *   application cannot mint operators.
 *
 * Failures are `AuthBackendUnavailable` carrying only the kind of database failure.
 */
import { AuthError, Operator, OperatorStore } from "@securebase/core"
import { DateTime, Effect, Layer, Option, Schema } from "effect"
import { SqlClient } from "effect/sql"
import type { SqlError } from "effect/sql/SqlError"
import * as Roles from "./Roles.ts"

/** One row schema for the table, read and written. */
const Row = Schema.Struct({
  id: Schema.String,
  name: Schema.String,
  scopes: Schema.Array(Schema.String),
  secret_hash: Schema.String,
  created_at: Schema.DateTimeUtcFromDate,
  revoked_at: Schema.NullOr(Schema.DateTimeUtcFromDate)
})
const decodeRow = Schema.decodeUnknownEffect(Row)
const decodeRecord = Schema.decodeUnknownEffect(Operator.OperatorRecord)

const toRecord = (row: unknown) =>
  Effect.flatMap(decodeRow(row), (r) =>
    decodeRecord({
      id: r.id,
      name: r.name,
      prefix: Operator.prefixOf(r.id as Operator.OperatorId),
      scopes: r.scopes,
      secretHash: r.secret_hash,
      createdAt: r.created_at,
      ...(r.revoked_at === null ? {} : { revokedAt: r.revoked_at })
    })
  )

const unavailable = (operation: string) => (error: SqlError | Schema.SchemaError) =>
  new AuthError.AuthBackendUnavailable({
    backend: "postgres",
    operation,
    // The kind only: a driver's message can carry SQL text and values.
    cause: new Error(error._tag === "SqlError" ? error.reason._tag : error._tag)
  })

/** Builds the store over the current `SqlClient`. */
export const make = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const columns = sql.unsafe("id, name, scopes, secret_hash, created_at, revoked_at")

  const asLookup = <A, E>(id: string, effect: Effect.Effect<A, E>) =>
    sql.withTransaction(
      Effect.andThen(
        sql`SELECT set_config('role', ${Roles.app}, true), set_config('app.operator_id', ${id}, true)`,
        effect
      )
    )
  const asOwner = <A, E>(effect: Effect.Effect<A, E>) =>
    sql.withTransaction(Effect.andThen(sql`SELECT set_config('role', ${Roles.owner}, true)`, effect))

  const findById = (id: Operator.OperatorId) =>
    asLookup(
      id,
      Effect.flatMap(sql`SELECT ${columns} FROM operators WHERE id = ${id}`, (rows) =>
        rows.length === 0 ? Effect.succeedNone : Effect.asSome(toRecord(rows[0]))
      )
    ).pipe(Effect.mapError(unavailable("findById")), Effect.withSpan("OperatorStore.findById"))

  const insert = (record: Operator.OperatorRecord) =>
    asOwner(
      sql`INSERT INTO operators (id, name, scopes, secret_hash, created_at, revoked_at)
        VALUES (${record.id}, ${record.name}, ${`{${record.scopes.join(",")}}`}::text[], ${record.secretHash},
          ${DateTime.formatIso(record.createdAt)},
          ${record.revokedAt === undefined ? null : DateTime.formatIso(record.revokedAt)})`
    ).pipe(Effect.asVoid, Effect.mapError(unavailable("insert")), Effect.withSpan("OperatorStore.insert"))

  const list = asOwner(
    Effect.flatMap(sql`SELECT ${columns} FROM operators ORDER BY created_at, id`, (rows) =>
      Effect.forEach(rows, (row) => Effect.map(toRecord(row), Operator.toOperator))
    )
  ).pipe(Effect.mapError(unavailable("list")), Effect.withSpan("OperatorStore.list"))

  const revoke = (id: Operator.OperatorId, at: DateTime.Utc) =>
    asOwner(
      Effect.flatMap(
        // COALESCE keeps the first revocation time: revoking twice is a no-op.
        sql`UPDATE operators SET revoked_at = COALESCE(revoked_at, ${DateTime.formatIso(at)})
          WHERE id = ${id} RETURNING ${columns}`,
        (rows) =>
          rows.length === 0
            ? Effect.succeed(Option.none<Operator.Operator>())
            : Effect.map(toRecord(rows[0]), (r) => Option.some(Operator.toOperator(r)))
      )
    ).pipe(Effect.mapError(unavailable("revoke")), Effect.withSpan("OperatorStore.revoke"))

  return OperatorStore.OperatorStore.of({ findById, insert, list, revoke })
})

/** `OperatorStore` on the current `SqlClient`. */
export const layer: Layer.Layer<OperatorStore.OperatorStore, never, SqlClient.SqlClient> = Layer.effect(
  OperatorStore.OperatorStore,
  make
)
