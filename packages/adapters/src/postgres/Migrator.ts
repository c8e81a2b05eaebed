/**
 * Applies the ordered migrations of {@link ./migrations/index.ts} and records them in
 * `securebase_migrations` (id, name, SHA-256 checksum of the statements, time applied).
 *
 * Everything runs in ONE transaction (PostgreSQL's DDL is transactional): either every pending
 * migration is applied and recorded or none is. A transaction-level advisory lock makes concurrent
 * migrators of the same database wait for each other instead of racing. The transaction
 * `SET LOCAL ROLE`s to the owner role so the owner, not whoever connected, owns every object. An
 * applied migration whose checksum no longer matches is refused: migrations are append-only.
 */
import { createHash } from "node:crypto"
import { Effect, Schema } from "effect"
import { SqlClient } from "effect/sql"
import type { SqlError } from "effect/sql/SqlError"
import * as Migrations from "./migrations/index.ts"
import * as Roles from "./Roles.ts"

/** An applied migration was edited (or the database belongs to another code base). */
export class MigrationChecksumMismatch extends Schema.TaggedError<MigrationChecksumMismatch>()(
  "MigrationChecksumMismatch",
  { id: Schema.Int, name: Schema.String }
) {
  /** Stable error code. */
  readonly code = "MIGRATION.CHECKSUM_MISMATCH"
}

/** The SHA-256 (hex) of a migration's statements. */
export const checksum = (migration: Migrations.Migration): string =>
  createHash("sha256").update(migration.statements.join("\n;\n")).digest("hex")

// An arbitrary constant shared by every migrator of this schema.
const lockKey = 7_302_114_571

const AppliedRow = Schema.Struct({ id: Schema.Int, name: Schema.String, checksum: Schema.String })

/**
 * Applies pending migrations; returns the ids applied by this call (empty when up to date).
 * The connected user must be allowed to switch to the owner role: the migrator login
 * (`Roles.migrator`), or a superuser. The owner itself cannot log in.
 */
export const run = (
  migrations: ReadonlyArray<Migrations.Migration> = Migrations.all
): Effect.Effect<
  ReadonlyArray<number>,
  SqlError | MigrationChecksumMismatch | Schema.SchemaError,
  SqlClient.SqlClient
> =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    return yield* sql.withTransaction(
      Effect.gen(function* () {
        yield* sql.unsafe(`SET LOCAL ROLE ${Roles.owner}`)
        yield* sql`SELECT pg_advisory_xact_lock(${lockKey})`
        yield* sql.unsafe(`CREATE TABLE IF NOT EXISTS securebase_migrations (
          id integer PRIMARY KEY,
          name text NOT NULL,
          checksum text NOT NULL,
          applied_at timestamptz NOT NULL DEFAULT now()
        )`)
        const rows = yield* sql`SELECT id, name, checksum FROM securebase_migrations ORDER BY id`
        const applied = yield* Schema.decodeUnknownEffect(Schema.Array(AppliedRow))(rows)
        const byId = new Map(applied.map((row) => [row.id, row]))
        const done: Array<number> = []
        for (const migration of [...migrations].sort((a, b) => a.id - b.id)) {
          const sum = checksum(migration)
          const prior = byId.get(migration.id)
          if (prior !== undefined) {
            if (prior.checksum !== sum) {
              return yield* new MigrationChecksumMismatch({ id: migration.id, name: migration.name })
            }
            continue
          }
          for (const statement of migration.statements) yield* sql.unsafe(statement)
          yield* sql`INSERT INTO securebase_migrations (id, name, checksum) VALUES (${migration.id}, ${migration.name}, ${sum})`
          done.push(migration.id)
        }
        return done as ReadonlyArray<number>
      })
    )
  }).pipe(Effect.withSpan("Migrator.run"))
