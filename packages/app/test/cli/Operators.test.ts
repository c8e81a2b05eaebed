/**
 * `securebase operators create|list|revoke` as processes on one embedded database directory: the
 * key is printed once and authenticates, the listing never shows a secret, a revoked operator's
 * key is refused, and bad input exits 2 (an unknown operator 1).
 */
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { type Operator, Operators } from "@securebase/core"
import { ConfigProvider, Effect } from "effect"
import * as ServerConfig from "../../src/Config.ts"
import { servicesLayer } from "../../src/Layers.ts"
import { securebase } from "../support/Cli.ts"

/** Authenticates `key` against the database in `dir`, in this process. */
const authenticateIn = (dir: string, key: string) =>
  Effect.gen(function* () {
    const config = yield* ServerConfig.load.pipe(
      Effect.provideService(
        ConfigProvider.ConfigProvider,
        ConfigProvider.fromEnv({ env: { PGLITE_DATA_DIR: dir } })
      ),
      Effect.orDie
    )
    return yield* Effect.exit(
      Operators.Operators.use((o) => o.authenticate(key)).pipe(Effect.provide(servicesLayer(config)))
    )
  })

describe("securebase operators", () => {
  it.effect(
    "create prints the key once; list shows no secret; revoke stops the key; bad input exits 2",
    () =>
      Effect.gen(function* () {
        const dir = yield* Effect.promise(() => mkdtemp(join(tmpdir(), "sb-operators-")))
        const env = { PGLITE_DATA_DIR: join(dir, "db") }
        try {
          const help = yield* securebase(["operators", "--help"], env)
          assert.strictEqual(help.code, 0)
          assert.include(help.stdout, "create")

          const created = yield* securebase(
            ["operators", "create", "--name", "Ada", "--scopes", "customers:read,customers:write"],
            env
          )
          assert.strictEqual(created.code, 0, created.stderr)
          const key = /key\s+(sb_op_[a-z2-7]{16}_[a-z2-7]{52})/.exec(created.stdout)?.[1]
          assert.isDefined(key, created.stdout)
          const id = key!.split("_")[2] as Operator.OperatorId
          const secret = key!.split("_")[3]!

          const ok = yield* authenticateIn(env.PGLITE_DATA_DIR, key!)
          assert.strictEqual(ok._tag, "Success")

          const listed = yield* securebase(["operators", "list"], env)
          assert.strictEqual(listed.code, 0, listed.stderr)
          assert.include(listed.stdout, id)
          assert.include(listed.stdout, "[customers:read,customers:write]")
          assert.notInclude(listed.stdout, secret)

          const revoked = yield* securebase(["operators", "revoke", id], env)
          assert.strictEqual(revoked.code, 0, revoked.stderr)
          assert.include(revoked.stdout, "REVOKED")
          const refused = yield* authenticateIn(env.PGLITE_DATA_DIR, key!)
          assert.strictEqual(refused._tag, "Failure")

          const unknown = yield* securebase(["operators", "revoke", "aaaaaaaaaaaaaaaa"], env)
          assert.strictEqual(unknown.code, 1)
          assert.include(unknown.stderr, "no operator aaaaaaaaaaaaaaaa")

          const badScope = yield* securebase(
            ["operators", "create", "--name", "x", "--scopes", "api_keys:write"],
            env
          )
          assert.strictEqual(badScope.code, 2)
          assert.include(badScope.stderr, "invalid operator")
          const badId = yield* securebase(["operators", "revoke", "not-an-id"], env)
          assert.strictEqual(badId.code, 2)
          const missing = yield* securebase(["operators", "create", "--name", "x"], env)
          assert.strictEqual(missing.code, 2)
        } finally {
          yield* Effect.promise(() => rm(dir, { recursive: true, force: true }))
        }
      }),
    240_000
  )
})
