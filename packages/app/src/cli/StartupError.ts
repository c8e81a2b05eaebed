/**
 * One line naming why a command could not start or complete, from its failure: the configuration
 * problems, a database that cannot be reached, a port in use, or the error's own tag and message.
 * The full cause stays available with `SECUREBASE_DEBUG=1`.
 */
import { Cause, Option } from "effect"

interface Described {
  readonly _tag?: unknown
  readonly message?: unknown
  readonly code?: unknown
  readonly cause?: unknown
  readonly problems?: unknown
  readonly address?: unknown
  readonly port?: unknown
}

// The chain of causes of an error (an error's `cause`, and a SqlError's `reason.cause`).
const chain = (error: unknown): Array<Described> => {
  const out: Array<Described> = []
  let current: unknown = error
  for (let depth = 0; depth < 8 && typeof current === "object" && current !== null; depth++) {
    out.push(current as Described)
    const next = (current as Described).cause ?? (current as { reason?: { cause?: unknown } }).reason?.cause
    current = next === current ? undefined : next
  }
  return out
}

const systemCode = (errors: ReadonlyArray<Described>): string | undefined =>
  errors.map((e) => e.code).find((c): c is string => typeof c === "string" && /^E[A-Z]+$/.test(c))

const messageOf = (errors: ReadonlyArray<Described>): string =>
  errors.map((e) => (typeof e.message === "string" ? e.message.trim() : "")).find((m) => m !== "") ?? ""

/** Describes a failure in one line. */
export const describe = (cause: Cause.Cause<unknown>): string => {
  const failure = Option.getOrUndefined(Cause.findErrorOption(cause))
  const error = failure ?? Cause.squash(cause)
  const errors = chain(error)
  const top = errors[0] ?? {}
  if (top._tag === "ConfigurationError" && Array.isArray(top.problems)) {
    return `invalid configuration: ${top.problems.map((p) => String(p).replaceAll("\n", " ")).join("; ")}`
  }
  const code = systemCode(errors)
  // The system error (ECONNREFUSED, EADDRINUSE) says the most; the wrappers around it say less.
  const carrier = errors.find((e) => e.code === code)
  const detail = messageOf(code === undefined || carrier === undefined ? errors : [carrier, ...errors])
  if (code === "EADDRINUSE") {
    return `the port is already in use (${detail}); set PORT to a free port, or PORT=0 to pick one`
  }
  if (code === "EACCES" && detail.includes("listen")) {
    return `not allowed to listen (${detail}); ports below 1024 need privileges: set PORT`
  }
  if (
    code !== undefined &&
    ["ECONNREFUSED", "ENOTFOUND", "ETIMEDOUT", "EHOSTUNREACH", "ECONNRESET"].includes(code)
  ) {
    return `cannot reach the database (${detail}); check DATABASE_URL and that PostgreSQL is up`
  }
  if (top._tag === "SqlError") {
    // The innermost cause is the server's own words ("database \"x\" does not exist").
    return `the database refused (${messageOf([...errors].reverse())}); check DATABASE_URL`
  }
  const tag = typeof top._tag === "string" ? top._tag : error instanceof Error ? error.name : "Error"
  return detail === "" ? tag : `${tag}: ${detail.split("\n")[0]}`
}
