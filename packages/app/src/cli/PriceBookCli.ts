/**
 * `securebase price-book check FILE` (`npm run price-book -- check FILE`): decodes a price book
 * from its JSON file and runs the core's pricing laws on it (`PriceBookLaws.check`), printing
 * `PriceBookLaws.render`: one line per law, each counterexample with its plan, metric and month.
 * A pricing team runs it before shipping a book, as a CI step.
 *
 * Exit codes (see `CliExit`): 0 the book decodes and obeys every law; 1 it decodes but a law has a
 * counterexample; 2 the file cannot be read, is not JSON, or is not a price book (the message
 * names the offending field's path, as `PriceBook.decode` reports it).
 */
import { PriceBook } from "@securebase/core"
import { Effect, Result } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import * as CliExit from "./CliExit.ts"
import * as Lazy from "./Lazy.ts"

/** Exit codes of the command. */
export const ExitCode = {
  ok: CliExit.ExitCode.ok,
  counterexamples: CliExit.ExitCode.attention,
  invalid: CliExit.ExitCode.usage
} as const

/** Reads a book from the text of its file: a typed refusal (exit 2) naming what is wrong. */
export const decodeText = (
  file: string,
  text: string
): Effect.Effect<PriceBook.PriceBook, CliExit.CliExit> => {
  const json = Result.try(() => JSON.parse(text) as unknown)
  if (Result.isFailure(json)) {
    return Effect.fail(CliExit.usage(`price-book check: ${file} is not JSON: ${String(json.failure)}`))
  }
  return PriceBook.decode(json.success).pipe(
    Effect.mapError((error) =>
      CliExit.usage(`price-book check: ${file} is not a valid price book:\n${error.message}`)
    )
  )
}

const check = Command.make(
  "check",
  {
    file: Argument.File("file", { mustExist: true }).pipe(
      Argument.withDescription("The price book, as JSON.")
    ),
    runs: Flag.Int("runs").pipe(
      Flag.withDescription("Generated months per law (per law and metric for monotone), 1-10000."),
      Flag.withDefault(100),
      Flag.filter(
        (n) => n >= 1 && n <= 10_000,
        (n) => `--runs must be from 1 to 10000, got ${n}`
      )
    ),
    seed: Flag.String("seed").pipe(
      Flag.withDescription("The seed: the same book, runs and seed find the same counterexamples."),
      Flag.withDefault("securebase")
    )
  },
  Lazy.handler(
    () => import("./PriceBookCheck.ts"),
    (m) => m.run
  )
).pipe(
  Command.withDescription(
    "Decode a price book (JSON) and check the core's pricing laws on it: exit 0 when they hold, 1 with counterexamples, 2 when the file is not a valid book."
  )
)

/** `price-book`. */
export const command = Command.make("price-book").pipe(
  Command.withDescription(
    "Work with price books (JSON files the JSON Schema in packages/core/schema describes)."
  ),
  Command.withSubcommands([check])
)
