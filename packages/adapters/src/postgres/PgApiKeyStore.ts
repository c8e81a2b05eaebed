/**
 * `ApiKeyStore` on PostgreSQL.
 *
 * - `findById` and `touch` run before the tenant is known, in a transaction that sets only
 *   `app.api_key_id` (migration 0005): it sees exactly that key, or nothing.
 * - `insert`, `list`, `revoke` and `countActive` name their customer and run as that customer
 *   (`Tenancy.runAs`; inside an enclosing `runAs` of the same customer they join its transaction).
 *   `insert` counts and inserts under a per-customer advisory lock, so concurrent creations cannot
 *   both slip under the plan's limit.
 *
 * Failures are `AuthBackendUnavailable` carrying only the kind of database failure, except that
 * a `CredentialRefused` from `runAs` (the request's own credential was revoked meanwhile) passes
 * through unchanged: it is the caller's answer (401), not an outage (503).
 */
import { ApiKey, ApiKeyStore, AuditEvent, AuditLog, AuthError, type Ids, Tenancy } from "@securebase/core"
import { DateTime, Effect, Layer, Option, Schema } from "effect"
import { SqlClient } from "effect/sql"
import type { SqlError } from "effect/sql/SqlError"
import * as Roles from "./Roles.ts"

const Timestamp = Schema.NullOr(Schema.DateTimeUtcFromDate)

const Row = Schema.Struct({
  id: Schema.String,
  customer_id: Schema.String,
  name: Schema.String,
  mode: Schema.String,
  prefix: Schema.String,
  scopes: Schema.Array(Schema.String),
  secret_hash: Schema.String,
  created_at: Schema.DateTimeUtcFromDate,
  expires_at: Timestamp,
  revoked_at: Timestamp,
  last_used_at: Timestamp
})

const decodeRow = Schema.decodeUnknownEffect(Row)
const decodeRecord = Schema.decodeUnknownEffect(ApiKey.ApiKeyRecord)

const toRecord = (row: unknown) =>
  Effect.flatMap(decodeRow(row), (r) =>
    decodeRecord({
      id: r.id,
      customerId: r.customer_id,
      name: r.name,
      mode: r.mode,
      prefix: r.prefix,
      scopes: r.scopes,
      secretHash: r.secret_hash,
      createdAt: r.created_at,
      ...(r.expires_at === null ? {} : { expiresAt: r.expires_at }),
      ...(r.revoked_at === null ? {} : { revokedAt: r.revoked_at }),
      ...(r.last_used_at === null ? {} : { lastUsedAt: r.last_used_at })
    })
  )

const iso = (at: DateTime.Utc | undefined): string | null =>
  at === undefined ? null : DateTime.formatIso(at)

const unavailable =
  (operation: string) => (error: SqlError | Schema.SchemaError | { readonly _tag: string }) =>
    new AuthError.AuthBackendUnavailable({
      backend: "postgres",
      operation,
      // The kind only: a driver's message can carry SQL text and values.
      cause: new Error(error._tag === "SqlError" ? (error as SqlError).reason._tag : error._tag)
    })

/** `unavailable`, but a refused credential stays what it is. */
const unavailableOrRefused =
  (operation: string) =>
  (
    error: SqlError | Schema.SchemaError | { readonly _tag: string }
  ): AuthError.AuthBackendUnavailable | AuthError.CredentialRefused =>
    AuthError.isCredentialRefused(error) ? error : unavailable(operation)(error)

