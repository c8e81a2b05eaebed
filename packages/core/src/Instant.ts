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

// Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's days_from_civil), in integer
// arithmetic: a `Date` would be allocated and set field by field for every instant of a batch, and
// `Date.UTC` reads the years 0-99 as 1900-1999.
const daysFromCivil = (year: number, month: number, day: number): number => {
  const y = month <= 2 ? year - 1 : year
  const era = Math.floor(y / 400)
  const yearOfEra = y - era * 400
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear
  return era * 146_097 + dayOfEra - 719_468
}

/**
 * Parses RFC 3339 text into epoch milliseconds (a fraction beyond milliseconds is cut off), or
 * explains why it is not a real instant in that format. Leap seconds (`:60`) are refused: the
 * instants here cannot represent them.
 */
export const parseRfc3339 = (s: string): number | string => {
  const m = rfc3339.exec(s)
  if (m === null)
    return "expected an RFC 3339 date-time such as 2026-10-14T09:30:00Z or 2026-10-14T11:30:00+02:00"
  const year = Number(m[1])
  const month = Number(m[2])
  const day = Number(m[3])
  const hour = Number(m[4])
  const minute = Number(m[5])
  const second = Number(m[6])
  if (month < 1 || month > 12) return `no month ${m[2]}`
  if (day < 1 || day > daysIn(year, month)) return `no day ${m[3]} in ${m[1]}-${m[2]}`
  if (hour > 23 || minute > 59) return `no time ${m[4]}:${m[5]}`
  if (second > 59) return "seconds must be 00 to 59 (leap seconds are not accepted)"
  const offsetHours = m[10] === undefined ? 0 : Number(m[10])
  const offsetMinutes = m[11] === undefined ? 0 : Number(m[11])
  if (offsetHours > 23 || offsetMinutes > 59) return `no offset ${m[9]}${m[10]}:${m[11]}`
  const fraction = m[7]
  const millis =
    fraction === undefined ? 0 : Number(fraction.length >= 3 ? fraction.slice(0, 3) : fraction.padEnd(3, "0"))
  const offset = (m[9] === "-" ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000
  return (
    daysFromCivil(year, month, day) * 86_400_000 +
    ((hour * 60 + minute) * 60 + second) * 1000 +
    millis -
    offset
  )
}

// Decoding checks the text (`isRfc3339`) and then converts it: the same string, parsed twice in a
// row. The conversion reads the check's result instead (one entry: JavaScript runs one at a time).
let lastText: string | undefined
let lastParsed: number | string = ""
const parseOnce = (s: string): number | string => {
  if (s !== lastText) {
    lastParsed = parseRfc3339(s)
    lastText = s
  }
  return lastParsed
}

/** RFC 3339 text, strictly: a real calendar date and time with an explicit offset. */
export const isRfc3339 = () =>
  Schema.makeFilter<string>((s) => {
    const parsed = parseOnce(s)
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
        decode: (s: string) => DateTime.makeUnsafe(parseOnce(s) as number),
        encode: (at: DateTime.Utc) => DateTime.formatIso(at)
      })
    )
  )
  .annotate({
    identifier: "Rfc3339Instant",
    description:
      "an RFC 3339 date-time with an offset, from 2000-01-01T00:00:00Z to before 2200-01-01T00:00:00Z"
  })
