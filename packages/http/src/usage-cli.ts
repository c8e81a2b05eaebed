/**
 * `npm run usage:void -- --customer <id> --event <id> --reason "..." [--operator <name>]`: voids one
 * usage event, audited (see `usage/UsageVoidCli.ts` for the arguments and exit codes). Data:
 * DATABASE_URL, or the embedded PGlite in PGLITE_DATA_DIR.
 */
import { NodeRuntime } from "@effect/platform-node"
import { Cause, Console, Effect, Exit } from "effect"
import { dataLayer } from "./App.ts"
import * as ServerConfig from "./server/ServerConfig.ts"
import * as UsageVoidCli from "./usage/UsageVoidCli.ts"

const program = UsageVoidCli.main(process.argv.slice(2), (run) =>
  Effect.flatMap(ServerConfig.load, (config) => Effect.provide(run, dataLayer(config)))
).pipe(
  Effect.catchCause((cause) =>
    Effect.as(Console.error(`usage:void could not run\n${Cause.pretty(cause)}`), UsageVoidCli.ExitCode.error)
  )
)

NodeRuntime.runMain(program, {
  teardown: (exit, onExit) =>
    onExit(Exit.isSuccess(exit) ? (exit.value as number) : UsageVoidCli.ExitCode.error)
})
