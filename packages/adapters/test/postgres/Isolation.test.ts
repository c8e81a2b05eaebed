/**
 * The isolation property: random customers doing random operations on every tenant table, through
 * the application role (`Tenancy.runAs`) and through a connection made as the table owner with a
 * tenant set. A model counts each customer's rows; after every operation the database must agree
 * with it. A customer never reads, updates or deletes another's rows; inserting a row for another
 * customer fails with a typed error; and with no tenant context every table reads empty.
 */
import { assert } from "@effect/vitest"
import { type Ids, PersistenceError } from "@securebase/core"
import { Effect } from "effect"
import { SqlClient } from "effect/sql"
import type { SqlError } from "effect/sql/SqlError"
import * as fc from "fast-check"
import { tenantTables } from "../../src/postgres/migrations/index.ts"
import * as PgTenancy from "../../src/postgres/PgTenancy.ts"
import * as Roles from "../../src/postgres/Roles.ts"
import { mapWrite } from "../../src/postgres/SqlErrors.ts"
import * as Fixtures from "./support/Fixtures.ts"
import { suite, TestDatabase } from "./support/TestDatabase.ts"

/** A random API key id: 16 base32 characters. */
const keyId = (): string =>
  Array.from(
    crypto.getRandomValues(new Uint8Array(16)),
    (b) => "abcdefghijklmnopqrstuvwxyz234567"[b % 32]
  ).join("")

type Privilege = "SELECT" | "INSERT" | "UPDATE" | "DELETE"

interface TableSpec {
  readonly table: string
  readonly column: string
  /** What the app role is granted (mirrors migration 0003; a mismatch fails the property). */
  readonly app: ReadonlyArray<Privilege>
  /** An assignment that changes nothing but still counts as an update of the row. */
  readonly touch: string
  /** Whether the property deletes from this table (not customers: other rows reference them). */
  readonly deletable: boolean
  /** Inserts one row for `customer`; `n` makes keys unique. */
  readonly insert: (
    sql: SqlClient.SqlClient,
    customer: Ids.CustomerId,
    n: number,
    invoice: string
  ) => Effect.Effect<unknown, SqlError>
}

const specs: ReadonlyArray<TableSpec> = [
  {
    table: "customers",
    column: "id",
    app: ["SELECT", "INSERT", "UPDATE", "DELETE"],
    touch: "name = name",
    deletable: false,
    // A customer row for another customer's id: only its id decides the tenant.
    insert: (sql, c) =>
      sql`INSERT INTO customers (id, name, email, plan) VALUES (${c}, 'X', 'x@x.test', 'standard')`
  },
  {
    table: "api_keys",
    column: "customer_id",
    app: ["SELECT", "INSERT", "UPDATE", "DELETE"],
    touch: "name = name",
    deletable: true,
    insert: (sql, c) =>
      Effect.flatMap(
        Effect.sync(keyId),
        (id) =>
          sql`INSERT INTO api_keys (id, customer_id, name, mode, prefix, secret_hash, scopes, created_at)
            VALUES (${id}, ${c}, 'ci', 'live', ${`sb_live_${id}`}, ${"ab".repeat(32)}, '{usage:write}', now())`
      )
  },
  {
    table: "usage_events",
    column: "customer_id",
    app: ["SELECT", "INSERT"],
    touch: "quantity = quantity",
    deletable: true,
    insert: (sql, c, n) =>
      sql`INSERT INTO usage_events (customer_id, event_id, metric, occurred_at, quantity)
          VALUES (${c}, ${`evt-${n}`}, 'api_calls', now(), 1)`
  },
  {
    table: "invoices",
    column: "customer_id",
    app: ["SELECT", "INSERT", "UPDATE"],
    touch: "payment_reference = payment_reference",
    deletable: false,
    insert: (sql, c, n) =>
      sql`INSERT INTO invoices (id, customer_id, plan, period, currency, price_book_id, subtotal, discount,
            taxable, tax, total, net_days, created_at)
          VALUES (gen_random_uuid(), ${c}, 'standard', ${`${1000 + n}-01`}, 'USD', 'book', 0, 0, 0, 0, 0, 30, now())`
  },
  {
    table: "invoice_lines",
    column: "customer_id",
    app: ["SELECT", "INSERT"],
    touch: "description = description",
    deletable: true,
    insert: (sql, c, n, invoice) =>
      sql`INSERT INTO invoice_lines (invoice_id, customer_id, position, code, description, kind, quantity,
            included, billable, pricing, amount, discount)
          VALUES (${invoice}, ${c}, ${n}, 'base', 'Base', 'flat', 1, 0, 1, 'flat', 100, 0)`
  },
  {
    table: "audit_events",
    column: "customer_id",
    app: ["SELECT", "INSERT"],
    touch: "actor = actor",
    deletable: true,
    insert: (sql, c) =>
      sql`INSERT INTO audit_events (customer_id, action, actor, occurred_at) VALUES (${c}, 'test.op', 'prop', now())`
  },
  {
    table: "support_tickets",
    column: "customer_id",
    app: ["SELECT", "INSERT", "UPDATE", "DELETE"],
    touch: "description = description",
    deletable: true,
    insert: (sql, c) =>
      sql`INSERT INTO support_tickets (id, customer_id, subject, description, first_response_due_at)
          VALUES (gen_random_uuid(), ${c}, 'Help me', 'Details', now())`
  },
  {
    table: "notifications",
    column: "customer_id",
    app: ["SELECT", "INSERT"],
    touch: "attempts = attempts",
    deletable: true,
    insert: (sql, c) =>
      sql`INSERT INTO notifications (id, customer_id, channel, template, recipient)
          VALUES (gen_random_uuid(), ${c}, 'email', 'invoice_issued', 'x@x.test')`
  },
  {
    table: "compliance_findings",
    column: "customer_id",
    app: ["SELECT", "INSERT", "UPDATE", "DELETE"],
    touch: "title = title",
    deletable: true,
    insert: (sql, c) =>
      sql`INSERT INTO compliance_findings (id, customer_id, framework, control_id, title, severity, detected_at)
          VALUES (gen_random_uuid(), ${c}, 'SOC2', 'CC6.1', 'MFA', 'high', now())`
  }
]

