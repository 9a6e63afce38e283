import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { compile, crm, generic, issuesOf, issueWith, mapped, record, rejected } from "./MappingFixtures.js"

const base = { case_id: "LC-1", borrower_ref: "BRW-1001" }

describe("the mapping vocabulary, record by record", () => {
  it.effect("from: copies a value, also out of nested objects; `target: field` is short for it", () =>
    Effect.gen(function*() {
      const mapping = yield* compile(generic("  name: subject\n  metaData.city: { from: address.city }"))
      const result = yield* mapped(mapping, { ...base, subject: "Payoff", address: { city: "Albany" } })
      expect(result.body.name).toBe("Payoff")
      expect(result.body.metaData).toEqual({ city: "Albany" })
    }))

  it.effect("identity: externalId and key templates, borrower by externalId, case type by name", () =>
    Effect.gen(function*() {
      const mapping = yield* compile(generic("  name: subject", "key: \"{case_id}\""))
      const result = yield* mapped(mapping, { ...base, case_id: " LC-77 ", subject: "x" })
      expect(result).toMatchObject({
        externalId: "legacy-LC-77",
        sourceKey: "LC-77",
        borrower: { externalId: "BRW-1001" },
        typeId: "101",
        location: { _tag: "csv", file: "inline.csv", line: 2 }
      })
      expect(result.body).toMatchObject({ typeId: "101", externalId: "legacy-LC-77" })
    }))

  it.effect("the source key defaults to the externalId", () =>
    Effect.gen(function*() {
      const result = yield* mapped(yield* compile(generic("  name: subject")), { ...base, subject: "x" })
      expect(result.sourceKey).toBe("legacy-LC-1")
    }))

  it.effect("const: and template: fill values from nothing or from several fields; {{ }} write braces", () =>
    Effect.gen(function*() {
      const mapping = yield* compile(generic("  autoCreated: { const: true }\n  name: { template: \"{{{case_id}}} {subject}\" }"))
      const result = yield* mapped(mapping, { ...base, subject: "Payoff" })
      expect(result.body.autoCreated).toBe(true)
      expect(result.body.name).toBe("{LC-1} Payoff")
    }))

  it.effect("a template with an empty placeholder rejects the record, naming that field", () =>
    Effect.gen(function*() {
      const mapping = yield* compile(generic("  name: subject"))
      const rejection = yield* rejected(mapping, { ...base, borrower_ref: "  ", subject: "x" })
      expect(rejection.field).toBe("borrower_ref")
      expect(rejection.reason).toBe("borrower: borrower_ref is empty, so \"{borrower_ref}\" cannot be filled")
      expect(rejection.externalId).toBe("legacy-LC-1")
      expect(rejection.raw).toEqual({ ...base, borrower_ref: "  ", subject: "x" })
    }))

  it.effect("map: turns codes into target values (YAML numbers match CSV text); unknown codes reject", () =>
    Effect.gen(function*() {
      const mapping = yield* compile(generic(
        "  status: { from: status, map: { OPEN: initiated, CLOSED: completed } }\n" +
          "  customFields.legacyPriority: { from: priority, map: { 1: urgent, 2: high } }"
      ))
      const result = yield* mapped(mapping, { ...base, status: "CLOSED", priority: "1" })
      expect(result.body.status).toBe("completed")
      expect(result.body.customFields).toEqual({ legacyPriority: "urgent" })
      const rejection = yield* rejected(mapping, { ...base, status: "closed", priority: "2" })
      expect(rejection.field).toBe("status")
      expect(rejection.reason).toBe("status: \"closed\" is not a known code (mapped: OPEN, CLOSED)")
    }))

  it.effect("trim: strips blanks; a blank value is no value: left out of the body, null among the owned values", () =>
    Effect.gen(function*() {
      const mapping = yield* compile(generic("  name: { from: subject, trim: true }\n  customFields.legacyChannel: { from: channel, trim: true }"))
      const result = yield* mapped(mapping, { ...base, subject: "  Payoff \t", channel: "   " })
      expect(result.body.name).toBe("Payoff")
      expect(result.body.customFields).toBeUndefined()
      expect(result.values).toEqual({ name: "Payoff", "customFields.legacyChannel": null })
      expect(result.ownedFields).toEqual(["name", "customFields.legacyChannel"])
    }))

  it.effect("truncate: cuts to the declared limit, marker included, and never splits a surrogate pair", () =>
    Effect.gen(function*() {
      const mapping = yield* compile(generic(
        "  name: { from: subject, truncate: 5 }\n  customFields.legacyChannel: { from: channel, truncate: { max: 10, marker: \"…\" } }"
      ))
      const result = yield* mapped(mapping, { ...base, subject: "abcd😀xyz", channel: "telephone call" })
      expect(result.body.name).toBe("abcd")
      expect(result.body.customFields).toEqual({ legacyChannel: "telephone…" })
      const short = yield* mapped(mapping, { ...base, subject: "abc", channel: "phone" })
      expect([short.body.name, short.body.customFields?.legacyChannel]).toEqual(["abc", "phone"])
    }))

  it.effect("a value longer than the target allows, without truncate:, is rejected here, not at the API", () =>
    Effect.gen(function*() {
      const mapping = yield* compile(generic("  customFields.legacyChannel: channel"))
      const rejection = yield* rejected(mapping, { ...base, channel: "x".repeat(41) })
      expect(rejection.field).toBe("channel")
      expect(rejection.reason).toContain("is 41 characters; custom field legacyChannel of case type 'Legacy servicing case' (101) allows at most 40")
    }))

  it.effect("default: stands in when the source has no value; required: rejects instead", () =>
    Effect.gen(function*() {
      const mapping = yield* compile(generic(
        "  customFields.legacyPriority: { from: priority, map: { P1: urgent }, default: normal }\n  name: { from: subject, required: true }"
      ))
      const result = yield* mapped(mapping, { ...base, priority: "", subject: "x" })
      expect(result.body.customFields).toEqual({ legacyPriority: "normal" })
      const rejection = yield* rejected(mapping, { ...base, priority: "P1" })
      expect([rejection.field, rejection.reason]).toEqual(["subject", "name: required, but subject is empty"])
    }))

  it.effect("lookup: replaces a code by the table's value; a code not in the table rejects", () =>
    Effect.gen(function*() {
      const mapping = yield* compile(generic(
        "  customFields.legacyAgentEmail: { from: agent_code, lookup: { file: ../samples/lookups/agents.csv, key: code, value: email } }"
      ))
      const result = yield* mapped(mapping, { ...base, agent_code: "AG-007" })
      expect(result.body.customFields).toEqual({ legacyAgentEmail: "mei.chen@acme-lending.example" })
      const rejection = yield* rejected(mapping, { ...base, agent_code: "AG-404" })
      expect(rejection.field).toBe("agent_code")
      expect(rejection.reason).toBe("customFields.legacyAgentEmail: \"AG-404\" is not in ../samples/lookups/agents.csv (column code)")
    }))

  it.effect("a borrower can come from a lookup table giving Peach person ids", () =>
    Effect.gen(function*() {
      const mapping = yield* compile(`
externalId: "legacy-{case_id}"
borrower: { from: agent_code, lookup: { file: ../samples/lookups/agents.csv, key: code, value: name }, as: id }
caseType: { base: militaryDuty }
fields:
  name: subject
`)
      const result = yield* mapped(mapping, { case_id: "1", agent_code: "AG-003", subject: "SCRA" })
      expect(result.borrower).toEqual({ id: "Sofia Rossi" })
      expect(result.typeId).toBe("104")
    }))

  it.effect("type: coerces CSV text to numbers, whole numbers, booleans and dates, and refuses what is not", () =>
    Effect.gen(function*() {
      const mapping = yield* compile(crm([
        "  customFields.crmInteractionCount: { from: count, type: integer }",
        "  customFields.crmEscalated: { from: escalated, type: boolean }",
        "  courtCaseFiledDate: { from: filed, type: date }",
        "  customFields.crmProduct: { from: product, type: string }"
      ].join("\n")))
      const result = yield* mapped(mapping, { id: "1", customerId: "BRW-1", number: "9", count: " 42 ", escalated: "Y", filed: "2024-02-29", product: 7 })
      expect(result.body.customFields).toEqual({ crmNumber: "9", crmInteractionCount: 42, crmEscalated: true, crmProduct: "7" })
      expect(result.body.courtCaseFiledDate).toBe("2024-02-29")
      const no = yield* mapped(mapping, { id: "1", customerId: "BRW-1", number: "9", escalated: "no" })
      expect(no.body.customFields?.crmEscalated).toBe(false)
      const bad = yield* rejected(mapping, { id: "1", customerId: "BRW-1", number: "9", count: "4.5", escalated: "maybe", filed: "2023-02-29" })
      expect(bad.field).toBe("count, escalated, filed")
      expect(bad.reason).toBe(
        "customFields.crmInteractionCount: \"4.5\" is not a whole number; " +
          "customFields.crmEscalated: \"maybe\" is not a yes/no value (true/false, yes/no, y/n, 1/0); " +
          "courtCaseFiledDate: \"2023-02-29\" is not a date YYYY-MM-DD"
      )
    }))

  it.effect("compute: evaluates JSONata over the whole record; its result is checked like any value", () =>
    Effect.gen(function*() {
      const mapping = yield* compile(crm(
        "  customFields.crmInteractionCount: { compute: \"$count(interactions)\" }\n" +
          "  name: { compute: \"title & ' (' & $uppercase(channel) & ')'\" }"
      ))
      const result = yield* mapped(mapping, { id: "1", customerId: "B", number: "9", title: "Hi", channel: "dm", interactions: [{}, {}] })
      expect(result.body.customFields?.crmInteractionCount).toBe(2)
      expect(result.body.name).toBe("Hi (DM)")
      const none = yield* mapped(mapping, { id: "1", customerId: "B", number: "9", title: "Hi", channel: "dm" })
      expect(none.body.customFields?.crmInteractionCount).toBe(0)

      const fractional = yield* compile(crm("  customFields.crmInteractionCount: { compute: \"$count(interactions) / 2\" }"))
      const rejection = yield* rejected(fractional, { id: "1", customerId: "B", number: "9", interactions: [{}] })
      expect([rejection.field, rejection.reason]).toEqual([
        "customFields.crmInteractionCount",
        "customFields.crmInteractionCount: expected a whole number, got 0.5"
      ])
    }))

  it.effect("a JSONata expression failing on a record rejects that record instead of crashing the run", () =>
    Effect.gen(function*() {
      const mapping = yield* compile(crm("  customFields.crmInteractionCount: { compute: \"$number(count)\" }"))
      const rejection = yield* rejected(mapping, { id: "1", customerId: "B", number: "9", count: "many" })
      expect(rejection.field).toBe("customFields.crmInteractionCount")
      expect(rejection.reason).toContain("compute \"$number(count)\" failed")
    }))

  it.effect("custom fields are checked against the case type: enum values, required fields", () =>
    Effect.gen(function*() {
      const mapping = yield* compile(crm("  customFields.crmPriority: priority"))
      const enumValue = yield* rejected(mapping, { id: "1", customerId: "B", number: "9", priority: "urgent" })
      expect(enumValue.reason).toBe("customFields.crmPriority: \"urgent\" is not allowed; expected one of low, medium, high")
      const missing = yield* rejected(mapping, { id: "1", customerId: "B", priority: "low" })
      expect([missing.field, missing.reason]).toEqual(["number", "customFields.crmNumber: required, but number is empty"])
    }))

  it.effect("one mapping, several case types: a value map picks the type, onlyFor fields apply to theirs", () =>
    Effect.gen(function*() {
      const mapping = yield* compile(`
externalId: "legacy-{case_id}"
borrower: { externalId: "{borrower_ref}" }
caseType: { from: kind, map: { GEN: Legacy servicing case, BK: Bankruptcy } }
fields:
  customFields.legacyNotes: notes
  customFields.trusteeName: { from: trustee, onlyFor: [Bankruptcy] }
  customFields.legacyChannel: { from: channel, onlyFor: ["101"] }
`)
      const bankruptcy = yield* mapped(mapping, { ...base, kind: "BK", notes: "n", trustee: "T", channel: "phone" })
      expect(bankruptcy.typeId).toBe("102")
      expect(bankruptcy.body.customFields).toEqual({ legacyNotes: "n", trusteeName: "T" })
      expect(bankruptcy.ownedFields).toEqual(["customFields.legacyNotes", "customFields.trusteeName"])
      const generic = yield* mapped(mapping, { ...base, kind: " GEN ", notes: "n", trustee: "T", channel: "phone" })
      expect(generic.typeId).toBe("101")
      expect(generic.body.customFields).toEqual({ legacyNotes: "n", legacyChannel: "phone" })
      expect(mapping.ownedFields).toEqual(["customFields.legacyNotes", "customFields.trusteeName", "customFields.legacyChannel"])
      const unknown = yield* rejected(mapping, { ...base, kind: "XX" })
      expect([unknown.field, unknown.reason]).toEqual(["kind", "caseType: \"XX\" is not a known code (mapped: GEN, BK)"])
    }))

  it.effect("caseType by base needs exactly one active type of that base", () =>
    Effect.gen(function*() {
      const yaml = generic("  name: subject").replace("{ name: Legacy servicing case }", "{ base: generic }")
      expect(issueWith(yield* issuesOf(yaml), "2 active case types have base 'generic'").message).toContain(
        "'Legacy servicing case' (101), 'CRM conversation' (106)"
      )
    }))

  it.effect("a record that blows up inside a step is rejected, not thrown: the run goes on", () =>
    Effect.gen(function*() {
      const mapping = yield* compile(generic("  name: subject"))
      const data = { ...base }
      Object.defineProperty(data, "subject", { enumerable: true, get: () => { throw new Error("cell cannot be read") } })
      const result = yield* mapping.mapRecord(record(data))
      expect(result).toMatchObject({
        _tag: "Rejection",
        field: "(record)",
        reason: "mapping failed unexpectedly: cell cannot be read",
        externalId: "legacy-LC-1"
      })
    }))

  it.effect("an unreadable source row becomes a rejection holding the raw text", () =>
    Effect.gen(function*() {
      const mapping = yield* compile(generic("  name: subject"))
      const result = yield* mapping.mapItem({
        _tag: "Unreadable",
        location: { _tag: "csv", file: "x.csv", line: 7 },
        reason: "expected 3 cells, found 4",
        raw: "a,b,c,d"
      })
      expect(result).toEqual({
        _tag: "Rejection",
        location: { _tag: "csv", file: "x.csv", line: 7 },
        sourceKey: null,
        externalId: null,
        field: "(record)",
        reason: "expected 3 cells, found 4",
        raw: "a,b,c,d"
      })
    }))
})
