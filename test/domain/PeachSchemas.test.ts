import { describe, expect, it } from "@effect/vitest"
import { Either, ParseResult, Schema } from "effect"
import * as fc from "fast-check"
import {
  AnyId,
  Case,
  CaseCreate,
  CaseType,
  CaseTypeCreate,
  ErrorBody,
  ItemEnvelope,
  ListEnvelope,
  OffsetDateTime,
  offsetDateTimeProblem,
  SnoozeRequest
} from "../../src/domain/peach/index.js"
import { caseTypeJson, fullCaseJson } from "./PeachSamples.js"

/** The field paths a schema refuses `input` at, as `a.b[0].c`. */
const refusedPaths = <A, I>(schema: Schema.Schema<A, I>, input: unknown): Array<string> => {
  const result = Schema.decodeUnknownEither(schema, { errors: "all" })(input)
  if (Either.isRight(result)) return []
  return ParseResult.ArrayFormatter.formatErrorSync(result.left).map((issue) =>
    issue.path.map((key) => (typeof key === "number" ? `[${key}]` : `.${String(key)}`)).join("").replace(/^\./, "")
  )
}

describe("Case (seed 001)", () => {
  it("decodes a case with every field, keeping the sender's timestamp strings", () => {
    const decoded = Schema.decodeUnknownSync(Case)(fullCaseJson())
    expect(decoded.openedAt).toBe("2017-03-10T08:15:00-05:00")
    expect(decoded.outcomeUpdatedAt).toBe("2019-08-24T14:15:22+02:00")
    expect(decoded.caseTypeMeta).toEqual({ base: "bankruptcy", id: "101", name: "Bankruptcy", derivedFromTypeId: null, version: 2 })
    expect(decoded.matchDetails?.nameMatch).toBe("partialMatch")
    expect(decoded.courtCaseChapter).toBe("chapter7")
    expect(Schema.encodeSync(Case)(decoded)).toEqual(fullCaseJson())
  })

  it("decodes inside the item and list envelopes", () => {
    expect(Schema.decodeUnknownSync(ItemEnvelope(Case))({ status: 200, message: "ok", data: fullCaseJson() }).data.id)
      .toBe("CS-AB12-CD34")
    const page = Schema.decodeUnknownSync(ListEnvelope(Case))({
      status: 200,
      total: 1,
      count: 1,
      nextUrl: null,
      previousUrl: null,
      data: [fullCaseJson()]
    })
    expect(page.data).toHaveLength(1)
  })

  it("accepts null for every nullable field", () => {
    const nulls = Object.fromEntries(
      ["updatedAt", "externalId", "outcome", "openedAt", "associations", "owningEmployee", "courtCaseChapter", "customFields"]
        .map((k) => [k, null])
    )
    expect(Either.isRight(Schema.decodeUnknownEither(Case)(fullCaseJson(nulls)))).toBe(true)
  })

  it("refuses an openedAt without a timezone or offset, naming why", () => {
    for (const openedAt of ["2017-03-10T08:15:00", "2017-03-10 08:15", "2017-03-10T08:15:00.123"]) {
      expect(refusedPaths(Case, fullCaseJson({ openedAt }))).toContain("openedAt")
    }
    const message = Either.match(Schema.decodeUnknownEither(OffsetDateTime)("2017-03-10T08:15:00"), {
      onLeft: (e) => ParseResult.TreeFormatter.formatErrorSync(e),
      onRight: () => ""
    })
    expect(message).toContain("timezone or UTC offset")
  })

  it("refuses timestamps that are not real instants", () => {
    expect(refusedPaths(Case, fullCaseJson({ createdAt: "2019-02-30T25:00:00Z" }))).toContain("createdAt")
    expect(refusedPaths(Case, fullCaseJson({ snoozedUntil: "2019-13-01" }))).toContain("snoozedUntil")
  })

  it("refuses days a month does not have, which Date.parse would roll over", () => {
    expect(refusedPaths(Case, fullCaseJson({ openedAt: "2019-02-30T10:00:00Z" }))).toContain("openedAt")
    expect(refusedPaths(Case, fullCaseJson({ openedAt: "2019-04-31T10:00:00+01:00" }))).toContain("openedAt")
    expect(refusedPaths(Case, fullCaseJson({ openedAt: "2019-01-01T24:00:00Z" }))).toContain("openedAt")
    expect(refusedPaths(Case, fullCaseJson({ courtCaseFiledDate: "2019-02-29" }))).toContain("courtCaseFiledDate")
    expect(refusedPaths(Case, fullCaseJson({ openedAt: "2020-02-29T23:59:59.999-12:00", courtCaseFiledDate: "2020-02-29" })))
      .toEqual([])
  })

  it("knows leap years by the Gregorian rule: 2000 and 2400 have a February 29th, 1900 and 2100 do not", () => {
    const is = Schema.is(OffsetDateTime)
    for (const year of ["2000", "2400", "2024", "1996"]) expect(is(`${year}-02-29T12:00:00Z`), year).toBe(true)
    for (const year of ["1900", "2100", "2023", "1999"]) expect(is(`${year}-02-29T12:00:00Z`), year).toBe(false)
    for (const [month, last] of [["01", 31], ["04", 30], ["06", 30], ["09", 30], ["11", 30], ["12", 31]] as const) {
      expect(is(`2021-${month}-${last}T00:00:00Z`)).toBe(true)
      expect(is(`2021-${month}-${last + 1}T00:00:00Z`)).toBe(false)
    }
  })

  it("takes a date-time exactly when its fields name a real instant, as Date.parse and the fields together judge it", () => {
    // The rule before it was written without Date.parse: the reference the check must keep agreeing with.
    const reference = (s: string) => {
      const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})$/i.exec(s)
      if (match === null) return false
      const [, year, month, day, hour, minute, second] = match.map(Number)
      const leap = (year! % 4 === 0 && year! % 100 !== 0) || year! % 400 === 0
      const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month! - 1]
      return !Number.isNaN(Date.parse(s)) && days !== undefined && day! >= 1 && day! <= days && hour! <= 23 && minute! <= 59 &&
        (Number.isNaN(second) || second! <= 59)
    }
    const two = fc.integer({ min: 0, max: 99 }).map((n) => String(n).padStart(2, "0"))
    const text = fc.record({
      year: fc.constantFrom("1900", "1973", "2000", "2023", "2024", "2100", "9999", "0100"),
      month: fc.oneof(two, fc.constantFrom("01", "02", "12")),
      day: fc.oneof(two, fc.constantFrom("28", "29", "30", "31")),
      t: fc.constantFrom("T", "t"),
      hour: two,
      minute: two,
      second: fc.option(two),
      fraction: fc.option(fc.stringMatching(/^\d{1,9}$/)),
      offset: fc.oneof(
        fc.constantFrom("Z", "z"),
        fc.tuple(fc.constantFrom("+", "-"), two, fc.constantFrom(":", ""), two).map((parts) => parts.join(""))
      )
    }).map((p) =>
      `${p.year}-${p.month}-${p.day}${p.t}${p.hour}:${p.minute}${p.second === null ? "" : `:${p.second}${p.fraction === null ? "" : `.${p.fraction}`}`}${p.offset}`
    )
    fc.assert(fc.property(text, (s) => {
      expect(offsetDateTimeProblem(s) === undefined, s).toBe(reference(s))
    }), { numRuns: 20_000 })
  })

  it("refuses values outside every enum", () => {
    const bad = {
      status: "open",
      outcome: "accepted",
      creationProcedure: "manual",
      object: "loan",
      courtCaseChapter: "chapter8",
      matchDetails: { ssnMatch: "maybe" },
      createdByUser: { id: "U", name: null, userType: "robot", descriptor: null, employee: null },
      associations: [{ objectType: "payment", objectId: "P-1" }]
    }
    const paths = refusedPaths(Case, fullCaseJson(bad))
    for (const path of [
      "status",
      "outcome",
      "creationProcedure",
      "object",
      "courtCaseChapter",
      "matchDetails.ssnMatch",
      "createdByUser.userType",
      "associations[0].objectType"
    ]) {
      expect(paths).toContain(path)
    }
  })

  it("requires the fields seed 001 marks non-null", () => {
    const { typeId: _t, status: _s, ...rest } = fullCaseJson()
    expect(refusedPaths(Case, rest)).toEqual(expect.arrayContaining(["typeId", "status"]))
  })
})

