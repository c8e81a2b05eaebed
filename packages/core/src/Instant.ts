/**
 * Instants from outside: strict RFC 3339 text (`2026-10-14T09:30:00Z`, `2026-10-14T11:30:00.250+02:00`)
 * within a sane window, so that "1" is not read as 2001-01-01, year 0 or a negative year never reaches
 * the database (which refuses both), and 2026-02-30 is an error rather than 2 March.
 *
 * The window is [2000-01-01T00:00:00Z, 2200-01-01T00:00:00Z): every instant in it has a four-digit
 * year that PostgreSQL, the invoice periods and the invoice numbers all take. How far ahead of the
 * clock an event may be is a policy of the caller (the usage endpoint allows 5 minutes of skew).
 */
import { DateTime, Schema, SchemaTransformation } from "effect"

/** The earliest instant accepted. */
export const earliest: DateTime.Utc = DateTime.makeUnsafe("2000-01-01T00:00:00Z")

/** The first instant no longer accepted. */
export const end: DateTime.Utc = DateTime.makeUnsafe("2200-01-01T00:00:00Z")

/** Within [{@link earliest}, {@link end}). */
export const isInWindow = () =>
  Schema.makeFilter<DateTime.Utc>(
    (at) =>
      (!DateTime.isLessThan(at, earliest) && DateTime.isLessThan(at, end)) ||
      "must be on or after 2000-01-01T00:00:00Z and before 2200-01-01T00:00:00Z"
  )

/** An instant of the domain: a UTC date-time within the window. */
export const Instant = Schema.DateTimeUtc.check(isInWindow()).annotate({ identifier: "Instant" })
export type Instant = typeof Instant.Type

// Date-time per RFC 3339 section 5.6: full-date "T" full-time, with a fraction of up to 9 digits
// and a mandatory offset ("Z" or ±hh:mm). "t" and "z" may be lower case (section 5.6, note).
const rfc3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/

const daysIn = (year: number, month: number): number =>
  month === 2
    ? (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
      ? 29
      : 28
    : [4, 6, 9, 11].includes(month)
      ? 30
      : 31

/**
 * Parses RFC 3339 text into epoch milliseconds (a fraction beyond milliseconds is cut off), or
 * explains why it is not a real instant in that format. Leap seconds (`:60`) are refused: the
 * instants here cannot represent them.
 */
export const parseRfc3339 = (s: string): number | string => {
  const m = rfc3339.exec(s)
  if (m === null)
    return "expected an RFC 3339 date-time such as 2026-10-14T09:30:00Z or 2026-10-14T11:30:00+02:00"
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number
  ]
  if (month < 1 || month > 12) return `no month ${m[2]}`
  if (day < 1 || day > daysIn(year, month)) return `no day ${m[3]} in ${m[1]}-${m[2]}`
  if (hour > 23 || minute > 59) return `no time ${m[4]}:${m[5]}`
  if (second > 59) return "seconds must be 00 to 59 (leap seconds are not accepted)"
  const offsetHours = m[10] === undefined ? 0 : Number(m[10])
  const offsetMinutes = m[11] === undefined ? 0 : Number(m[11])
  if (offsetHours > 23 || offsetMinutes > 59) return `no offset ${m[9]}${m[10]}:${m[11]}`
  const millis = Number((m[7] ?? "").padEnd(3, "0").slice(0, 3))
  // setUTCFullYear, unlike Date.UTC, does not read years 0-99 as 1900-1999.
  const date = new Date(0)
  date.setUTCFullYear(year, month - 1, day)
  date.setUTCHours(hour, minute, second, millis)
  const offset = (m[9] === "-" ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000
  return date.getTime() - offset
}

/** RFC 3339 text, strictly: a real calendar date and time with an explicit offset. */
export const isRfc3339 = () =>
  Schema.makeFilter<string>((s) => {
    const parsed = parseRfc3339(s)
    return typeof parsed === "number" || parsed
  })

/**
 * An {@link Instant} written as RFC 3339 text; decodes only real date-times in the window and
 * encodes as `YYYY-MM-DDTHH:MM:SS.sssZ`.
 */
export const FromRfc3339 = Schema.String.check(isRfc3339())
  .pipe(
    Schema.decodeTo(
      Instant,
      SchemaTransformation.transform({
        decode: (s: string) => DateTime.makeUnsafe(parseRfc3339(s) as number),
        encode: (at: DateTime.Utc) => DateTime.formatIso(at)
      })
    )
  )
  .annotate({
    identifier: "Rfc3339Instant",
    description:
      "an RFC 3339 date-time with an offset, from 2000-01-01T00:00:00Z to before 2200-01-01T00:00:00Z"
  })
