/**
 * Prod accepted a superuser database login: `PgLoginCheck.refuseUnsafeLogin` now refuses any
 * login that row-level security would not bind (superuser, BYPASSRLS, the schema's owner), asked
 * of `pg_roles` on the real server, and accepts the application and worker roles.
 */
import { assert } from "@effect/vitest"
import { Effect, Exit } from "effect"
import { SqlClient } from "effect/sql"
import * as PgLoginCheck from "../../src/postgres/PgLoginCheck.ts"
import * as Roles from "../../src/postgres/Roles.ts"
import { suite, TestDatabase } from "./support/TestDatabase.ts"

const verdict = (role: string | undefined) =>
  Effect.flatMap(TestDatabase, (db) =>
    db.asLogin(
      role,
      Effect.exit(PgLoginCheck.refuseUnsafeLogin).pipe(
        Effect.map((exit) =>
          Exit.isSuccess(exit)
            ? "accepted"
            : exit.cause.reasons
                .flatMap((r) =>
                  r._tag === "Fail" && r.error._tag === "UnsafeDatabaseLogin" ? [r.error.message] : []
                )
                .join("; ") || "other failure"
        )
      )
    )
  )

suite("PgLoginCheck", (it, kind) => {
  it.effect("the test's own login (a superuser) is refused, with the reason and the fix", () =>
    Effect.gen(function* () {
      const message = yield* verdict(undefined)
      assert.match(message, /refusing to run as database login ".+": it is a superuser/)
      assert.include(message, `Log in as ${Roles.app} (the API) or ${Roles.worker} (the jobs)`)
    })
  )

  if (kind === "server") {
    it.effect("the application and worker roles are accepted; the owner is refused", () =>
      Effect.gen(function* () {
        assert.strictEqual(yield* verdict(Roles.app), "accepted")
        assert.strictEqual(yield* verdict(Roles.worker), "accepted")
        assert.match(yield* verdict(Roles.owner), /it owns the schema \(securebase_owner\)/)
      })
    )

    it.effect("a BYPASSRLS login, and a login that is a member of the owner, are refused", () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        const suffix = crypto.randomUUID().replaceAll("-", "").slice(0, 12)
        const bypass = `sb_test_bypass_${suffix}`
        const member = `sb_test_member_${suffix}`
        yield* Effect.acquireRelease(
          Effect.andThen(
            sql.unsafe(`CREATE ROLE ${bypass} LOGIN BYPASSRLS`),
            Effect.andThen(
              sql.unsafe(`CREATE ROLE ${member} LOGIN`),
              sql.unsafe(`GRANT ${Roles.owner} TO ${member}`)
            )
          ),
          () => Effect.orDie(sql.unsafe(`DROP ROLE IF EXISTS ${bypass}, ${member}`))
        )
        assert.match(yield* verdict(bypass), /it has BYPASSRLS/)
        assert.match(yield* verdict(member), /it owns the schema/)
      }).pipe(Effect.scoped)
    )
  }
})