/** What casesync reads of a case: a real server may leave out everything else. */
const minimalCaseJson = { id: "CS-AB12-CD34", typeId: "101", status: "initiated" }

describe("Case: decode what casesync uses, tolerate what it does not", () => {
  it("decodes a case with every optional field absent", () => {
    const decoded = Schema.decodeUnknownSync(Case)(minimalCaseJson)
    expect(decoded).toMatchObject({ id: "CS-AB12-CD34", typeId: "101", status: "initiated", people: [], borrowerIds: [] })
    expect(decoded.createdAt).toBeUndefined()
    expect(decoded.name).toBeUndefined()
  })

  it("keeps fields the contract does not know, and ignores them", () => {
    const decoded = Schema.decodeUnknownSync(ListEnvelope(Case))({
      status: 200,
      data: [{ ...fullCaseJson(), lifecycle: { stage: "x" } }],
      links: { self: "/api/cases" }
    })
    expect(decoded.data[0]).toMatchObject({ id: "CS-AB12-CD34", lifecycle: { stage: "x" } })
  })

  it("stays strict on what it uses: ids, externalId, openedAt, updatedAt and the writable fields' enums", () => {
    const { id: _i, ...withoutId } = minimalCaseJson
    expect(refusedPaths(Case, withoutId)).toContain("id")
    expect(refusedPaths(Case, { ...minimalCaseJson, externalId: 42 })).toContain("externalId")
    expect(refusedPaths(Case, { ...minimalCaseJson, updatedAt: "2024-01-01T10:00:00" })).toContain("updatedAt")
    expect(refusedPaths(Case, { ...minimalCaseJson, openedAt: "yesterday" })).toContain("openedAt")
    expect(refusedPaths(Case, { ...minimalCaseJson, borrowerIds: "BO-1" })).toContain("borrowerIds")
    expect(refusedPaths(Case, { ...minimalCaseJson, outcome: "accepted" })).toContain("outcome")
  })
})

