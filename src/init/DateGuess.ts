/** What the values of a source field say about it as a date-time. */
export interface DateTimeGuess {
  /** Every non-empty value seen reads as a date-time (false when none was seen). */
  readonly looksLikeDateTime: boolean
  /** Non-empty values seen, and how many of them carry a UTC offset (`Z`, `+02:00`…). */
  readonly seen: number
  readonly withOffset: number
  /** A `datetime.format` for values not in ISO form (`03/15/2022 4:32 PM`), if they have one shape. */
  readonly format: string | undefined
  /** The values need a declared zone: some were seen without an offset, or none was seen and nothing says they carry one. */
  readonly needsZone: boolean
}

// What casesync's `datetime:` reads without a format: YYYY-MM-DD HH:mm[:ss[.SSS]] with an optional offset.
const iso = /^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?\s*(Z|[+-]\d{2}(:?\d{2})?)?$/i
const offset = /(Z|[+-]\d{2}(:?\d{2})?)$/i
const usDate = /^\d{1,2}\/\d{1,2}\/\d{4}(\s+\d{1,2}:\d{2}(:\d{2})?(\s*[AP]M)?)?$/i

const usFormat = (value: string): string => {
  const [, time] = value.split(/\s+(.*)/)
  const date = "MM/DD/YYYY"
  if (time === undefined) return date
  const seconds = /:\d{2}:\d{2}/.test(time) ? ":ss" : ""
  return /[AP]M$/i.test(time) ? `${date} hh:mm${seconds} A` : `${date} HH:mm${seconds}`
}

/**
 * Reads sample values as date-times. `declaredWithOffset` is for a source that documents
 * its date-times as ISO 8601 with an offset (the CRM): then no zone is asked for unless a
 * value seen lacks one.
 */
export const dateTimeGuess = (samples: ReadonlyArray<string>, declaredWithOffset: boolean): DateTimeGuess => {
  const values = samples.map((value) => value.trim()).filter((value) => value !== "")
  const isoValues = values.filter((value) => iso.test(value))
  const usValues = values.filter((value) => usDate.test(value))
  const formats = new Set(usValues.map(usFormat))
  const looksLikeDateTime = values.length > 0 && (isoValues.length === values.length || (usValues.length === values.length && formats.size === 1))
  const withOffset = isoValues.filter((value) => /[T ]\d{2}:\d{2}/.test(value) && offset.test(value)).length
  return {
    looksLikeDateTime,
    seen: values.length,
    withOffset,
    format: looksLikeDateTime && usValues.length === values.length ? [...formats][0] : undefined,
    needsZone: values.length === 0 ? !declaredWithOffset : withOffset < values.length
  }
}
