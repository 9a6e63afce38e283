import { describe, expect, it } from "vitest"
import { parse } from "yaml"
import { guessMapping, type SourceField } from "../../src/init/FieldGuess.js"
import { renderConfig } from "../../src/init/RenderConfig.js"
import { renderMapping, yamlString, zoneQuestion } from "../../src/init/RenderMapping.js"

const field = (name: string, ...samples: Array<string>): SourceField => ({ name, samples })
const options = { job: "legacy", source: "csv legacy.csv", sampled: "the first 200 rows" }

describe("yamlString", () => {
  it("quotes what YAML would read as something else", () => {
    for (const text of ["plain", "yes", "No", "null", "a b", "{x}", "1", "x: y", "#c", ""]) expect(parse(`v: ${yamlString(text)}`).v).toBe(text)
    expect(yamlString("case_id")).toBe("case_id")
  })
})

describe("renderMapping", () => {
  const guess = guessMapping([
    field("case_id", "LC-1"),
    field("borrower_ref", "BRW-1"),
    field("case_type", "GEN", "BK"),
    field("status", "OPEN", "PENDING_REVIEW"),
    field("created_at", "2022-02-03 04:32:18"),
    field("when", "2022-02-03T04:32:18Z"),
    field("notes", "x")
  ])
  const text = renderMapping(guess, options)
  const lines = text.split("\n")
  const doc = parse(text)

  it("is a mapping with the guessed keys, fields and codes", () => {
    expect(doc.externalId).toBe("legacy-{case_id}")
    expect(doc.key).toBe("{case_id}")
    expect(doc.borrower).toEqual({ externalId: "{borrower_ref}" })
    expect(doc.caseType.from).toBe("case_type")
    expect(Object.keys(doc.caseType.map)).toEqual(["GEN", "BK"])
    expect(doc.fields.status.map).toEqual({ OPEN: "initiated", PENDING_REVIEW: "TODO: one of initiated, processing, completed, canceled, reopened" })
    expect(doc.fields.openedAt).toMatchObject({ from: "created_at", required: true })
    expect(doc.ignore).toEqual([])
  })

  it("comments each guess above it", () => {
    for (const target of ["status:", "openedAt:", "metaData.when:"]) {
      const at = lines.findIndex((line) => line.trim() === target)
      expect(lines[at - 1], target).toMatch(/^\s*# guess: /)
    }
    expect(lines[lines.findIndex((line) => line.startsWith("externalId:")) - 1]).toMatch(/^# guess: the record's stable key/)
  })

  it("asks for the zone of local times with a placeholder that is no zone, and keeps offsets as written", () => {
    expect(doc.fields.openedAt.datetime).toEqual({ timezone: zoneQuestion })
    const at = lines.findIndex((line) => line.includes("timezone:"))
    expect(lines.slice(at - 3, at).join("\n")).toContain("1 of 1 values seen in the first 200 rows have no UTC offset: in which time zone were they written?")
    expect(doc.fields["metaData.when"].datetime).toEqual({})
  })

  it("leaves what no rule matched to a person, listed, and nothing guessed as a silent default", () => {
    expect(text).toContain("#   notes")
    expect(doc.fields.notes).toBeUndefined()
    expect(doc.caseType.map.GEN).toMatch(/^TODO: /)
  })

  it("names placeholders for a key, borrower and case type it could not find", () => {
    const bare = parse(renderMapping(guessMapping([field("foo", "1")]), options))
    expect(bare.externalId).toBe("legacy-{TODO_key_field}")
    expect(bare.borrower).toEqual({ externalId: "{TODO_borrower_field}" })
    expect(bare.caseType).toEqual({ name: "TODO: the target case type's name" })
  })
})

describe("renderConfig", () => {
  it("writes a run config whose secrets are environment references and whose guesses are commented", () => {
    const text = renderConfig({
      job: "legacy",
      source: { kind: "csv", path: "data/legacy.csv", delimiter: ";", encoding: "utf-8" },
      mapping: "legacy.mapping.yaml",
      targetUrl: "http://127.0.0.1:4010"
    })
    const doc = parse(text)
    expect(doc).toMatchObject({
      job: "legacy",
      source: { kind: "csv", path: "data/legacy.csv", delimiter: ";", encoding: "utf-8" },
      mapping: "legacy.mapping.yaml",
      target: { baseUrl: "${PEACH_BASE_URL:-http://127.0.0.1:4010}", token: "${PEACH_API_TOKEN}" }
    })
    expect(text).toMatch(/delimiter: ";"\s+# guess/)
    const crm = parse(renderConfig({ job: "crm", source: { kind: "khoros", baseUrl: "http://crm/api" }, mapping: "m.yaml", targetUrl: "http://t" }))
    expect(crm.source).toMatchObject({ kind: "khoros", baseUrl: "http://crm/api", apiKey: "${KHOROS_API_KEY}", customers: "borrowers" })
  })
})
