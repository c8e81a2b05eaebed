/**
 * `audit checkpoint|verify [--customer <id>]`, the operator's side of signed audit checkpoints, as
 * an effect returning its exit code (the entry point `audit-cli.ts` only runs it).
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
import { Cause, Console, Effect, Layer, Option, Schema } from "effect"
import { auditLayer, dataLayer } from "../App.ts"
import * as ServerConfig from "../server/ServerConfig.ts"
import * as AuditConfig from "./AuditConfig.ts"

/** Exit codes of the command. */
export const ExitCode = { ok: 0, failures: 1, usage: 2, error: 3 } as const

/** What to do. */
export interface Args {
  readonly command: "checkpoint" | "verify"
  readonly customer: Ids.CustomerId | undefined
}

/** One line of usage. */
export const usage = "usage: npm run audit -- checkpoint|verify [--customer <customer id>]"

/** Parses the arguments, or explains what is wrong. */
export const parseArgs = (argv: ReadonlyArray<string>): Args | string => {
  const [command, ...rest] = argv
  if (command !== "checkpoint" && command !== "verify") {
    return command === undefined ? "a command is required" : `unknown command ${command}`
  }
  let customer: string | undefined
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!
    if (arg === "--customer") customer = rest[++i]
    else if (arg.startsWith("--customer=")) customer = arg.slice("--customer=".length)
    else return `unknown argument ${arg}`
    if (customer === undefined) return "--customer needs a customer id"
  }
  if (customer === undefined) return { command, customer: undefined }
  const decoded = Schema.decodeUnknownOption(Ids.CustomerId)(customer)
  return Option.isNone(decoded)
    ? `--customer ${customer}: expected a customer id (a UUID)`
    : { command, customer: decoded.value }
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

/** The command as an effect returning its exit code. */
export const main = (argv: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const args = parseArgs(argv)
    if (typeof args === "string") {
      yield* Console.error(`${args}\n${usage}`)
      return ExitCode.usage
    }
    const config = yield* ServerConfig.load
    if (Option.isNone(config.databaseUrl) && Option.isNone(config.pgliteDataDir))
      yield* Console.error("note: no DATABASE_URL or PGLITE_DATA_DIR; looking at an empty in-memory database")
    const services = Layer.merge(dataLayer(config), auditLayer(config))
    // The signing key first: without one, fail before touching the database.
    return yield* args.command === "checkpoint"
      ? checkpoint(args).pipe(
          Effect.provide(services),
          Effect.provide(AuditConfig.signerLayer(config.profile, config.audit))
        )
      : verify(args).pipe(Effect.provide(services))
  }).pipe(
    Effect.catchCause((cause) => {
      const failure = Cause.squash(cause)
      const reason =
        failure instanceof Error && "code" in failure && typeof failure.code === "string"
          ? failure.message
          : Cause.pretty(cause)
      return Effect.as(Console.error(`audit: could not run\n${reason}`), ExitCode.error)
    })
  )
