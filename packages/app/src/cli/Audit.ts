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
import { Ids } from "@securebase/core"
import { type Option, Schema } from "effect"
import { Command, Flag } from "effect/cli"
import * as CliExit from "./CliExit.ts"
import * as Lazy from "./Lazy.ts"

/** Exit codes of the command. */
export const ExitCode = { ok: CliExit.ExitCode.ok, failures: CliExit.ExitCode.attention } as const

const customer = Flag.String("customer").pipe(
  Flag.withDescription("Only this customer's chain (its id, a UUID)."),
  Flag.filter(
    (raw) => Schema.is(Ids.CustomerId)(raw),
    (raw) => `expected a customer id (a UUID), got ${JSON.stringify(raw)}`
  ),
  Flag.map((raw) => raw as Ids.CustomerId),
  Flag.optional
)

/** `audit checkpoint`. */
export const checkpointCommand = Command.make(
  "checkpoint",
  { customer },
  Lazy.handler(
    () => import("./AuditRun.ts"),
    (m) =>
      ({ customer }: { readonly customer: Option.Option<Ids.CustomerId> }) =>
        m.run("checkpoint", customer)
  )
).pipe(
  Command.withDescription(
    "Verify every chain against its latest checkpoint, then sign the head of each chain that holds and has new events (AUDIT_SIGNING_KEY) into AUDIT_CHECKPOINT_DIR. A chain that fails is reported and not signed (exit 1)."
  )
)

/** `audit verify`. */
export const verifyCommand = Command.make(
  "verify",
  { customer },
  Lazy.handler(
    () => import("./AuditRun.ts"),
    (m) =>
      ({ customer }: { readonly customer: Option.Option<Ids.CustomerId> }) =>
        m.run("verify", customer)
  )
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
