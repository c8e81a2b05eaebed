/**
 * The operator's command to void one usage event (`npm run usage:void -- --customer <id> --event <id>
 * --reason "..." [--operator <name>]`): argument parsing, the void itself (`UsageVoid.voidEvent`,
 * audited as `usage_event.voided`) and what it prints. The entry point (`usage-cli.ts`) only
 * composes the database layer around {@link main}.
 *
 * Exit codes: 0 voided; 1 refused (no such event, already voided, or its month already invoiced);
 * 2 bad arguments; 3 the command could not run (configuration, database).
 */
import { Ids as IdSchemas, type Ids, Tenancy, type UsageEventRepo, UsageVoid } from "@securebase/core"
import { Console, DateTime, Effect, Result, Schema } from "effect"

/** Exit codes of the command. */
export const ExitCode = { ok: 0, refused: 1, usage: 2, error: 3 } as const

/** What the command was asked to do. */
export interface Args {
  readonly customerId: Ids.CustomerId
  readonly eventId: Ids.UsageEventId
  readonly reason: UsageVoid.VoidReason
  /** Recorded as the actor: `operator:<name>`, or `cli:usage-void` when no name is given. */
  readonly actor: string
}

/** The usage line. */
export const usage =
  'usage: npm run usage:void -- --customer <customer id> --event <event id> --reason "why" [--operator <name>]'

const OperatorName = Schema.String.check(
  Schema.isPattern(/^[A-Za-z0-9._@+-]{1,100}$/, {
    message: "expected 1-100 letters, digits or . _ @ + -"
  })
)

// The decoded value, or the flag and the schema's message.
const decodeWith = <A>(
  schema: Schema.Codec<A, string>,
  flag: string,
  value: string
): { readonly ok: A } | { readonly problem: string } => {
  const r = Schema.decodeUnknownResult(schema)(value)
  return Result.isSuccess(r) ? { ok: r.success } : { problem: `${flag}: ${r.failure.message}` }
}

/** Parses the arguments, or explains what is wrong. */
export const parseArgs = (argv: ReadonlyArray<string>): Args | string => {
  const values = new Map<string, string>()
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    const eq = arg.indexOf("=")
    const [flag, inline] = eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, undefined]
    if (!["--customer", "--event", "--reason", "--operator"].includes(flag)) return `unknown argument ${arg}`
    const value = inline ?? argv[++i]
    if (value === undefined) return `${flag} needs a value`
    if (values.has(flag)) return `${flag} given twice`
    values.set(flag, value)
  }
  for (const flag of ["--customer", "--event", "--reason"]) {
    if (!values.has(flag)) return `${flag} is required`
  }
  const customerId = decodeWith(IdSchemas.CustomerId, "--customer", values.get("--customer")!)
  if ("problem" in customerId) return customerId.problem
  const eventId = decodeWith(IdSchemas.UsageEventId, "--event", values.get("--event")!)
  if ("problem" in eventId) return eventId.problem
  const reason = decodeWith(UsageVoid.VoidReason, "--reason", values.get("--reason")!)
  if ("problem" in reason) return reason.problem
  const operator = values.get("--operator")
  if (operator === undefined)
    return { customerId: customerId.ok, eventId: eventId.ok, reason: reason.ok, actor: "cli:usage-void" }
  const name = decodeWith(OperatorName, "--operator", operator)
  if ("problem" in name) return name.problem
  return { customerId: customerId.ok, eventId: eventId.ok, reason: reason.ok, actor: `operator:${name.ok}` }
}

/** Voids the event as `args.actor` and reports it; the exit code says how it went. */
export const run = (args: Args) =>
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

/**
 * The whole command over `argv`, given a way to provide the database: exit code 2 (with the usage)
 * for bad arguments, before anything is opened.
 */
export const main = <E>(
  argv: ReadonlyArray<string>,
  provide: (
    effect: Effect.Effect<number, never, Tenancy.Tenancy | UsageEventRepo.UsageEventRepo>
  ) => Effect.Effect<number, E>
): Effect.Effect<number, E> => {
  const args = parseArgs(argv)
  if (typeof args === "string") return Effect.as(Console.error(`${args}\n${usage}`), ExitCode.usage)
  return provide(run(args))
}
