/**
 * How a `securebase` command ends, as exit codes every command shares:
 *
 * - 0: done;
 * - 1: done, but something needs attention (customers that failed to bill, mail that could not be
 *   delivered, a chain that fails verification);
 * - 2: bad arguments or a request the command refuses (parse errors included);
 * - 3: could not start or complete (configuration, database, an unexpected failure);
 * - 4: `bill` only: done, but e-mail could not be delivered (queued for a retry, or parked).
 */
import { Schema } from "effect"

/** The exit codes. */
export const ExitCode = { ok: 0, attention: 1, usage: 2, error: 3, mailUndelivered: 4 } as const

/** A command's chosen end: its exit code and a one-line message for stderr (may be empty). */
export class CliExit extends Schema.TaggedError<CliExit>()("CliExit", {
  code: Schema.Int,
  message: Schema.String
}) {}

/** A refusal (exit 2) with its reason. */
export const usage = (message: string) => new CliExit({ code: ExitCode.usage, message })

/** A failure to start or complete (exit 3) with its reason. */
export const error = (message: string) => new CliExit({ code: ExitCode.error, message })
