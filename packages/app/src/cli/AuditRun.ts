/**
 * Running `securebase audit checkpoint|verify` (see `Audit.ts` for the command line and its exit
 * codes) on the configured database and checkpoint store. Imported only when one runs (`Lazy`).
 */
import { AuditCheckpoint, AuditCheckpoints, type Ids } from "@securebase/core"
import { Console, Effect, Layer, Option } from "effect"
import * as AuditConfig from "../AuditConfig.ts"
import * as ServerConfig from "../Config.ts"
import { auditLayer, dataLayer } from "../Layers.ts"
import { ExitCode } from "./Audit.ts"
import * as CliExit from "./CliExit.ts"

/** What to do. */
export interface Args {
  readonly command: "checkpoint" | "verify"
  readonly customer: Ids.CustomerId | undefined
}

const checkpoint = (args: Args) =>
  Effect.gen(function* () {
    const outcomes = yield* AuditCheckpoints.checkpointAll({ only: args.customer })
    let refused = 0
    for (const o of outcomes) {
      switch (o._tag) {
        case "Written":
          yield* Console.log(
            `signed ${o.checkpoint.customerId}: seq ${o.checkpoint.seq} with key ${o.checkpoint.keyId}`
          )
          break
        case "Unchanged":
          yield* Console.log(`unchanged ${o.customerId}: seq ${o.seq} is already checkpointed`)
          break
        case "Empty":
          yield* Console.log(`empty ${o.customerId}: no events`)
          break
        case "Refused":
          refused++
          yield* Console.log(`${AuditCheckpoint.describe(o.verification)}; not signed`)
      }
    }
    const written = outcomes.filter((o) => o._tag === "Written").length
    yield* Console.log(
      `checkpoint: ${outcomes.length} chains, ${written} signed, ${refused} failed verification`
    )
    return refused > 0 ? ExitCode.failures : ExitCode.ok
  })

const verify = (args: Args) =>
  Effect.gen(function* () {
    const verdicts = yield* AuditCheckpoints.verifyAll({ only: args.customer })
    for (const v of verdicts) yield* Console.log(AuditCheckpoint.describe(v))
    const failed = verdicts.filter((v) => v._tag === "AnchorBroken").length
    yield* Console.log(`verify: ${verdicts.length} chains, ${verdicts.length - failed} ok, ${failed} failed`)
    return failed > 0 ? ExitCode.failures : ExitCode.ok
  })

/** Runs `audit checkpoint` or `audit verify`, for one customer or every one. */
export const run = (command: Args["command"], only: Option.Option<Ids.CustomerId>) =>
  Effect.gen(function* () {
    const args: Args = { command, customer: Option.getOrUndefined(only) }
    const config = yield* ServerConfig.load
    if (Option.isNone(config.databaseUrl) && Option.isNone(config.pgliteDataDir))
      yield* Console.error("note: no DATABASE_URL or PGLITE_DATA_DIR; looking at an empty in-memory database")
    const services = Layer.merge(dataLayer(config), auditLayer(config))
    // The signing key first: without one, fail before touching the database.
    const code = yield* args.command === "checkpoint"
      ? checkpoint(args).pipe(
          Effect.provide(services),
          Effect.provide(AuditConfig.signerLayer(config.profile, config.audit))
        )
      : verify(args).pipe(Effect.provide(services))
    if (code !== ExitCode.ok) return yield* new CliExit.CliExit({ code, message: "" })
  })
