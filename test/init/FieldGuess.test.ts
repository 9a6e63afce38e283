import { describe, expect, it } from "vitest"
import { camelCase, dateLikeName, distinctCodes, guessCode, guessMapping, normalize, type SourceField } from "../../src/init/FieldGuess.js"

const statuses = ["initiated", "processing", "completed", "canceled", "reopened"]
const field = (name: string, ...samples: Array<string>): SourceField => ({ name, samples })

describe("names", () => {
  it("normalise case, separators and spaces away, and camel-case for metaData keys", () => {
    expect(normalize("Case_ID")).toBe("caseid")
    expect(normalize("case id")).toBe(normalize("caseId"))
    expect(camelCase("created_at")).toBe("createdAt")
    expect(camelCase("Due Date")).toBe("dueDate")
    expect(camelCase("__")).toBe("field")
  })

  it("read as date-times by a word at their end or start, not by letters inside a word", () => {
    for (const name of ["closed_at", "due date", "resolvedOn", "date_closed", "dateClosed", "time"]) expect(dateLikeName(name), name).toBe(true)
    for (const name of ["description", "session", "format", "dates", "status"]) expect(dateLikeName(name), name).toBe(false)
  })
})

describe("guessCode", () => {
  it("matches a target value whatever its case and separators, then a few common synonyms, else leaves it", () => {
    expect(guessCode("IN_PROGRESS", statuses)).toBe("processing")
    expect(guessCode("REOPENED", statuses)).toBe("reopened")
    expect(guessCode("CANCELLED", statuses)).toBe("canceled")
    expect(guessCode("OPEN", statuses)).toBe("initiated")
    expect(guessCode("FALSE_POS", ["approved", "denied", "falsePositive", "noOutcome"])).toBe("falsePositive")
    expect(guessCode("PENDING_REVIEW", statuses)).toBeUndefined()
    // A synonym only counts when its value is allowed for that field.
    expect(guessCode("none", statuses)).toBeUndefined()
  })

  it("sees each code once, trimmed, in order of first appearance", () => {
    expect(distinctCodes(["OPEN", "CLOSED ", "", "OPEN", " CLOSED"])).toEqual(["OPEN", "CLOSED"])
  })
})

describe("guessMapping", () => {
  const header = [
    field("case_id", "LC-1"),
    field("borrower_ref", "BRW-1"),
    field("case_type", "GEN", "BK", "GEN"),
    field("status", "OPEN", "PENDING_REVIEW"),
    field("subject", "Autopay"),
    field("created_at", "2022-02-03 04:32:18.500", "2022-02-04T10:00:00-05:00"),
    field("updated_at", "", ""),
    field("last_seen", "2022-02-03T04:32:18Z"),
    field("notes", "called"),
    field("legacy_checksum", "135b")
  ]

  it("finds the key, the borrower and the case-type column by name, with the case-type codes seen", () => {
    const guess = guessMapping(header)
    expect(guess.key?.from).toBe("case_id")
    expect(guess.borrower?.from).toBe("borrower_ref")
    expect(guess.caseType).toMatchObject({ from: "case_type", codes: ["GEN", "BK"] })
  })

  it("guesses case fields by name, enum codes onto allowed values, and leaves the rest unmatched", () => {
    const guess = guessMapping(header)
    expect(guess.fields.map((f) => [f.target, f.from])).toEqual([
      ["name", "subject"],
      ["status", "status"],
      ["openedAt", "created_at"],
      ["metaData.updatedAt", "updated_at"],
      ["metaData.lastSeen", "last_seen"]
    ])
    expect(guess.fields.find((f) => f.target === "status")?.map?.codes).toEqual([
      { code: "OPEN", to: "initiated" },
      { code: "PENDING_REVIEW", to: undefined }
    ])
    expect(guess.unmatched).toEqual(["notes", "legacy_checksum"])
  })

  it("asks for a zone when a date-time value lacks an offset, and not when all carry one", () => {
    const guess = guessMapping(header)
    const of = (target: string) => guess.fields.find((f) => f.target === target)?.datetime
    expect(of("openedAt")).toMatchObject({ seen: 2, withOffset: 1, needsZone: true })
    expect(of("metaData.lastSeen")).toMatchObject({ seen: 1, withOffset: 1, needsZone: false })
    // No value seen: a name is all there is, and nothing says the times carry an offset.
    expect(of("metaData.updatedAt")).toMatchObject({ seen: 0, needsZone: true })
  })

  it("uses what the CRM declares: its list values as the codes, a checkbox as a boolean, a documented date-time as offset-carrying", () => {
    const guess = guessMapping([
      { name: "id", samples: [] },
      { name: "customerId", samples: [] },
      { name: "status", samples: [], declared: { _tag: "List", values: ["open", "closed"] } },
      { name: "created", samples: [], declared: { _tag: "DateTime" } },
      { name: "escalated", samples: [], declared: { _tag: "Boolean" } },
      { name: "description", samples: [] }
    ])
    expect(guess.key?.from).toBe("id")
    expect(guess.borrower?.from).toBe("customerId")
    expect(guess.caseType).toBeUndefined()
    expect(guess.fields.find((f) => f.target === "status")?.map).toMatchObject({
      declared: true,
      codes: [{ code: "open", to: "initiated" }, { code: "closed", to: "completed" }]
    })
    expect(guess.fields.find((f) => f.target === "openedAt")?.datetime).toMatchObject({ needsZone: false })
    expect(guess.fields.find((f) => f.from === "escalated")).toMatchObject({ target: "metaData.escalated", boolean: true })
    expect(guess.unmatched).toEqual(["description"])
  })

  it("guesses nothing it has no rule for", () => {
    expect(guessMapping([field("foo", "1"), field("bar", "x")])).toEqual({
      key: undefined,
      borrower: undefined,
      caseType: undefined,
      fields: [],
      unmatched: ["foo", "bar"]
    })
  })
})