type Via = "app" | "owner"
type Op =
  | {
      readonly _tag: "insert"
      readonly via: Via
      readonly actor: number
      readonly target: number
      readonly table: number
    }
  | { readonly _tag: "select"; readonly via: Via; readonly actor: number; readonly table: number }
  | {
      readonly _tag: "update"
      readonly via: Via
      readonly actor: number
      readonly target: number
      readonly table: number
    }
  | {
      readonly _tag: "delete"
      readonly via: Via
      readonly actor: number
      readonly target: number
      readonly table: number
    }

const customers = 3
const index = fc.nat({ max: customers - 1 })
const table = fc.nat({ max: specs.length - 1 })
const via = fc.constantFrom<Via>("app", "owner")
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ _tag: fc.constant("insert" as const), via, actor: index, target: index, table }),
  fc.record({ _tag: fc.constant("select" as const), via, actor: index, table }),
  fc.record({ _tag: fc.constant("update" as const), via, actor: index, target: index, table }),
  fc.record({ _tag: fc.constant("delete" as const), via, actor: index, target: index, table })
)

/** What the operation must produce: a typed refusal, or the rows it touched or saw. */
type Outcome = "TenantAccessDenied" | "AlreadyExists" | { readonly rows: number }

const privilegeOf = (o: Op): Privilege =>
  o._tag === "insert" ? "INSERT" : o._tag === "select" ? "SELECT" : o._tag === "update" ? "UPDATE" : "DELETE"

const expected = (o: Op, spec: TableSpec, owned: (table: string, customer: number) => number): Outcome => {
  // The owner holds every privilege on its tables; the app only what it was granted.
  if (o.via === "app" && !spec.app.includes(privilegeOf(o))) return "TenantAccessDenied"
  switch (o._tag) {
    case "select":
      return { rows: owned(spec.table, o.actor) }
    case "insert":
      // Row-level security checks the new row before the unique index sees it.
      if (o.actor !== o.target) return "TenantAccessDenied"
      return spec.table === "customers" ? "AlreadyExists" : { rows: 1 }
    case "update":
    case "delete": {
      const rows = o.actor === o.target ? owned(spec.table, o.target) : 0
      // Reached only by the owner: the append-only triggers refuse it, if there is a row to touch.
      if (spec.table === "audit_events" && rows > 0) return "TenantAccessDenied"
      return { rows }
    }
  }
}

