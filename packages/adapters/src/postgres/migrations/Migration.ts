/**
 * A migration: an id that orders it, a name, and its SQL as separate statements. Statements are
 * kept apart (rather than one script) because the extended query protocol, which both
 * `@effect/sql-pg` and PGlite's `query` speak, runs one statement per message.
 */

/** One ordered, recorded schema change. */
export interface Migration {
  readonly id: number
  readonly name: string
  readonly statements: ReadonlyArray<string>
}

/** Template tag that trims a statement (tidier checksums and error messages). */
export const stmt = (strings: TemplateStringsArray, ...values: ReadonlyArray<string | number>): string =>
  String.raw({ raw: strings.raw }, ...values).trim()
