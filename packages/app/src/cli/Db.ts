/**
 * `securebase db migrate` and `securebase db seed`.
 *
 * Both act on the database the configuration names: `DATABASE_URL` (PostgreSQL), else the embedded
 * PGlite in `PGLITE_DATA_DIR`. The embedded default of the server is in memory and lives only
 * inside one process, so these commands refuse to run without one of the two.
 */
import { Command, Flag } from "effect/cli"
import * as Lazy from "./Lazy.ts"

/** `db migrate`: bootstraps the roles (when privileged to) and applies pending migrations. */
export const migrate = Command.make(
  "migrate",
  {},
  Lazy.handler(
    () => import("./DbRun.ts"),
    (m) => m.migrate
  )
).pipe(
  Command.withDescription(
    "Create the database roles (when privileged to) and apply pending migrations to DATABASE_URL, or to the embedded PGlite in PGLITE_DATA_DIR."
  )
)

/** `db seed`: the demo tenants and a fresh key for each. */
export const seed = Command.make(
  "seed",
  {
    revokePrevious: Flag.Boolean("revoke-previous").pipe(
      Flag.withDescription("Revoke the demo keys issued by earlier seeds before issuing new ones."),
      Flag.withDefault(false)
    )
  },
  Lazy.handler(
    () => import("./DbRun.ts"),
    (m) => m.seed
  )
).pipe(
  Command.withDescription(
    "Create the demo tenants if missing (one per reference plan, with three months of history) and print a new API key for each. Dev only."
  )
)

/** `db`: the database's commands. */
export const command = Command.make("db").pipe(
  Command.withDescription("Database: migrations and demo data."),
  Command.withSubcommands([migrate, seed])
)
