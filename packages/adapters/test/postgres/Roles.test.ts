/**
 * The roles: the owner cannot log in (a login as the owner could `DISABLE TRIGGER` the audit
 * trail's guards), migrations run through the migrator login, which holds none of the owner's
 * rights until it switches to it, and the bootstrap repairs an owner an older version made LOGIN.
 */
import { PgClient } from "@effect/sql-pg"
import { assert } from "@effect/vitest"
import { Cause, Effect, Exit, Redacted } from "effect"
import { SqlClient } from "effect/sql"
import * as Migrator from "../../src/postgres/Migrator.ts"
import * as Migrations from "../../src/postgres/migrations/index.ts"
import * as Roles from "../../src/postgres/Roles.ts"
import { suite } from "./support/TestDatabase.ts"

interface RoleRow {
  readonly name: string
  readonly login: boolean
  readonly inherit: boolean
  readonly member_of_owner: boolean
}

const roles = Effect.flatMap(
  SqlClient.SqlClient,
  (sql) => sql<RoleRow>`
    SELECT r.rolname AS name, r.rolcanlogin AS login, r.rolinherit AS inherit,
           pg_has_role(r.rolname, ${Roles.owner}, 'MEMBER') AS member_of_owner
    FROM pg_roles r WHERE r.rolname IN (${Roles.owner}, ${Roles.migrator}, ${Roles.app}, ${Roles.worker})
    ORDER BY r.rolname`
)

const urlFor = (database: string, user?: string): string => {
  const url = new URL(process.env.DATABASE_URL ?? "")
  url.pathname = `/${database}`
  if (user !== undefined) {
    url.username = user
    url.password = ""
  }
  return url.toString()
}

const client = (url: string) =>
  PgClient.layer({ url: Redacted.make(url), maxConnections: 1, applicationName: "securebase-test" })

suite("Roles", (it, kind) => {
  it.effect("the owner is NOLOGIN; the migrator is a NOINHERIT login and a member of the owner", () =>
    Effect.gen(function* () {
      assert.deepStrictEqual(
        (yield* roles).map((r) => [r.name, r.login, r.inherit, r.member_of_owner]),
        [
          [Roles.app, true, true, false],
          [Roles.migrator, true, false, true],
          [Roles.owner, false, true, true],
          [Roles.worker, true, true, false]
        ]
      )
    })
  )

  // Regression (issue 10): the owner role could log in.
  it.effect("an owner left LOGIN by an earlier version is made NOLOGIN by the bootstrap", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      yield* sql.unsafe(`ALTER ROLE ${Roles.owner} LOGIN`)
      yield* Roles.bootstrap
      const owner = (yield* roles).find((r) => r.name === Roles.owner)!
      assert.isFalse(owner.login)
    }).pipe(
      // Roles are cluster-wide: never leave the owner able to log in, whatever happened above.
      Effect.ensuring(
        Effect.orDie(
          Effect.flatMap(SqlClient.SqlClient, (sql) => sql.unsafe(`ALTER ROLE ${Roles.owner} NOLOGIN`))
        )
      )
    )
  )

  if (kind === "server") {
    it.effect("logging in as the owner is refused by the server", () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        const [db] = yield* sql<{ name: string }>`SELECT current_database() AS name`
        const exit = yield* Effect.exit(
          Effect.scoped(
            Effect.provide(
              SqlClient.SqlClient.use((owner) => owner`SELECT 1`),
              client(urlFor(db!.name, Roles.owner))
            )
          )
        )
        assert.isTrue(Exit.isFailure(exit))
        assert.include(Exit.isFailure(exit) ? Cause.pretty(exit.cause) : "", "not permitted to log in")
      })
    )

    it.effect(
      "the migrator login migrates a fresh database for the owner, and without switching reads nothing",
      () =>
        Effect.gen(function* () {
          const sql = yield* SqlClient.SqlClient
          const name = `sb_test_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`
          yield* Effect.acquireRelease(sql.unsafe(`CREATE DATABASE ${name}`), () =>
            Effect.orDie(sql.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))
          )
          // An administrator bootstraps the cluster's roles and the database's schema grant once…
          yield* Effect.scoped(Effect.provide(Roles.bootstrap, client(urlFor(name))))
          // …then every migration runs through the migrator login.
          const migrator = client(urlFor(name, Roles.migrator))
          const applied = yield* Effect.scoped(Effect.provide(Migrator.run(), migrator))
          assert.deepStrictEqual(
            applied,
            Migrations.all.map((m) => m.id)
          )
          const [owned] = yield* Effect.scoped(
            Effect.provide(
              SqlClient.SqlClient.use(
                (m) =>
                  m<{
                    owner: string
                  }>`SELECT tableowner AS owner FROM pg_tables WHERE tablename = 'audit_events'`
              ),
              migrator
            )
          )
          assert.strictEqual(owned!.owner, Roles.owner)
          const direct = yield* Effect.scoped(
            Effect.provide(
              Effect.flip(SqlClient.SqlClient.use((m) => m`SELECT count(*) FROM audit_events`)),
              migrator
            )
          )
          assert.strictEqual(direct.reason._tag, "AuthorizationError")
        }).pipe(Effect.scoped),
      120_000
    )
  }
})