suite("Row-level security isolation", (it) => {
  it.effect("the migration protects exactly the tables this property exercises", () =>
    Effect.sync(() => {
      assert.sameMembers(
        tenantTables.map((t) => t.table),
        specs.map((s) => s.table)
      )
    })
  )

  it.effect(
    "random customers and operations: no cross-tenant read, update, delete or insert, via the app or the owner",
    () =>
      Effect.gen(function* () {
        const context = yield* Effect.context<SqlClient.SqlClient | TestDatabase>()
        const run = Effect.runPromiseWith(context)
        let serial = 0
        const property = fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 14 }), (ops) =>
          run(
            Effect.gen(function* () {
              const sql = yield* SqlClient.SqlClient
              const db = yield* TestDatabase
              const tenancy = yield* PgTenancy.make
              const ids = Array.from({ length: customers }, () => Fixtures.customerId())
              const model = new Map<string, number>()
              const owned = (t: string, c: number) => model.get(`${t}/${c}`) ?? 0
              const add = (t: string, c: number, n: number) => model.set(`${t}/${c}`, owned(t, c) + n)
              // Each customer starts with a row in every table.
              const invoices: Array<string> = []
              for (let c = 0; c < customers; c++) {
                const id = ids[c]!
                const invoice = crypto.randomUUID()
                invoices.push(invoice)
                yield* tenancy.runAs(
                  id,
                  Effect.gen(function* () {
                    yield* specs[0]!.insert(sql, id, 0, invoice)
                    yield* sql`INSERT INTO invoices (id, customer_id, plan, period, currency, price_book_id, subtotal,
                                 discount, taxable, tax, total, net_days, created_at)
                               VALUES (${invoice}, ${id}, 'standard', '2026-10', 'USD', 'book', 0, 0, 0, 0, 0, 30, now())`
                    for (const spec of specs.slice(1)) {
                      if (spec.table !== "invoices") {
                        yield* spec.insert(sql, id, ++serial, invoice)
                      }
                    }
                  })
                )
                for (const spec of specs) add(spec.table, c, 1)
              }

              for (const o of ops) {
                const spec = specs[o.table]!
                if (o._tag === "delete" && !spec.deletable) continue
                const actor = ids[o.actor]!
                const target = o._tag === "select" ? actor : ids[o.target]!
                const statement = (client: SqlClient.SqlClient): Effect.Effect<number, SqlError> => {
                  switch (o._tag) {
                    case "insert":
                      return Effect.as(spec.insert(client, target, ++serial, invoices[o.target]!), 1)
                    case "select":
                      return Effect.flatMap(
                        client<{
                          owner: string
                        }>`SELECT ${client(spec.column)}::text AS owner FROM ${client(spec.table)}`,
                        (rows) => {
                          assert.isTrue(
                            rows.every((r) => r.owner === actor),
                            `${spec.table}: saw another's row`
                          )
                          return Effect.succeed(rows.length)
                        }
                      )
                    case "update":
                      return Effect.map(
                        client`UPDATE ${client(spec.table)} SET ${client.unsafe(spec.touch)}
                               WHERE ${client(spec.column)} = ${target} RETURNING 1`,
                        (rows) => rows.length
                      )
                    case "delete":
                      return Effect.map(
                        client`DELETE FROM ${client(spec.table)} WHERE ${client(spec.column)} = ${target} RETURNING 1`,
                        (rows) => rows.length
                      )
                  }
                }
                // Driver errors are mapped exactly as the repositories map them.
                const typed = (effect: Effect.Effect<number, SqlError>) =>
                  mapWrite(spec.table, target, o._tag)(effect)
                const result = yield* Effect.result<number, unknown, never>(
                  o.via === "app"
                    ? tenancy.runAs(actor, typed(statement(sql)))
                    : db.asLogin(
                        Roles.owner,
                        Effect.flatMap(SqlClient.SqlClient, (owner) =>
                          owner.withTransaction(
                            Effect.andThen(
                              owner`SELECT set_config('app.customer_id', ${actor}, true)`,
                              typed(statement(owner))
                            )
                          )
                        )
                      )
                )
                const want = expected(o, spec, owned)
                const got: Outcome | string =
                  result._tag === "Success"
                    ? { rows: result.success }
                    : result.failure instanceof PersistenceError.TenantAccessDenied
                      ? "TenantAccessDenied"
                      : result.failure instanceof PersistenceError.AlreadyExists
                        ? "AlreadyExists"
                        : `unexpected ${String((result.failure as { _tag?: string })._tag)}`
                assert.deepStrictEqual(got, want, `${JSON.stringify(o)} on ${spec.table}`)
                if (typeof want !== "string") {
                  if (o._tag === "insert") add(spec.table, o.target, 1)
                  if (o._tag === "delete") add(spec.table, o.target, -want.rows)
                }
              }

              // No tenant context: the app and the owner both see nothing, in every table. (The
              // owner cannot log in: its session is the migrator's, switched to the owner.)
              for (const role of [Roles.app, Roles.owner]) {
                const [user, counts] = yield* db.asLogin(
                  role,
                  Effect.flatMap(SqlClient.SqlClient, (client) =>
                    Effect.all([
                      Effect.map(client<{ u: string }>`SELECT current_user AS u`, (r) => r[0]!.u),
                      Effect.forEach(specs, (spec) =>
                        Effect.map(
                          client<{ n: string }>`SELECT count(*)::text AS n FROM ${client(spec.table)}`,
                          (r) => Number(r[0]!.n)
                        )
                      )
                    ])
                  )
                )
                assert.strictEqual(user, role)
                assert.deepStrictEqual(
                  counts,
                  specs.map(() => 0),
                  `${role} without a tenant`
                )
              }
            })
          )
        )
        yield* Effect.promise(() => fc.assert(property, { numRuns: 12 }))
      }),
    60_000
  )
})
