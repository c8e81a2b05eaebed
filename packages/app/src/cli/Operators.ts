/**
 * `securebase operators create|list|revoke`: operator credentials for the `/admin` endpoints.
 *
 * - `create --name <name> --scopes customers:read,customers:write` prints the new operator and its
 *   key `sb_op_<id>_<secret>` once (only its SHA-256 is kept);
 * - `list` prints every operator, never a secret;
 * - `revoke <id>` revokes one: its key stops at the next request.
 *
 * The operators table is not the application's to write: run these with a login that may become
 * the owner role (the migrator, or the embedded database's own connection). Exit codes: 0 done;
 * 1 no such operator; 2 bad arguments; 3 could not run (configuration, database, a login without
 * the owner's rights).
 */

import { PgOperatorStore, Sha256ApiKeySecrets } from "@securebase/adapters"
import { Operator, Operators } from "@securebase/core"
import { Console, DateTime, Effect, Layer, Option, Redacted, Schema } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import * as ServerConfig from "../Config.ts"
import { dataLayer } from "../Layers.ts"
import * as CliExit from "./CliExit.ts"

/** The operator service on the configured database. */
const operatorsLayer = (config: ServerConfig.ServerConfig) =>
  Operators.Operators.layer.pipe(
    Layer.provide(Layer.merge(PgOperatorStore.layer, Sha256ApiKeySecrets.layer)),
    Layer.provide(dataLayer(config))
  )

const withOperators = <A, E>(effect: Effect.Effect<A, E, Operators.Operators>) =>
  Effect.gen(function* () {
    const config = yield* ServerConfig.load
    if (Option.isNone(config.databaseUrl) && Option.isNone(config.pgliteDataDir))
      yield* Console.error(
        "note: no DATABASE_URL or PGLITE_DATA_DIR; the operator lives in an in-memory database"
      )
    return yield* Effect.provide(effect, operatorsLayer(config))
  })

const backend = (e: { readonly operation: string }) =>
  CliExit.error(
    `the operator store refused ${e.operation}: is this login allowed to become the owner role (the migrator login)?`
  )

const describe = (o: Operator.Operator) =>
  `${o.id}  ${o.name}  [${o.scopes.join(",")}]  created ${DateTime.formatIso(o.createdAt)}` +
  (o.revokedAt === undefined ? "" : `  REVOKED ${DateTime.formatIso(o.revokedAt)}`)

/** `operators create`. */
export const createCommand = Command.make(
  "create",
  {
    name: Flag.String("name").pipe(Flag.withDescription("Who the operator is (one line, 1-100 characters).")),
    scopes: Flag.String("scopes").pipe(
      Flag.withDescription(`Comma-separated operator scopes: ${Operator.allScopes.join(", ")}.`)
    )
  },
  ({ name, scopes }) =>
    withOperators(
      Effect.gen(function* () {
        const operators = yield* Operators.Operators
        const created = yield* operators.create({
          name,
          scopes: scopes
            .split(",")
            .map((s) => s.trim())
            .filter((s) => s !== "")
        })
        yield* Console.log(
          [
            `Created operator ${created.operator.id} (${created.operator.name})`,
            `  scopes  ${created.operator.scopes.join(", ")}`,
            `  key     ${Redacted.value(created.plaintext)}`,
            "Store this key now: it is shown once and cannot be recovered."
          ].join("\n")
        )
      })
    ).pipe(
      Effect.catchTags({
        InvalidOperator: (e) => Effect.fail(CliExit.usage(e.message)),
        AuthBackendUnavailable: (e) => Effect.fail(backend(e))
      })
    )
).pipe(Command.withDescription("Create an operator and print its key (sb_op_…) once."))

/** `operators list`. */
export const listCommand = Command.make("list", {}, () =>
  withOperators(
    Effect.gen(function* () {
      const all = yield* (yield* Operators.Operators).list
      for (const o of all) yield* Console.log(describe(o))
      yield* Console.log(`${all.length} operator${all.length === 1 ? "" : "s"}`)
    })
  ).pipe(Effect.catchTags({ AuthBackendUnavailable: (e) => Effect.fail(backend(e)) }))
).pipe(Command.withDescription("List every operator (never a secret)."))

/** `operators revoke <id>`. */
export const revokeCommand = Command.make(
  "revoke",
  {
    id: Argument.String("id").pipe(
      Argument.withDescription("The operator's id (the part after sb_op_)."),
      Argument.filter(
        (raw) => Schema.is(Operator.OperatorId)(raw),
        (raw) => `expected an operator id (16 base32 characters), got ${JSON.stringify(raw)}`
      ),
      Argument.map((raw) => raw as Operator.OperatorId)
    )
  },
  ({ id }) =>
    withOperators(
      Effect.gen(function* () {
        const revoked = yield* (yield* Operators.Operators).revoke(id)
        yield* Console.log(`Revoked ${describe(revoked)}`)
      })
    ).pipe(
      Effect.catchTags({
        OperatorNotFound: (e) =>
          Effect.fail(new CliExit.CliExit({ code: CliExit.ExitCode.attention, message: e.message })),
        AuthBackendUnavailable: (e) => Effect.fail(backend(e))
      })
    )
).pipe(Command.withDescription("Revoke an operator: its key stops at the next request."))

/** `operators`. */
export const command = Command.make("operators").pipe(
  Command.withDescription(
    "Operator credentials for the /admin endpoints (run with a login that may become the owner role)."
  ),
  Command.withSubcommands([createCommand, listCommand, revokeCommand])
)
