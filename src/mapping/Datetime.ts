import { DateTime, Either, Option } from "effect"
import { isCalendarDayOf } from "../domain/peach/index.js"

/**
 * Date-times from legacy sources, made exact for a target that insists on an offset.
 * A value that carries an offset keeps it (normalised to milliseconds); a naive local
 * time is placed in the mapping's declared time zone with Effect's `DateTime`, and a
 * local time that does not exist (spring-forward gap) or exists twice (fall-back
 * overlap) is refused with the reason, never guessed.
 */

/** A wall-clock reading: calendar day and time of day, milliseconds included. */
export interface LocalParts {
  readonly year: number
  readonly month: number
  readonly day: number
  readonly hours: number
  readonly minutes: number
  readonly seconds: number
  readonly millis: number
}

interface Reading {
  readonly parts: LocalParts
  /** `Z`, or `±hh:mm` normalised; absent for a naive local time. */
  readonly offset: { readonly text: string; readonly millis: number } | undefined
}

/** Decodes source values to offset date-times and encodes target date-times back. */
export interface DatetimeCodec {
  readonly decode: (value: unknown) => Either.Either<string, string>
  readonly encode: (value: unknown) => Either.Either<string, string>
}

/** Builds a codec for `datetime: { timezone?, format? }`, or explains what is wrong with the options. */
export const makeDatetimeCodec = (options: {
  readonly timezone?: string | undefined
  readonly format?: string | undefined
}): Either.Either<DatetimeCodec, string> => {
  let zone: DateTime.TimeZone.Named | undefined
  if (options.timezone !== undefined) {
    const named = DateTime.zoneMakeNamed(options.timezone)
    if (Option.isNone(named)) return Either.left(`unknown time zone '${options.timezone}' (use an IANA name such as America/New_York)`)
    zone = named.value
  }
  let format: CompiledFormat | undefined
  if (options.format !== undefined) {
    const compiled = compileFormat(options.format)
    if (Either.isLeft(compiled)) return Either.left(compiled.left)
    format = compiled.right
  }
  const expected = format === undefined ? "YYYY-MM-DD HH:mm[:ss[.SSS]] with an optional offset" : `the format ${format.text}`

  const decode = (value: unknown): Either.Either<string, string> => {
    if (typeof value !== "string") return Either.left(`expected a date-time text, got ${JSON.stringify(value)}`)
    const text = value.trim()
    const reading = format === undefined ? readIso(text) : format.read(text)
    if (reading === undefined) return Either.left(`'${text}' is not a date-time (expected ${expected})`)
    const invalid = checkParts(reading.parts)
    if (invalid !== undefined) return Either.left(`'${text}' is not a real date-time: ${invalid}`)
    if (reading.offset !== undefined) return Either.right(formatWithOffset(reading.parts, reading.offset))
    if (zone === undefined) {
      return Either.left(`'${text}' has no UTC offset; declare datetime: { timezone: ... } if the source writes local times`)
    }
    return placed(text, reading.parts, zone)
  }

  // Placing a wall clock in a zone asks Intl for offsets (tens of µs). Every time zone since 1973
  // changes offset on a whole minute, so the offset found for one minute holds for all of it:
  // kept per local minute (bounded), and the rest of the value is the local time as written.
  // Keyed by the minute as a number (no text to build per value); each entry keeps the minute's
  // text and its offset, the parts of the value that do not change within the minute.
  const minutes = new Map<number, { readonly minute: string; readonly offset: string }>()
  const placed = (text: string, parts: LocalParts, zone: DateTime.TimeZone.Named): Either.Either<string, string> => {
    if (parts.year < 1973) return placeInZone(text, parts, zone)
    const key = (((parts.year * 13 + parts.month) * 32 + parts.day) * 24 + parts.hours) * 60 + parts.minutes
    let known = minutes.get(key)
    if (known === undefined) {
      const whole = placeInZone(text, { ...parts, seconds: 0, millis: 0 }, zone)
      // A refusal names the value as written, so it is not shared with other seconds of the minute.
      if (Either.isLeft(whole)) return placeInZone(text, parts, zone)
      const minute = `${pad(parts.year, 4)}-${pad(parts.month, 2)}-${pad(parts.day, 2)}T${pad(parts.hours, 2)}:${pad(parts.minutes, 2)}`
      known = { minute, offset: whole.right.slice(minute.length + ":00.000".length) }
      if (minutes.size >= 100_000) minutes.clear()
      minutes.set(key, known)
    }
    return Either.right(`${known.minute}:${pad2(parts.seconds)}.${pad3(parts.millis)}${known.offset}`)
  }

  const encode = (value: unknown): Either.Either<string, string> => {
    const reading = typeof value === "string" ? readIso(value.trim()) : undefined
    if (reading === undefined || reading.offset === undefined || checkParts(reading.parts) !== undefined) {
      return Either.left(`expected a date-time with a UTC offset, got ${JSON.stringify(value)}`)
    }
    if (zone === undefined) return Either.right(formatWithOffset(reading.parts, reading.offset))
    const instant = DateTime.unsafeMakeZoned(reading.parts, { timeZone: reading.offset.millis, adjustForTimeZone: true })
    const local = DateTime.toParts(DateTime.unsafeMakeZoned(instant.epochMillis, { timeZone: zone }))
    return Either.right(format === undefined ? defaultLocalText(local) : format.render(local))
  }

  return Either.right({ decode, encode })
}

