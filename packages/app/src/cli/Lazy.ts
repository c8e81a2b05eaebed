/**
 * A subcommand's handler kept in a module of its own and imported only when that subcommand runs.
 * The command line itself (flags, descriptions, `--help`, usage errors) stays eager and light, so
 * `securebase --help`, a mistyped flag and every other subcommand never load what the handler
 * needs (the configuration, the database and server layers, AWS, Stripe, pdf-lib): about half of
 * the CPU a `securebase` process spends starting.
 */
import { Effect } from "effect"

/** The handler `pick(module)` of the module `load` imports, when the handler runs. */
export const handler =
  <M, I, A, E, R>(load: () => Promise<M>, pick: (module: M) => (input: I) => Effect.Effect<A, E, R>) =>
  (input: I): Effect.Effect<A, E, R> =>
    Effect.flatMap(Effect.promise(load), (module) => pick(module)(input))
