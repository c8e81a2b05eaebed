/**
 * Running `securebase usage void` (see `Usage.ts` for the command line and its exit codes): the
 * void on the configured database. Imported only when the command runs (`Lazy`).
 */
import { Tenancy, UsageVoid } from "@securebase/core"
import { Console, DateTime, Effect } from "effect"
import * as ServerConfig from "../Config.ts"
import { dataLayer } from "../Layers.ts"
import * as CliExit from "./CliExit.ts"
import { type Args, decodeArgs, ExitCode, type Flags } from "./Usage.ts"

/** Voids the event as `args.actor` and reports it; the exit code says how it went. */
const voidAndReport = (args: Args) =>
  UsageVoid.voidEvent({ customerId: args.customerId, eventId: args.eventId, reason: args.reason }).pipe(
    Effect.provideService(Tenancy.CurrentPrincipal, { actor: args.actor }),
    Effect.flatMap((v) =>
      Effect.as(
        Console.log(
          [
            `Voided usage event ${v.eventId} of customer ${v.customerId}`,
            `  event    ${v.metric} ${v.quantity} at ${DateTime.formatIso(v.occurredAt)} (period ${v.period})`,
            `  voided   by ${v.voidedBy} at ${DateTime.formatIso(v.voidedAt)}`,
            `  reason   ${v.reason}`,
            "  audited  usage_event.voided in the customer's audit trail"
          ].join("\n")
        ),
        ExitCode.ok
      )
    ),
    Effect.catchTags({
      UsageEventVoidRefused: (e) =>
        Effect.as(Console.error(`refused: ${e.code}: ${e.message}`), ExitCode.refused),
      PersistenceFailure: (e) =>
        Effect.as(
          Console.error(`usage:void could not finish: ${e.code} (${e.operation}: ${e.kind})`),
          ExitCode.error
        )
    })
  )

/** Runs `usage void` with its parsed flags. */
export const run = (flags: Flags) =>
  Effect.gen(function* () {
    const args = decodeArgs(flags)
    if (typeof args === "string") return yield* CliExit.usage(args)
    const config = yield* ServerConfig.load
    const code = yield* Effect.provide(voidAndReport(args), dataLayer(config))
    if (code !== ExitCode.ok) return yield* new CliExit.CliExit({ code, message: "" })
  })