// == reading ISO-like text

const isoLike = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/

const readIso = (text: string): Reading | undefined => {
  const match = isoLike.exec(text)
  if (match === null) return undefined
  const offset = match[8] === undefined ? undefined : readOffset(match[8])
  if (match[8] !== undefined && offset === undefined) return undefined
  return {
    parts: {
      year: Number(match[1]),
      month: Number(match[2]),
      day: Number(match[3]),
      hours: Number(match[4]),
      minutes: Number(match[5]),
      seconds: match[6] === undefined ? 0 : Number(match[6]),
      millis: fractionToMillis(match[7])
    },
    offset
  }
}

/** Keeps the first three fraction digits: sources with micro- or nanoseconds lose only what the target cannot store. */
const fractionToMillis = (fraction: string | undefined): number =>
  fraction === undefined ? 0 : Number(fraction.slice(0, 3).padEnd(3, "0"))

const readOffset = (text: string): Reading["offset"] => {
  if (text === "Z" || text === "z") return { text: "Z", millis: 0 }
  const match = /^([+-])(\d{2}):?(\d{2})?$/.exec(text)
  if (match === null) return undefined
  const hours = Number(match[2])
  const minutes = match[3] === undefined ? 0 : Number(match[3])
  if (hours > 18 || minutes > 59) return undefined
  const sign = match[1] === "-" ? -1 : 1
  return { text: `${match[1]}${pad(hours, 2)}:${pad(minutes, 2)}`, millis: sign * (hours * 60 + minutes) * 60_000 }
}

const checkParts = (parts: LocalParts): string | undefined => {
  // Only a refusal spells the day out: every record's date-times pass through here.
  if (parts.year > 9999 || !isCalendarDayOf(parts.year, parts.month, parts.day)) {
    return `${pad(parts.year, 4)}-${pad(parts.month, 2)}-${pad(parts.day, 2)} is not a calendar day`
  }
  if (parts.hours > 23 || parts.minutes > 59 || parts.seconds > 59) {
    return `${pad(parts.hours, 2)}:${pad(parts.minutes, 2)}:${pad(parts.seconds, 2)} is not a time of day`
  }
  return undefined
}

// == making instants

const formatWithOffset = (parts: LocalParts, offset: NonNullable<Reading["offset"]>): string => {
  const zoned = DateTime.unsafeMakeZoned(parts, { timeZone: offset.millis, adjustForTimeZone: true })
  return offset.text === "Z" ? DateTime.formatIso(zoned) : DateTime.formatIsoOffset(zoned)
}

const placeInZone = (text: string, parts: LocalParts, zone: DateTime.TimeZone.Named): Either.Either<string, string> => {
  const options = { timeZone: zone, adjustForTimeZone: true } as const
  const exact = DateTime.makeZoned(parts, { ...options, disambiguation: "reject" })
  if (Option.isSome(exact)) return Either.right(DateTime.formatIsoOffset(exact.value))
  // Rejected: ask for both readings to tell a gap (neither shows this wall clock) from an overlap (both do).
  const earlier = DateTime.makeZoned(parts, { ...options, disambiguation: "earlier" })
  const later = DateTime.makeZoned(parts, { ...options, disambiguation: "later" })
  if (Option.isNone(earlier) || Option.isNone(later)) return Either.left(`'${text}' cannot be placed in ${zone.id}`)
  const sameWallClock = (zoned: DateTime.Zoned) => {
    const local = DateTime.toParts(zoned)
    return local.hours === parts.hours && local.minutes === parts.minutes && local.day === parts.day
  }
  const before = DateTime.zonedOffsetIso(earlier.value)
  const after = DateTime.zonedOffsetIso(later.value)
  if (sameWallClock(earlier.value) && sameWallClock(later.value)) {
    return Either.left(
      `'${text}' happens twice in ${zone.id} (at ${before} and again at ${after}, when the clocks go back); ` +
        "refusing to guess which: the source must give the offset"
    )
  }
  return Either.left(
    `'${text}' does not exist in ${zone.id}: the clocks jump forward (${before} to ${after}) over that local time; ` +
      "refusing to guess what was meant"
  )
}

// == custom formats (`format: "MM/DD/YYYY hh:mm A"`)

interface CompiledFormat {
  readonly text: string
  readonly read: (text: string) => Reading | undefined
  readonly render: (parts: LocalParts) => string
}

