/**
 * `securebase audit checkpoint|verify [--customer <id>]` (`npm run audit -- …`), the operator's side
 * of signed audit checkpoints.
 *
 * - `checkpoint` verifies every chain against its latest checkpoint, then signs the head of each
 *   one that holds and has new events, and stores the checkpoint (AUDIT_CHECKPOINT_DIR). A chain
 *   that fails is not signed: it is reported like `verify` reports it.
 * - `verify` verifies every chain (or one) against its latest checkpoint and prints one line per
 *   customer: `ok …` or `FAILED <customer>: seq <n> (event <id | missing>): <reason>`.
 *
 * Runs as the billing worker's role (it reads every chain; it writes nothing in the database).
 * Exit codes: 0 every chain holds; 1 a chain fails verification (or was refused a checkpoint);
 * 2 bad arguments; 3 could not run (configuration, database, checkpoint store, signing key).
 */
import { AuditCheckpoint, AuditCheckpoints, Ids } from "@securebase/core"
import { Console, Effect, Layer, Option, Schema } from "effect"
import { Command, Flag } from "effect/cli"
import * as AuditConfig from "../AuditConfig.ts"
import * as ServerConfig from "../Config.ts"
import { auditLayer, dataLayer } from "../Layers.ts"
import * as CliExit from "./CliExit.ts"

/** Exit codes of the command. */
export const ExitCode = { ok: CliExit.ExitCode.ok, failures: CliExit.ExitCode.attention } as const

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

const customer = Flag.String("customer").pipe(
  Flag.withDescription("Only this customer's chain (its id, a UUID)."),
  Flag.filter(
    (raw) => Schema.is(Ids.CustomerId)(raw),
    (raw) => `expected a customer id (a UUID), got ${JSON.stringify(raw)}`
  ),
  Flag.map((raw) => raw as Ids.CustomerId),
  Flag.optional
)

const run = (command: Args["command"], only: Option.Option<Ids.CustomerId>) =>
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

/** `audit checkpoint`. */
export const checkpointCommand = Command.make("checkpoint", { customer }, ({ customer }) =>
  run("checkpoint", customer)
).pipe(
  Command.withDescription(
    "Verify every chain against its latest checkpoint, then sign the head of each chain that holds and has new events (AUDIT_SIGNING_KEY) into AUDIT_CHECKPOINT_DIR. A chain that fails is reported and not signed (exit 1)."
  )
)

/** `audit verify`. */
export const verifyCommand = Command.make("verify", { customer }, ({ customer }) =>
  run("verify", customer)
).pipe(
  Command.withDescription(
    "Verify every chain (or one) against its latest signed checkpoint: one line per customer, ok or FAILED <customer>: seq <n> (event <id | missing>): <reason>; exit 1 when one fails."
  )
)

/** `audit`. */
export const command = Command.make("audit").pipe(
  Command.withDescription(
    "The audit trail's signed checkpoints (run as securebase_worker; nothing is written to the database)."
  ),
  Command.withSubcommands([checkpointCommand, verifyCommand])
)