/** Builds the store over the current `SqlClient` and `Tenancy`. */
export const make = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const tenancy = yield* Tenancy.Tenancy
  const audit = yield* AuditLog.AuditLog
  const columns = sql.unsafe(`id, customer_id::text, name, mode, prefix, scopes, secret_hash, created_at,
    expires_at, revoked_at, last_used_at`)

  // The one place the key-lookup context is set; it ends with the transaction.
  const asLookup = <A, E>(id: string, effect: Effect.Effect<A, E>) =>
    sql.withTransaction(
      Effect.andThen(
        sql`SELECT set_config('role', ${Roles.app}, true), set_config('app.api_key_id', ${id}, true)`,
        effect
      )
    )

  const activeCount = (customerId: Ids.CustomerId, now: DateTime.Utc) =>
    Effect.map(
      sql<{ n: string }>`SELECT count(*)::text AS n FROM api_keys
        WHERE customer_id = ${customerId} AND revoked_at IS NULL
          AND (expires_at IS NULL OR expires_at > ${DateTime.formatIso(now)})`,
      (rows) => Number(rows[0]!.n)
    )

  const findById = (id: ApiKey.ApiKeyId) =>
    asLookup(
      id,
      Effect.flatMap(sql`SELECT ${columns} FROM api_keys WHERE id = ${id}`, (rows) =>
        rows.length === 0 ? Effect.succeedNone : Effect.asSome(toRecord(rows[0]))
      )
    ).pipe(Effect.mapError(unavailable("findById")), Effect.withSpan("ApiKeyStore.findById"))

  const touch = (id: ApiKey.ApiKeyId, at: DateTime.Utc) =>
    asLookup(id, sql`UPDATE api_keys SET last_used_at = ${DateTime.formatIso(at)} WHERE id = ${id}`).pipe(
      Effect.asVoid,
      Effect.mapError(unavailable("touch")),
      Effect.withSpan("ApiKeyStore.touch")
    )

  const insert = (
    record: ApiKey.ApiKeyRecord,
    limit: Parameters<ApiKeyStore.ApiKeyStore["Service"]["insert"]>[1]
  ) =>
    tenancy
      .runAs(
        record.customerId,
        Effect.gen(function* () {
          yield* sql`SELECT pg_advisory_xact_lock(hashtextextended(${`securebase.api_keys:${record.customerId}`}, 0))`
          if ((yield* activeCount(record.customerId, limit.now)) >= limit.max) {
            return yield* new AuthError.ApiKeyLimitReached({
              customerId: record.customerId,
              plan: limit.plan,
              limit: limit.max
            })
          }
          yield* sql`
            INSERT INTO api_keys (id, customer_id, name, mode, prefix, secret_hash, scopes, created_at, expires_at,
              revoked_at, last_used_at)
            VALUES (${record.id}, ${record.customerId}, ${record.name}, ${record.mode}, ${record.prefix},
              ${record.secretHash}, ${`{${record.scopes.join(",")}}`}::text[], ${DateTime.formatIso(record.createdAt)},
              ${iso(record.expiresAt)}, ${iso(record.revokedAt)}, ${iso(record.lastUsedAt)})`
          // Recorded in the same transaction as the key: both commit, or neither does.
          yield* audit.append(
            new AuditEvent.NewAuditEvent({
              customerId: record.customerId,
              action: "api_key.created" as AuditEvent.AuditAction,
              subjectType: "api_key",
              subjectId: record.id,
              payload: {
                name: record.name,
                mode: record.mode,
                scopes: [...record.scopes],
                expiresAt: iso(record.expiresAt)
              }
            })
          )
        })
      )
      .pipe(
        Effect.catchTags({
          SqlError: (e) => Effect.fail(unavailable("insert")(e)),
          PersistenceFailure: (e) => Effect.fail(unavailable("insert")(e)),
          TenantAccessDenied: (e) => Effect.fail(unavailable("insert")(e))
        }),
        Effect.withSpan("ApiKeyStore.insert")
      )

  const list = (customerId: Ids.CustomerId) =>
    tenancy
      .runAs(
        customerId,
        Effect.flatMap(
          sql`SELECT ${columns} FROM api_keys WHERE customer_id = ${customerId} ORDER BY created_at DESC, id`,
          (rows) => Effect.forEach(rows, (row) => Effect.map(toRecord(row), ApiKey.toApiKey))
        )
      )
      .pipe(Effect.mapError(unavailableOrRefused("list")), Effect.withSpan("ApiKeyStore.list"))

  const revoke = (customerId: Ids.CustomerId, id: ApiKey.ApiKeyId, at: DateTime.Utc) =>
    tenancy
      .runAs(
        customerId,
        Effect.gen(function* () {
          // COALESCE keeps the first revocation time: revoking twice is a no-op.
          const rows = yield* sql`
            UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ${DateTime.formatIso(at)})
            WHERE id = ${id} AND customer_id = ${customerId}
            RETURNING ${columns}`
          if (rows.length === 0) return Option.none<ApiKey.ApiKey>()
          const revoked = ApiKey.toApiKey(yield* toRecord(rows[0]))
          yield* audit.append(
            new AuditEvent.NewAuditEvent({
              customerId,
              action: "api_key.revoked" as AuditEvent.AuditAction,
              subjectType: "api_key",
              subjectId: id,
              payload: { revokedAt: iso(revoked.revokedAt) }
            })
          )
          return Option.some(revoked)
        })
      )
      .pipe(Effect.mapError(unavailableOrRefused("revoke")), Effect.withSpan("ApiKeyStore.revoke"))

  const countActive = (customerId: Ids.CustomerId, now: DateTime.Utc) =>
    tenancy
      .runAs(customerId, activeCount(customerId, now))
      .pipe(Effect.mapError(unavailableOrRefused("countActive")), Effect.withSpan("ApiKeyStore.countActive"))

  return ApiKeyStore.ApiKeyStore.of({ findById, insert, list, revoke, touch, countActive })
})

/** `ApiKeyStore` on the current `SqlClient` and `Tenancy`. */
export const layer: Layer.Layer<
  ApiKeyStore.ApiKeyStore,
  never,
  SqlClient.SqlClient | Tenancy.Tenancy | AuditLog.AuditLog
> = Layer.effect(ApiKeyStore.ApiKeyStore, make)