describe("CaseCreate (seed 000)", () => {
  it("takes an externalId without prefix and an openedAt with offset", () => {
    const body = { typeId: "101", externalId: "CRM-1001", openedAt: "2017-03-10T08:15:00Z", status: "initiated" as const }
    expect(Schema.encodeSync(CaseCreate)(body)).toEqual(body)
  })

  it("refuses an offset-less openedAt when encoding, so a bad body is never sent", () => {
    expect(Either.isLeft(Schema.encodeEither(CaseCreate)({ typeId: "101", openedAt: "2017-03-10T08:15:00" }))).toBe(true)
  })

  it("refuses an empty externalId and a snooze under one day", () => {
    expect(refusedPaths(CaseCreate, { typeId: "101", externalId: "" })).toContain("externalId")
    expect(refusedPaths(SnoozeRequest, { snoozeFor: 0 })).toContain("snoozeFor")
  })
})

describe("CaseType (seed 002)", () => {
  it("decodes a seed-shaped case type", () => {
    const decoded = Schema.decodeUnknownSync(CaseType)(caseTypeJson())
    expect(decoded.customFieldSchemas?.[0]).toEqual({ name: "legacyPriority", type: "enum", values: ["low", "high"], required: false })
  })

  it("refuses a name over 50 characters and a description over 500", () => {
    expect(refusedPaths(CaseType, caseTypeJson({ name: "x".repeat(51) }))).toContain("name")
    expect(refusedPaths(CaseType, caseTypeJson({ name: "x".repeat(50) }))).toEqual([])
    expect(refusedPaths(CaseTypeCreate, { name: "x".repeat(51) })).toContain("name")
    expect(refusedPaths(CaseTypeCreate, { description: "x".repeat(501) })).toContain("description")
  })

  it("refuses an unknown base type or status", () => {
    expect(refusedPaths(CaseType, caseTypeJson({ caseType: "fraud", status: "retired" }))).toEqual(
      expect.arrayContaining(["caseType", "status"])
    )
  })
})

describe("CaseType: decode what casesync uses, tolerate what it does not", () => {
  it("decodes a case type without createdAt, description or any other optional field", () => {
    const decoded = Schema.decodeUnknownSync(CaseType)({ id: "101", status: "active" })
    expect(decoded).toMatchObject({ id: "101", status: "active", name: "", description: "" })
    expect(decoded.createdAt).toBeUndefined()
    expect(decoded.version).toBeUndefined()
    const { createdAt: _c, description: _d, ...lean } = caseTypeJson()
    expect(Schema.decodeUnknownSync(CaseType)({ ...lean, object: "caseType" })).toMatchObject({ id: "101", object: "caseType" })
  })

  it("stays strict on its id, status and customFieldSchemas", () => {
    expect(refusedPaths(CaseType, { status: "active" })).toContain("id")
    expect(refusedPaths(CaseType, { id: "101" })).toContain("status")
    expect(refusedPaths(CaseType, caseTypeJson({ customFieldSchemas: [{ name: "x", type: "money" }] })))
      .toContain("customFieldSchemas[0].type")
  })

  it("lists pages without status, count or links", () => {
    expect(Schema.decodeUnknownSync(ListEnvelope(CaseType))({ data: [caseTypeJson()] }).data).toHaveLength(1)
    expect(Schema.decodeUnknownSync(ItemEnvelope(CaseType))({ data: caseTypeJson() }).data.id).toBe("101")
  })
})

describe("AnyId and ErrorBody", () => {
  it("accepts Peach ids, numeric ids and ext- ids; refuses others", () => {
    for (const id of ["BO-ABCD-1234", "CS-AB12-CD34", "101", "ext-CRM 1001/a"]) {
      expect(Schema.is(AnyId)(id)).toBe(true)
    }
    for (const id of ["bo-abcd-1234", "CRM-1001", ""]) {
      expect(Schema.is(AnyId)(id)).toBe(false)
    }
  })

  it("decodes an error body with per-field messages", () => {
    expect(
      Schema.decodeUnknownSync(ErrorBody)({ status: 400, message: "invalid", errors: [{ field: "openedAt", message: "needs offset" }] })
    ).toEqual({ status: 400, message: "invalid", errors: [{ field: "openedAt", message: "needs offset" }] })
  })
})
