import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import { makeDatetimeCodec } from "../../src/mapping/Datetime.js"
import { compile, generic, mapped, rejected } from "./MappingFixtures.js"

const codec = (options: { timezone?: string; format?: string } = {}) => Either.getOrThrow(makeDatetimeCodec(options))
const newYork = codec({ timezone: "America/New_York" })
const offsetOnly = codec()

const decoded = (c: ReturnType<typeof codec>, text: string) => Either.getOrThrowWith(c.decode(text), (e) => new Error(e))
const refusal = (c: ReturnType<typeof codec>, text: string) =>
  Either.match(c.decode(text), { onLeft: (reason) => reason, onRight: (value) => `accepted as ${value}` })

describe("datetimes: exact instants with their offset, never a guess", () => {
  it("a naive time in the spring-forward gap does not exist and is refused", () => {
    for (const text of ["2023-03-12 02:00:00", "2023-03-12 02:30:00", "2023-03-12 02:59:59.999", "2024-03-10 02:15"]) {
      const reason = refusal(newYork, text)
      expect(reason).toContain(`'${text}' does not exist in America/New_York`)
      expect(reason).toContain("-05:00 to -04:00")
    }
  })

  it("a naive time in the fall-back overlap happens twice and is refused", () => {
    for (const text of ["2023-11-05 01:00:00", "2023-11-05 01:30:00", "2023-11-05 01:59:59.999", "2024-11-03 01:15:00"]) {
      const reason = refusal(newYork, text)
      expect(reason).toContain(`'${text}' happens twice in America/New_York (at -04:00 and again at -05:00`)
    }
  })

  it("answers each value of one local minute exactly, whatever was placed in that minute before (the offset is reused, not the text)", () => {
    const fresh = codec({ timezone: "America/New_York" })
    expect(decoded(fresh, "2023-03-12 01:59:00")).toBe("2023-03-12T01:59:00.000-05:00")
    expect(decoded(fresh, "2023-03-12 01:59:59.999")).toBe("2023-03-12T01:59:59.999-05:00")
    expect(decoded(fresh, "2023-03-12 03:00:07.5")).toBe("2023-03-12T03:00:07.500-04:00")
    expect(refusal(fresh, "2023-03-12 02:00:30")).toContain("'2023-03-12 02:00:30' does not exist")
    expect(refusal(fresh, "2023-03-12 02:00:31")).toContain("'2023-03-12 02:00:31' does not exist")
    expect(refusal(fresh, "2023-11-05 01:30:01")).toContain("'2023-11-05 01:30:01' happens twice")
    // Before 1973 some zones had offsets in seconds (Monrovia, -00:44:30): placed exactly, every time.
    const monrovia = codec({ timezone: "Africa/Monrovia" })
    const once = decoded(monrovia, "1960-06-01 12:00:10")
    expect(decoded(monrovia, "1960-06-01 12:00:10")).toBe(once)
    expect(Date.parse(once)).toBe(Date.parse(decoded(codec({ timezone: "Africa/Monrovia" }), "1960-06-01 12:00:10")))
  })

  it("times on both sides of a transition get the offset in force, exact to the millisecond", () => {
    const cases: ReadonlyArray<[string, string, number]> = [
      ["2023-03-12 01:59:59.999", "2023-03-12T01:59:59.999-05:00", Date.UTC(2023, 2, 12, 6, 59, 59, 999)],
      ["2023-03-12 03:00:00", "2023-03-12T03:00:00.000-04:00", Date.UTC(2023, 2, 12, 7, 0, 0, 0)],
      ["2023-11-05 00:59:59.999", "2023-11-05T00:59:59.999-04:00", Date.UTC(2023, 10, 5, 4, 59, 59, 999)],
      ["2023-11-05 02:00:00", "2023-11-05T02:00:00.000-05:00", Date.UTC(2023, 10, 5, 7, 0, 0, 0)]
    ]
    for (const [text, expected, epoch] of cases) {
      const value = decoded(newYork, text)
      expect(value).toBe(expected)
      expect(Date.parse(value)).toBe(epoch)
    }
  })

  it("winter and summer instants carry the right offset; fractions are kept to the millisecond", () => {
    expect(decoded(newYork, "2024-01-15 08:30:15.123")).toBe("2024-01-15T08:30:15.123-05:00")
    expect(Date.parse(decoded(newYork, "2024-01-15 08:30:15.123"))).toBe(Date.UTC(2024, 0, 15, 13, 30, 15, 123))
    expect(decoded(newYork, "2024-07-15T08:30:15.5")).toBe("2024-07-15T08:30:15.500-04:00")
    expect(decoded(newYork, "2024-07-15 08:30")).toBe("2024-07-15T08:30:00.000-04:00")
    // Micro- and nanoseconds are cut to what the target stores, not rounded into the next millisecond.
    expect(decoded(offsetOnly, "2023-07-07T07:30:00.123456-07:00")).toBe("2023-07-07T07:30:00.123-07:00")
    expect(decoded(offsetOnly, "2023-07-07T07:30:00.9999999Z")).toBe("2023-07-07T07:30:00.999Z")
  })

  it("an offset in the source is kept as written (Z stays Z, +05:30 stays +05:30), normalised to milliseconds", () => {
    expect(decoded(offsetOnly, "2024-03-01T09:15:00.12+02:00")).toBe("2024-03-01T09:15:00.120+02:00")
    expect(decoded(offsetOnly, "2024-03-01T09:15:00Z")).toBe("2024-03-01T09:15:00.000Z")
    expect(decoded(offsetOnly, "2024-03-01t09:15:00z")).toBe("2024-03-01T09:15:00.000Z")
    expect(decoded(offsetOnly, "2024-03-01T09:15:00+05:30")).toBe("2024-03-01T09:15:00.000+05:30")
    expect(decoded(offsetOnly, "2024-03-01T09:15:00+00:00")).toBe("2024-03-01T09:15:00.000+00:00")
    expect(decoded(offsetOnly, "2024-03-01 09:15:00-0500")).toBe("2024-03-01T09:15:00.000-05:00")
    // A declared zone does not override an offset the source states.
    expect(decoded(newYork, "2023-03-12T02:30:00+05:30")).toBe("2023-03-12T02:30:00.000+05:30")
  })

  it("without a declared zone a naive time is refused; so are malformed and impossible values", () => {
    expect(refusal(offsetOnly, "2024-03-01 09:15:00")).toBe(
      "'2024-03-01 09:15:00' has no UTC offset; declare datetime: { timezone: ... } if the source writes local times"
    )
    expect(refusal(newYork, "03/15/2023 9:00 AM")).toContain("is not a date-time")
    expect(refusal(newYork, "2023-02-29 10:00:00")).toBe("'2023-02-29 10:00:00' is not a real date-time: 2023-02-29 is not a calendar day")
    expect(refusal(newYork, "2023-04-01 24:00:00")).toContain("24:00:00 is not a time of day")
    expect(refusal(offsetOnly, "2023-04-01T10:00:00+25:00")).toContain("is not a date-time")
    expect(refusal(newYork, "2023-04-01")).toContain("is not a date-time")
    expect(Either.getLeft(newYork.decode(1_700_000_000_000))._tag).toBe("Some")
  })

  it("half-hour daylight saving (Lord Howe Island) is handled the same way", () => {
    const lordHowe = codec({ timezone: "Australia/Lord_Howe" })
    expect(refusal(lordHowe, "2023-10-01 02:15:00")).toContain("does not exist in Australia/Lord_Howe")
    expect(refusal(lordHowe, "2023-04-02 01:45:00")).toContain("happens twice in Australia/Lord_Howe")
    expect(decoded(lordHowe, "2023-10-01 02:30:00")).toBe("2023-10-01T02:30:00.000+11:00")
    expect(decoded(lordHowe, "2023-07-01 12:00:00")).toBe("2023-07-01T12:00:00.000+10:30")
  })

  it("a declared format reads other layouts, 12-hour clocks included", () => {
    const us = codec({ timezone: "America/New_York", format: "MM/DD/YYYY hh:mm A" })
    expect(decoded(us, "03/15/2023 09:05 PM")).toBe("2023-03-15T21:05:00.000-04:00")
    expect(decoded(us, "01/02/2023 12:00 AM")).toBe("2023-01-02T00:00:00.000-05:00")
    expect(refusal(us, "2023-03-15 21:05")).toContain("is not a date-time (expected the format MM/DD/YYYY hh:mm A)")
    const bracketed = codec({ format: "YYYY.MM.DD[T]HH:mm:ss.SSSZ" })
    expect(decoded(bracketed, "2023.03.15T21:05:06.7-03:00")).toBe("2023-03-15T21:05:06.700-03:00")
  })

  it("encoding writes a target date-time back: the same canonical text with an offset, local text in a zone", () => {
    expect(Either.getOrThrow(offsetOnly.encode("2024-03-01T09:15:00.12+02:00"))).toBe("2024-03-01T09:15:00.120+02:00")
    expect(Either.getOrThrow(newYork.encode("2024-07-15T12:30:15.500Z"))).toBe("2024-07-15 08:30:15.500")
    expect(Either.getOrThrow(newYork.encode("2024-01-15T13:30:00Z"))).toBe("2024-01-15 08:30:00")
    const us = codec({ timezone: "America/New_York", format: "MM/DD/YYYY hh:mm A" })
    expect(Either.getOrThrow(us.encode("2023-03-16T01:05:00Z"))).toBe("03/15/2023 09:05 PM")
    expect(Either.isLeft(newYork.encode("2024-01-15 08:30:00"))).toBe(true)
  })

  it.effect("in a mapping, a refused datetime rejects the record naming the source column", () =>
    Effect.gen(function*() {
      const mapping = yield* compile(generic("  openedAt: { from: created_at, datetime: { timezone: America/New_York } }"))
      const ok = yield* mapped(mapping, { case_id: "1", borrower_ref: "B", created_at: "2023-06-01 10:00:00" })
      expect(ok.body.openedAt).toBe("2023-06-01T10:00:00.000-04:00")
      const gap = yield* rejected(mapping, { case_id: "1", borrower_ref: "B", created_at: "2023-03-12 02:30:00" })
      expect(gap.field).toBe("created_at")
      expect(gap.reason).toMatch(/^openedAt: '2023-03-12 02:30:00' does not exist in America\/New_York/)
    }))
})
