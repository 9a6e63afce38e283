import { Schema } from "effect"

/**
 * An identifier as the Peach-style API accepts it in a path (seed 002, `AnyId`):
 * a Peach id (`BO-ABCD-1234`), a numeric id, or a lender's id with the `ext-` prefix.
 */
export const AnyId = Schema.String.pipe(
  Schema.pattern(/^ext-.+|^[A-Z][A-Z0-9]-[A-Z0-9]+-[A-Z0-9]+$|^\d+$/),
  Schema.annotations({ identifier: "AnyId" })
)
export type AnyId = typeof AnyId.Type

/** Path form of a lender's identifier: `ext-<externalId>` (seed 001: MUST use the prefix when fetching). */
export const extId = (externalId: string): string => `ext-${externalId}`

/** True when `day` exists in that month of that year (no February 30th). */
const isCalendarDay = (year: string, month: string, day: string): boolean =>
  isCalendarDayOf(Number(year), Number(month), Number(day))

/** The same for numbers: what `isCalendarDate` checks of `YYYY-MM-DD`, without the text. */
export const isCalendarDayOf = (year: number, month: number, day: number): boolean =>
  month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month)

// What `new Date(Date.UTC(year, month, 0)).getUTCDate()` answers (years 0–99 read as 1900–1999,
// as Date.UTC reads them), without a Date per call: every record's date-times are checked.
const monthDays = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
const daysInMonth = (year: number, month: number): number => {
  const y = year >= 0 && year <= 99 ? 1900 + year : year
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0
  return month === 2 && leap ? 29 : monthDays[month - 1]!
}

const isoDate = /^(\d{4})-(\d{2})-(\d{2})$/

/** Whether `YYYY-MM-DD` names a real calendar day: the one rule for the target's dates and the mapping's. */
export const isCalendarDate = (text: string): boolean => {
  const match = isoDate.exec(text)
  return match !== null && isCalendarDay(match[1]!, match[2]!, match[3]!)
}

/** Why a text is not an offset date-time (see `OffsetDateTime`), or undefined when it is one. Plain code: mapping checks every record's date-times with it. */
export const offsetDateTimeProblem = (s: string): string | undefined => {
  const match = offsetDateTimeText.exec(s)
  if (match === null) {
    return /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(s)
      ? "a date-time must carry a timezone or UTC offset (Z or ±hh:mm)"
      : "expected an ISO 8601 date-time with offset, e.g. 2024-03-10T08:15:00-05:00"
  }
  const [, year, month, day, hour, minute, second, , offset] = match
  // The fields themselves, not Date.parse (which rolls 2019-02-30 over to March 2, accepts 24:00, and
  // costs more than the rest: every record's date-times are checked). Of what the pattern lets
  // through, Date.parse refuses only an offset past ±23:59 (a test holds the two rules together).
  return !isCalendarDay(year!, month!, day!) || Number(hour) > 23 || Number(minute) > 59 || Number(second ?? 0) > 59 ||
      !isOffsetInRange(offset!)
    ? "not a valid date-time"
    : undefined
}

/** `Z`, or `±hh:mm` / `±hhmm` with hours up to 23 and minutes up to 59. */
const isOffsetInRange = (offset: string): boolean => {
  if (offset.length === 1) return true
  const digits = offset.length === 6 ? offset.slice(1, 3) + offset.slice(4) : offset.slice(1)
  return Number(digits.slice(0, 2)) <= 23 && Number(digits.slice(2)) <= 59
}
const offsetDateTimeText = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})$/i

/**
 * An ISO 8601 date-time that carries `Z` or a numeric UTC offset. Kept as the exact
 * string the sender wrote (so an offset like `-05:00` survives a round trip), but
 * refused when it has no offset or is not a real instant.
 */
export const OffsetDateTime = Schema.String.pipe(
  Schema.filter((s) => offsetDateTimeProblem(s) ?? true),
  Schema.annotations({ identifier: "OffsetDateTime" })
)
export type OffsetDateTime = typeof OffsetDateTime.Type

/** A calendar date `YYYY-MM-DD` (snoozedUntil, court dates). */
export const IsoDate = Schema.String.pipe(
  Schema.pattern(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/),
  Schema.filter((s) => isCalendarDate(s) || "not a calendar date"),
  Schema.annotations({ identifier: "IsoDate" })
)
export type IsoDate = typeof IsoDate.Type

/** A free-form JSON dictionary (`customFields`, `metaData`). */
export const JsonObject = Schema.Record({ key: Schema.String, value: Schema.Unknown })
export type JsonObject = typeof JsonObject.Type

/** `X | null`, present or absent: how the seeds mark a field typed "(string,null)". */
export const nullable = <S extends Schema.Schema.Any>(schema: S) => Schema.optional(Schema.NullOr(schema))

/**
 * A response object: the named fields decoded as declared, and every field the contract does
 * not name kept in the decoded value as it came (and ignored), so a server that adds fields
 * breaks nothing. The unknown fields are an index signature rather than the parse option
 * `onExcessProperty: "preserve"`, which decodes the same but costs four times as much: a
 * million-case list is decoded once per run.
 */
export const openStruct = <Fields extends Schema.Struct.Fields>(fields: Fields) =>
  Schema.Struct(fields, Schema.Record({ key: Schema.String, value: Schema.Unknown }))
