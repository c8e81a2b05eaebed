/**
 * Running `securebase operators create|list|revoke` (see `Operators.ts` for the command line and
 * its exit codes) on the configured database. Imported only when one runs (`Lazy`).
 */
import { PgOperatorStore, Sha256ApiKeySecrets } from "@securebase/adapters"
import { type Operator, Operators } from "@securebase/core"
import { Console, DateTime, Effect, Layer, Option, Redacted } from "effect"
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

/** Runs `operators create`. */
export const create = ({ name, scopes }: { readonly name: string; readonly scopes: string }) =>
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

/** Runs `operators list`. */
export const list = () =>
  withOperators(
    Effect.gen(function* () {
      const all = yield* (yield* Operators.Operators).list
      for (const o of all) yield* Console.log(describe(o))
      yield* Console.log(`${all.length} operator${all.length === 1 ? "" : "s"}`)
    })
  ).pipe(Effect.catchTags({ AuthBackendUnavailable: (e) => Effect.fail(backend(e)) }))

/** Runs `operators revoke`. */
export const revoke = ({ id }: { readonly id: Operator.OperatorId }) =>
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
