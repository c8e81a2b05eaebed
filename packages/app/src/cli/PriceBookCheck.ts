/**
 * Running `securebase price-book check` (see `PriceBookCli.ts` for the command line and its exit
 * codes): the core's pricing laws on a book. Imported only when it runs (`Lazy`), so the laws and
 * their generators load for this command alone.
 */
import { PriceBookLaws } from "@securebase/core/testing"
import { Console, Effect, FileSystem } from "effect"
import * as CliExit from "./CliExit.ts"
import { decodeText, ExitCode } from "./PriceBookCli.ts"

/** What `check` was given. */
export interface Flags {
  readonly file: string
  readonly runs: number
  readonly seed: string
}

/** Runs `price-book check`: exit 0 when the laws hold, 1 with counterexamples, 2 for a bad file. */
export const run = (flags: Flags) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const text = yield* fs
      .readFileString(flags.file)
      .pipe(
        Effect.mapError((e) => CliExit.usage(`price-book check: cannot read ${flags.file}: ${e.message}`))
      )
    const book = yield* decodeText(flags.file, text)
    const found = yield* PriceBookLaws.check(book, { runs: flags.runs, seed: flags.seed })
    yield* Console.log(PriceBookLaws.render(book, found))
    if (found.length > 0) return yield* new CliExit.CliExit({ code: ExitCode.counterexamples, message: "" })
  })
