/**
 * `securebase usage void --customer <id> --event <id> --reason "..." [--operator <name>]`
 * (`npm run usage:void -- …`): the operator's repair tool for one wrong usage event. The void itself
 * is `UsageVoid.voidEvent` (audited as `usage_event.voided`, in the event's transaction).
 *
 * Exit codes: 0 voided; 1 refused (no such event, already voided, or its month already invoiced);
 * 2 bad arguments; 3 the command could not run (configuration, database).
 */
import { Ids as IdSchemas, type Ids, UsageVoid } from "@securebase/core"
import { Option, Result, Schema } from "effect"
import { Command, Flag } from "effect/cli"
import * as CliExit from "./CliExit.ts"
import * as Lazy from "./Lazy.ts"

/** Exit codes of the command. */
export const ExitCode = {
  ok: CliExit.ExitCode.ok,
  refused: CliExit.ExitCode.attention,
  usage: CliExit.ExitCode.usage,
  error: CliExit.ExitCode.error
} as const

/** What the command was asked to do. */
export interface Args {
  readonly customerId: Ids.CustomerId
  readonly eventId: Ids.UsageEventId
  readonly reason: UsageVoid.VoidReason
  /** Recorded as the actor: `operator:<name>`, or `cli:usage-void` when no name is given. */
  readonly actor: string
}

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

/** The flags as typed, before their values are checked. */
export interface Flags {
  readonly customer: string
  readonly event: string
  readonly reason: string
  readonly operator: Option.Option<string>
}

/** Checks the flags' values, or explains what is wrong. */
export const decodeArgs = (flags: Flags): Args | string => {
  const customerId = decodeWith(IdSchemas.CustomerId, "--customer", flags.customer)
  if ("problem" in customerId) return customerId.problem
  const eventId = decodeWith(IdSchemas.UsageEventId, "--event", flags.event)
  if ("problem" in eventId) return eventId.problem
  const reason = decodeWith(UsageVoid.VoidReason, "--reason", flags.reason)
  if ("problem" in reason) return reason.problem
  if (Option.isNone(flags.operator))
    return { customerId: customerId.ok, eventId: eventId.ok, reason: reason.ok, actor: "cli:usage-void" }
  const name = decodeWith(OperatorName, "--operator", flags.operator.value)
  if ("problem" in name) return name.problem
  return { customerId: customerId.ok, eventId: eventId.ok, reason: reason.ok, actor: `operator:${name.ok}` }
}

/** `usage void`. */
export const voidCommand = Command.make(
  "void",
  {
    customer: Flag.String("customer").pipe(Flag.withDescription("The customer's id (a UUID).")),
    event: Flag.String("event").pipe(Flag.withDescription("The usage event's id, as its sender chose it.")),
    reason: Flag.String("reason").pipe(
      Flag.withDescription(
        "Why it is voided (one line, at most 500 characters); kept with the event and audited."
      )
    ),
    operator: Flag.String("operator").pipe(
      Flag.withDescription("Who voids it, recorded as operator:<name> (default: cli:usage-void)."),
      Flag.optional
    )
  },
  Lazy.handler(
    () => import("./UsageRun.ts"),
    (m) => m.run
  )
).pipe(
  Command.withDescription(
    "Void one usage event: kept, marked with who, when and why, audited as usage_event.voided, and left out of metrics and billing. Refused (exit 1) for an unknown or already voided event and for a month already invoiced."
  )
)

/** `usage`: usage events. */
export const command = Command.make("usage").pipe(
  Command.withDescription("Usage events."),
  Command.withSubcommands([voidCommand])
)
