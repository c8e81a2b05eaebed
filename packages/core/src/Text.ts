/**
 * Free text from outside: what PostgreSQL can store and gives back unchanged, and what a person
 * reading it later (an operator's terminal, an e-mail subject, a CSV export) can trust.
 *
 * - Every text is well-formed UTF-16 and holds no NUL (U+0000). PostgreSQL refuses NUL in `text`
 *   and `jsonb`, and a lone surrogate (`\ud800`) reaches the database as U+FFFD, so the value read
 *   back differs from the one sent (an identical resend then looked like a conflict).
 * - {@link multiLine} (a ticket's description): control characters are refused except TAB, LF and
 *   CR; ESC, backspace and the C1 controls would rewrite an operator's terminal.
 * - {@link singleLine} (names, subjects, identifiers chosen by a client): no control character at
 *   all (C0, DEL, C1), no line or paragraph separator (U+2028, U+2029) and no bidirectional
 *   embedding, override or isolate (U+202A–U+202E, U+2066–U+2069), which can make a name display
 *   as another. Letter marks such as U+200E/U+200F stay allowed.
 *
 * Lengths count characters (code points), as PostgreSQL's `length()` does, not UTF-16 code units:
 * an emoji is one character.
 */
import { Schema } from "effect"

/** The number of characters (code points) of a well-formed string, as PostgreSQL counts them. */
export const characters = (s: string): number => {
  let n = 0
  for (const _ of s) n++
  return n
}

// C0 except TAB (U+0009), LF (U+000A) and CR (U+000D); DEL; C1.
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const blockControls = /[\u0001-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/
// Every C0 and C1 control and DEL, the Unicode line and paragraph separators, bidi controls.
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const lineControls = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/

/** Why a string cannot be stored as text, or `undefined` when it can. */
export const storableProblem = (s: string): string | undefined =>
  !s.isWellFormed()
    ? "must be well-formed Unicode (it contains a lone surrogate)"
    : s.includes("\u0000")
      ? "must not contain the NUL character (U+0000)"
      : undefined

/** Text PostgreSQL stores and returns unchanged: well-formed UTF-16, no NUL. */
export const isStorable = () => Schema.makeFilter<string>((s) => storableProblem(s) ?? true)

/** Between `minimum` and `maximum` characters (code points), inclusive. */
export const hasCharacters = (options: { readonly minimum?: number; readonly maximum: number }) =>
  Schema.makeFilter<string>((s) => {
    const n = characters(s)
    const minimum = options.minimum ?? 0
    if (n < minimum) return `must be at least ${minimum} character${minimum === 1 ? "" : "s"} long`
    if (n > options.maximum) return `must be at most ${options.maximum} characters long`
    return true
  })

/** Options of the text schemas. */
export interface Bounds {
  /** Fewest characters (default 0). */
  readonly minimum?: number
  /** Most characters. */
  readonly maximum: number
  /** Refuse leading and trailing whitespace. */
  readonly trimmed?: boolean
}

/** Any storable text of bounded length (for values stored before these rules, read back as they are). */
export const storable = (bounds: Bounds) =>
  Schema.String.check(
    isStorable(),
    hasCharacters(bounds),
    ...(bounds.trimmed === true ? [Schema.isTrimmed()] : [])
  )

/** Text of several lines: storable, and no control character but TAB, LF and CR. */
export const multiLine = (bounds: Bounds) =>
  Schema.String.check(
    isStorable(),
    Schema.makeFilter<string>(
      (s) => !blockControls.test(s) || "must not contain control characters other than tab and line breaks"
    ),
    hasCharacters(bounds),
    ...(bounds.trimmed === true ? [Schema.isTrimmed()] : [])
  )

/** One line of text: storable, no control character, line separator or bidirectional control. */
export const singleLine = (bounds: Bounds) =>
  Schema.String.check(
    isStorable(),
    Schema.makeFilter<string>(
      (s) =>
        !lineControls.test(s) ||
        "must be a single line without control characters, line separators or bidirectional controls"
    ),
    hasCharacters(bounds),
    ...(bounds.trimmed === true ? [Schema.isTrimmed()] : [])
  )
