/**
 * `ComplianceRepo` on PostgreSQL. `list` is "the current tenant's findings": row-level security
 * scopes it inside `Tenancy.runAs`; the filter narrows it further.
 */
import { Compliance, ComplianceRepo, PersistenceError } from "@securebase/core"
import { Array as Arr, DateTime, Effect, Layer, Schema } from "effect"
import { SqlClient } from "effect/sql"
import { mapRead, mapWrite } from "./SqlErrors.ts"

const Row = Schema.Struct({
  id: Schema.String,
  customer_id: Schema.String,
  framework: Schema.String,
  control_id: Schema.String,
  title: Schema.String,
  severity: Schema.String,
  status: Schema.String,
  resource: Schema.NullOr(Schema.String),
  detected_at: Schema.DateTimeUtcFromDate,
  resolved_at: Schema.NullOr(Schema.DateTimeUtcFromDate)
})

const decodeRow = Schema.decodeUnknownEffect(Row)
const decodeFinding = Schema.decodeUnknownEffect(Compliance.Finding)

const toFinding = (row: unknown) =>
  Effect.flatMap(decodeRow(row), (r) =>
    decodeFinding({
      id: r.id,
      customerId: r.customer_id,
      framework: r.framework,
      controlId: r.control_id,
      title: r.title,
      severity: r.severity,
      status: r.status,
      resource: r.resource,
      detectedAt: r.detected_at,
      resolvedAt: r.resolved_at
    })
  )

/** Builds the repository over the current `SqlClient`. */
export const make = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const columns = sql.unsafe(
    "id::text, customer_id::text, framework, control_id, title, severity, status, resource, detected_at, resolved_at"
  )

  const insert = (finding: Compliance.Finding) =>
    Effect.gen(function* () {
      const rows = yield* sql`
        INSERT INTO compliance_findings (id, customer_id, framework, control_id, title, severity, status, resource,
          detected_at, resolved_at)
        VALUES (${finding.id}, ${finding.customerId}, ${finding.framework}, ${finding.controlId}, ${finding.title},
          ${finding.severity}, ${finding.status}, ${finding.resource}, ${DateTime.formatIso(finding.detectedAt)},
          ${finding.resolvedAt === null ? null : DateTime.formatIso(finding.resolvedAt)})
        RETURNING ${columns}`.pipe(mapWrite("compliance_finding", finding.id, "insert"))
      return yield* mapRead("ComplianceRepo.insert")(toFinding(rows[0]))
    }).pipe(Effect.withSpan("ComplianceRepo.insert"))

  const list = (filter: ComplianceRepo.FindingFilter) => {
    const clauses = [
      ...(filter.framework === undefined ? [] : [sql`framework = ${filter.framework}`]),
      ...(filter.status === undefined ? [] : [sql`status = ${filter.status}`]),
      ...(filter.severity === undefined ? [] : [sql`severity = ${filter.severity}`])
    ]
    return mapRead("ComplianceRepo.list")(
      Effect.flatMap(
        sql`SELECT ${columns} FROM compliance_findings
            ${clauses.length === 0 ? sql.unsafe("") : sql`WHERE ${sql.and(clauses)}`}
            ORDER BY detected_at DESC, id`,
        (rows) => Effect.forEach(rows, toFinding)
      )
    ).pipe(Effect.withSpan("ComplianceRepo.list"))
  }

  const ingest = (findings: ReadonlyArray<Compliance.Finding>) =>
    Effect.gen(function* () {
      const values: Array<Record<string, unknown>> = findings.map((f) => ({
        id: f.id,
        customer_id: f.customerId,
        framework: f.framework,
        control_id: f.controlId,
        title: f.title,
        severity: f.severity,
        status: f.status,
        resource: f.resource,
        detected_at: DateTime.formatIso(f.detectedAt),
        resolved_at: f.resolvedAt === null ? null : DateTime.formatIso(f.resolvedAt)
      }))
      if (!Arr.isReadonlyArrayNonEmpty(values)) return []
      const rows = yield* sql`
        INSERT INTO compliance_findings ${sql.insert(values)}
        ON CONFLICT (id) DO NOTHING
        RETURNING id::text`.pipe(
        mapWrite("compliance_finding", findings[0]!.id, "insert"),
        // ON CONFLICT DO NOTHING: a unique violation cannot happen here.
        Effect.catchTag("AlreadyExists", Effect.die)
      )
      return rows.map((r) => (r as { id: string }).id as Compliance.FindingId)
    }).pipe(Effect.withSpan("ComplianceRepo.ingest"))

  const resolve = (id: Compliance.FindingId, status: "resolved" | "accepted", at: DateTime.Utc) =>
    Effect.gen(function* () {
      const found = yield* mapRead("ComplianceRepo.resolve")(
        sql`SELECT ${columns} FROM compliance_findings WHERE id = ${id} FOR UPDATE`
      )
      if (found.length === 0)
        return yield* new PersistenceError.NotFound({ entity: "compliance_finding", key: id })
      const before = yield* mapRead("ComplianceRepo.resolve")(toFinding(found[0]))
      const rows = yield* mapRead("ComplianceRepo.resolve")(sql`
        UPDATE compliance_findings SET status = ${status}, resolved_at = coalesce(resolved_at, ${DateTime.formatIso(at)})
        WHERE id = ${id} RETURNING ${columns}`)
      return { before, after: yield* mapRead("ComplianceRepo.resolve")(toFinding(rows[0])) }
    }).pipe(Effect.withSpan("ComplianceRepo.resolve"))

  return ComplianceRepo.ComplianceRepo.of({ insert, ingest, resolve, list })
})

/** `ComplianceRepo` on the current `SqlClient`. */
export const layer: Layer.Layer<ComplianceRepo.ComplianceRepo, never, SqlClient.SqlClient> = Layer.effect(
  ComplianceRepo.ComplianceRepo,
  make
)
