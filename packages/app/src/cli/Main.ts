/**
 * The `securebase` command (`npx securebase --help`), on effect/cli: every subcommand has
 * `--help`, typed flags, the configuration module the server uses, and the exit codes of
 * `CliExit`. Failures end in one line on stderr naming their cause, never a stack trace
 * (`SECUREBASE_DEBUG=1` adds the full cause).
 */
import { NodeRuntime, NodeServices } from "@effect/platform-node"
import { Cause, Effect, Exit, Option } from "effect"
import { CliError, Command } from "effect/cli"
import * as Audit from "./Audit.ts"
import * as Bill from "./Bill.ts"
import * as CliExit from "./CliExit.ts"
import * as Db from "./Db.ts"
import * as Operators from "./Operators.ts"
import * as Payments from "./Payments.ts"
import * as PriceBookCli from "./PriceBookCli.ts"
import * as Serve from "./Serve.ts"
import * as StartupError from "./StartupError.ts"
import * as Usage from "./Usage.ts"

/** The package version. */
export const version = "0.1.0"

/** The root command and its subcommands. */
export const command = Command.make("securebase").pipe(
  Command.withDescription(
    "SecureBase: multi-tenant billing and tenancy. Configuration comes from the environment (see the README)."
  ),
  Command.withSubcommands([
    Serve.command,
    Db.command,
    Bill.command,
    Usage.command,
    Audit.command,
    Operators.command,
    Payments.command,
    PriceBookCli.command
  ])
)

/** The exit code and the line to print for how a run ended. */
export const outcome = (
  exit: Exit.Exit<unknown, unknown>
): { readonly code: number; readonly message: string } => {
  if (Exit.isSuccess(exit)) return { code: CliExit.ExitCode.ok, message: "" }
  // SIGINT and SIGTERM interrupt the command: a shutdown that was asked for is a clean end
  // (orchestrators read anything else as a crash).
  if (Cause.hasInterruptsOnly(exit.cause)) return { code: CliExit.ExitCode.ok, message: "" }
  const failure = Option.getOrUndefined(Cause.findErrorOption(exit.cause))
  if (failure instanceof CliExit.CliExit) return { code: failure.code, message: failure.message }
  // effect/cli has already printed the help and the parse error.
  if (CliError.isCliError(failure)) return { code: CliExit.ExitCode.usage, message: "" }
  return { code: CliExit.ExitCode.error, message: StartupError.describe(exit.cause) }
}

/** Runs the command line `argv` (without `node` and the script) in this process, then exits. */
export const runMain = (argv: ReadonlyArray<string>) =>
  NodeRuntime.runMain(Command.runWith(command, { version })(argv).pipe(Effect.provide(NodeServices.layer)), {
    disableErrorReporting: true,
    teardown: (exit, onExit) => {
      const { code, message } = outcome(exit)
      if (message !== "") process.stderr.write(`securebase: ${message}\n`)
      if (process.env.SECUREBASE_DEBUG === "1" && Exit.isFailure(exit))
        process.stderr.write(`${Cause.pretty(exit.cause)}\n`)
      onExit(code)
    }
  })