const tokenPattern: Record<string, string> = {
  YYYY: "(\\d{4})",
  MM: "(\\d{2})",
  M: "(\\d{1,2})",
  DD: "(\\d{2})",
  D: "(\\d{1,2})",
  HH: "(\\d{2})",
  H: "(\\d{1,2})",
  hh: "(\\d{2})",
  h: "(\\d{1,2})",
  mm: "(\\d{2})",
  ss: "(\\d{2})",
  SSS: "(\\d{1,9})",
  A: "(AM|PM|am|pm)",
  Z: "(Z|z|[+-]\\d{2}(?::?\\d{2})?)"
}
const tokenRegex = /\[([^\]]*)\]|YYYY|SSS|MM|DD|HH|hh|mm|ss|M|D|H|h|A|Z|[A-Za-z]/g

const compileFormat = (format: string): Either.Either<CompiledFormat, string> => {
  const tokens: Array<string> = []
  let pattern = ""
  let last = 0
  let bad: string | undefined
  for (const match of format.matchAll(tokenRegex)) {
    pattern += escapeRegex(format.slice(last, match.index))
    last = match.index + match[0].length
    if (match[1] !== undefined) pattern += escapeRegex(match[1])
    else if (tokenPattern[match[0]] !== undefined) {
      tokens.push(match[0])
      pattern += tokenPattern[match[0]]
    } else bad ??= match[0]
  }
  pattern += escapeRegex(format.slice(last))
  if (bad !== undefined) {
    return Either.left(`datetime format '${format}' has an unknown letter '${bad}' (tokens: YYYY MM M DD D HH H hh h mm ss SSS A Z; put literal text in [brackets])`)
  }
  for (const needed of ["YYYY", "M", "D", "H", "m"]) {
    if (!tokens.some((token) => token.startsWith(needed) || (needed === "H" && token.startsWith("h")))) {
      return Either.left(`datetime format '${format}' has no ${needed} token: a date-time needs year, month, day, hour and minute`)
    }
  }
  if (tokens.some((token) => token.startsWith("h")) !== tokens.includes("A")) {
    return Either.left(`datetime format '${format}': 12-hour hh/h goes with A (AM/PM), and 24-hour HH/H without it`)
  }
  const regex = new RegExp(`^${pattern}$`)
  const read = (text: string): Reading | undefined => {
    const match = regex.exec(text)
    if (match === null) return undefined
    const values = new Map(tokens.map((token, i) => [token, match[i + 1]!]))
    const number = (...names: Array<string>) => Number(names.map((name) => values.get(name)).find((v) => v !== undefined) ?? 0)
    let hours = number("HH", "H", "hh", "h")
    const meridiem = values.get("A")?.toUpperCase()
    if (meridiem !== undefined) {
      if (hours < 1 || hours > 12) return undefined
      hours = (hours % 12) + (meridiem === "PM" ? 12 : 0)
    }
    const offsetText = values.get("Z")
    const offset = offsetText === undefined ? undefined : readOffset(offsetText)
    if (offsetText !== undefined && offset === undefined) return undefined
    return {
      parts: {
        year: number("YYYY"),
        month: number("MM", "M"),
        day: number("DD", "D"),
        hours,
        minutes: number("mm"),
        seconds: number("ss"),
        millis: fractionToMillis(values.get("SSS"))
      },
      offset
    }
  }
  const render = (parts: LocalParts): string =>
    format.replace(tokenRegex, (token, literal: string | undefined) => {
      if (literal !== undefined) return literal
      const h12 = parts.hours % 12 === 0 ? 12 : parts.hours % 12
      const rendered: Record<string, string> = {
        YYYY: pad(parts.year, 4),
        MM: pad(parts.month, 2),
        M: String(parts.month),
        DD: pad(parts.day, 2),
        D: String(parts.day),
        HH: pad(parts.hours, 2),
        H: String(parts.hours),
        hh: pad(h12, 2),
        h: String(h12),
        mm: pad(parts.minutes, 2),
        ss: pad(parts.seconds, 2),
        SSS: pad(parts.millis, 3),
        A: parts.hours < 12 ? "AM" : "PM",
        Z: ""
      }
      return rendered[token] ?? token
    })
  return Either.right({ text: format, read, render })
}

const defaultLocalText = (parts: LocalParts): string =>
  `${pad(parts.year, 4)}-${pad(parts.month, 2)}-${pad(parts.day, 2)} ${pad(parts.hours, 2)}:${pad(parts.minutes, 2)}:${pad(parts.seconds, 2)}${
    parts.millis === 0 ? "" : `.${pad(parts.millis, 3)}`
  }`

const pad = (value: number, width: number): string => String(value).padStart(width, "0")
const pad2 = (value: number): string => (value < 10 ? `0${value}` : String(value))
const pad3 = (value: number): string => (value < 10 ? `00${value}` : value < 100 ? `0${value}` : String(value))

const escapeRegex = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
