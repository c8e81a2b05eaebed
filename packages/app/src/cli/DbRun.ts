/**
 * Running `securebase db migrate` and `securebase db seed` (see `Db.ts`). Imported only when one of
 * them runs (`Lazy`).
 */
import { PgDatabase, PgMigrator, PgRoles } from "@securebase/adapters"
import { Console, Effect, Layer, Option } from "effect"
import * as ServerConfig from "../Config.ts"
import * as DemoData from "../demo/DemoData.ts"
import { databaseConfig, servicesLayer } from "../Layers.ts"
import * as CliExit from "./CliExit.ts"

const requireDatabase = (config: ServerConfig.ServerConfig, command: string) =>
  Option.isNone(config.databaseUrl) && Option.isNone(config.pgliteDataDir)
    ? Effect.fail(
        CliExit.usage(
          `${command}: no database. Set DATABASE_URL (PostgreSQL) or PGLITE_DATA_DIR (embedded, on disk); ` +
            "the in-memory default lives only inside one process (npm start migrates and seeds it itself)."
        )
      )
    : Effect.void

/** Runs `db migrate`. */
export const migrate = () =>
  Effect.gen(function* () {
    const config = yield* ServerConfig.load
    yield* requireDatabase(config, "db migrate")
    const program = Effect.gen(function* () {
      yield* PgRoles.bootstrap.pipe(
        // A login without CREATEROLE can still migrate once an administrator has created the roles.
        Effect.catchTag("SqlError", (e) =>
          e.reason._tag === "AuthorizationError"
            ? Console.log("roles: not privileged to create roles; assuming they exist")
            : Effect.fail(e)
        )
      )
      const applied = yield* PgMigrator.run()
      yield* Console.log(
        applied.length === 0 ? "migrations: up to date" : `migrations: applied ${applied.join(", ")}`
      )
    })
    yield* Effect.provide(program, PgDatabase.clientLayer(databaseConfig(config))).pipe(
      Effect.catchTag("MigrationChecksumMismatch", (e) =>
        Effect.fail(
          CliExit.error(
            `migration ${e.id} (${e.name}) was edited after it was applied: applied migrations are never edited; add a new one`
          )
        )
      )
    )
  })

/** Runs `db seed` with its parsed flags. */
export const seed = ({ revokePrevious }: { readonly revokePrevious: boolean }) =>
  Effect.gen(function* () {
    const config = yield* ServerConfig.load
    if (config.profile !== "dev") {
      return yield* CliExit.usage(
        `db seed is for dev (demo keys are printed in the clear); SECUREBASE_ENV is ${config.profile}`
      )
    }
    yield* requireDatabase(config, "db seed")
    const tenants = yield* Effect.provide(
      DemoData.seedWithKeys({ revokePrevious }),
      Layer.fresh(servicesLayer(config))
    )
    const where = Option.isSome(config.databaseUrl)
      ? "DATABASE_URL"
      : config.pgliteDataDir.pipe(Option.getOrElse(() => ""))
    yield* Console.log(
      `Seeded ${tenants.length} demo tenants in ${where}. API keys (shown once, every scope):`
    )
    for (const t of tenants)
      yield* Console.log(`  ${t.customer.plan.padEnd(12)} ${t.customer.name.padEnd(24)} ${t.apiKey}`)
    yield* Console.log(
      revokePrevious
        ? "Earlier demo keys were revoked."
        : "Earlier demo keys still work (--revoke-previous revokes them)."
    )
  })
