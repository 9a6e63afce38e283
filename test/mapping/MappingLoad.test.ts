import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as NodePath from "node:path"
import { loadMapping, MappingLoadError } from "../../src/mapping/index.js"
import { caseTypes, compile, crm, generic, issuesOf, issueWith, root, sampleConfig } from "./MappingFixtures.js"

/** Line and column (1-based) of the `nth` occurrence of `text` in `yaml`, found by plain search. */
const at = (yaml: string, text: string, nth = 1) => {
  let index = -1
  for (let i = 0; i < nth; i++) {
    index = yaml.indexOf(text, index + 1)
    if (index === -1) throw new Error(`${text} not in the fixture`)
  }
  const before = yaml.slice(0, index).split("\n")
  return { line: before.length, column: before[before.length - 1]!.length + 1 }
}

const position = (issue: { line: number; column: number }) => ({ line: issue.line, column: issue.column })

const legacyColumns = ["case_id", "borrower_ref", "case_type", "status", "subject", "created_at", "agent_code", "flag"]

describe("loading a mapping file: every mistake with its line and column", () => {
  it.effect("YAML syntax errors point at where the parser gave up", () =>
    Effect.gen(function*() {
      const yaml = generic("  name: { from: subject\n  status: status")
      const issues = yield* issuesOf(yaml)
      expect(issues.length).toBeGreaterThan(0)
      expect(issues[0]!.message).toMatch(/^YAML: /)
      expect(issues[0]!.line).toBeGreaterThanOrEqual(at(yaml, "name:").line)
    }))

  it.effect("a key given twice is a YAML error at the second one", () =>
    Effect.gen(function*() {
      const yaml = generic("  name: subject\n  name: case_id")
      const issue = issueWith(yield* issuesOf(yaml), "unique")
      // The first "name:" is in the caseType line of the header, the second the first field.
      expect(position(issue)).toEqual(at(yaml, "name:", 3))
    }))

  it.effect("an unknown transformation names the key and suggests the closest one", () =>
    Effect.gen(function*() {
      const yaml = generic("  name:\n    from: subject\n    trunc: 10")
      const issue = issueWith(yield* issuesOf(yaml), "unknown transformation 'trunc'")
      expect(position(issue)).toEqual(at(yaml, "trunc"))
      expect(issue.message).toContain("did you mean 'truncate'?")
      expect(issue.path).toBe("fields/name/trunc")
    }))

  it.effect("an unknown source field is refused when the source's fields are known", () =>
    Effect.gen(function*() {
      const yaml = generic("  name: { from: subjct }")
      const issue = issueWith(yield* issuesOf(yaml, legacyColumns), "unknown source field 'subjct'")
      expect(position(issue)).toEqual(at(yaml, "subjct"))
      expect(issue.message).toContain("did you mean 'subject'?")
    }))

  it.effect("unknown source fields are found in templates and JSONata expressions too", () =>
    Effect.gen(function*() {
      const yaml = generic(`  metaData.label: { template: "{case_id}/{casetype}" }\n  metaData.count: { compute: "$count(interactoins)" }`)
      const issues = yield* issuesOf(yaml, legacyColumns)
      expect(position(issueWith(issues, "'casetype'"))).toEqual(at(yaml, `"{case_id}`))
      expect(position(issueWith(issues, "'interactoins'"))).toEqual(at(yaml, `"$count`))
    }))

  it.effect("an unknown target field: not in CaseCreate, not a custom field of the case type", () =>
    Effect.gen(function*() {
      const yaml = generic("  statuss: status\n  customFields.nope: subject")
      const issues = yield* issuesOf(yaml)
      const top = issueWith(issues, "'statuss' is not a field of a case")
      expect(position(top)).toEqual(at(yaml, "statuss"))
      expect(top.message).toContain("did you mean 'status'?")
      const custom = issueWith(issues, "'nope' is not a custom field")
      expect(position(custom)).toEqual(at(yaml, "customFields.nope"))
      expect(custom.message).toContain("legacyPriority, legacyAgentEmail, legacyChannel, legacyNotes")
    }))

  it.effect("fields set by the mapping's own keys cannot be mapped as fields", () =>
    Effect.gen(function*() {
      const yaml = generic("  typeId: { const: \"102\" }")
      const issue = issueWith(yield* issuesOf(yaml), "typeId is set by the mapping's caseType key")
      expect(position(issue)).toEqual(at(yaml, "typeId"))
    }))

  it.effect("a two-way field with a map needs a reverse covering every target value", () =>
    Effect.gen(function*() {
      const missing = generic("  status:\n    from: status\n    map: { OPEN: initiated, CLOSED: completed }\n    direction: both")
      expect(position(issueWith(yield* issuesOf(missing), "needs reverse:"))).toEqual(at(missing, "{ OPEN"))

      const partial = generic(
        "  status:\n    from: status\n    map: { OPEN: initiated, CLOSED: completed }\n    reverse: { initiated: OPEN, completed: CLOSED }\n    direction: both"
      )
      const issue = issueWith(yield* issuesOf(partial), "does not cover every value of status")
      expect(position(issue)).toEqual(at(partial, "{ initiated"))
      expect(issue.message).toContain("missing processing, canceled, reopened")
    }))

  it.effect("a reverse that would not bring a code back to itself is refused", () =>
    Effect.gen(function*() {
      const yaml = generic(
        "  status:\n    from: status\n    map: { OPEN: initiated, NEW: initiated, CLOSED: completed }\n" +
          "    reverse: { initiated: OPEN, processing: OPEN, completed: CLOSED, canceled: CLOSED, reopened: OPEN }\n    direction: both"
      )
      const issue = issueWith(yield* issuesOf(yaml), "a round trip would change the source")
      expect(issue.message).toContain("sends 'NEW' to 'initiated'")
      expect(position(issue)).toEqual(at(yaml, "initiated", 2))
    }))

  it.effect("two-way fields without an inverse are refused: compute, template, const, truncate", () =>
    Effect.gen(function*() {
      const yaml = crm([
        "  customFields.crmInteractionCount: { compute: \"$count(interactions)\", direction: both }",
        "  customFields.crmUrl: { template: \"https://crm/{id}\", direction: both }",
        "  customFields.crmProduct: { const: mortgage, direction: both }",
        "  name: { from: title, truncate: 50, direction: both }"
      ].join("\n"))
      const issues = yield* issuesOf(yaml)
      expect(position(issueWith(issues, "a compute expression has no inverse"))).toEqual(at(yaml, "both", 1))
      expect(position(issueWith(issues, "a template has no inverse"))).toEqual(at(yaml, "both", 2))
      expect(position(issueWith(issues, "a constant has no inverse"))).toEqual(at(yaml, "both", 3))
      expect(position(issueWith(issues, "cannot be combined with truncate"))).toEqual(at(yaml, "both", 4))
    }))

  it.effect("a datetime into a boolean custom field is a type mismatch", () =>
    Effect.gen(function*() {
      const yaml = crm("  customFields.crmEscalated: { from: lastUpdated, datetime: {} }")
      const issue = issueWith(yield* issuesOf(yaml), "datetime: makes a date-time")
      expect(issue.message).toContain("custom field crmEscalated of case type 'CRM conversation' (106) holds a boolean")
      expect(position(issue)).toEqual(at(yaml, "{}"))
    }))

  it.effect("type: coercions must match the target field's type", () =>
    Effect.gen(function*() {
      const yaml = crm("  customFields.crmInteractionCount: { from: count, type: boolean }\n  customFields.crmUrl: { from: url, type: integer }")
      const issues = yield* issuesOf(yaml)
      expect(position(issueWith(issues, "type: boolean makes a boolean"))).toEqual(at(yaml, "boolean"))
      expect(position(issueWith(issues, "type: integer makes a whole number"))).toEqual(at(yaml, "integer"))
    }))

  it.effect("a map value the target enum does not allow is refused at that value", () =>
    Effect.gen(function*() {
      const yaml = generic("  status:\n    from: status\n    map: { OPEN: initiated, CLOSED: closed }")
      const issue = issueWith(yield* issuesOf(yaml), "map value for 'CLOSED' does not fit status")
      expect(position(issue)).toEqual(at(yaml, "closed }"))
      expect(issue.message).toContain("expected one of initiated, processing, completed, canceled, reopened")
    }))

  it.effect("const: and default: are checked against the target too, and truncate against its maximum length", () =>
    Effect.gen(function*() {
      const yaml = generic([
        "  outcome: { const: maybe }",
        "  customFields.legacyPriority: { from: priority, default: medium }",
        "  customFields.legacyChannel: { from: channel, truncate: 80 }"
      ].join("\n"))
      const issues = yield* issuesOf(yaml)
      expect(position(issueWith(issues, "const: does not fit outcome"))).toEqual(at(yaml, "maybe"))
      expect(position(issueWith(issues, "default: does not fit custom field legacyPriority"))).toEqual(at(yaml, "medium"))
      expect(position(issueWith(issues, "truncate: 80 is longer than custom field legacyChannel"))).toEqual(at(yaml, "80"))
    }))

  it.effect("an invalid JSONata expression is refused with JSONata's reason", () =>
    Effect.gen(function*() {
      const yaml = crm("  customFields.crmInteractionCount: { compute: \"$count(interactions\" }")
      const issue = issueWith(yield* issuesOf(yaml), "invalid JSONata expression")
      expect(position(issue)).toEqual(at(yaml, "\"$count"))
    }))

  it.effect("a compute that reads the clock or a random source is refused at load, naming the field", () =>
    Effect.gen(function*() {
      const yaml = crm(
        "  metaData.importedAt: { compute: \"$now()\" }\n" +
          "  metaData.stamp: { compute: \"$string($millis())\" }\n" +
          "  metaData.sample: { compute: \"$random() < 0.5\" }\n" +
          "  metaData.hidden: { compute: \"($f := $now; $f())\" }\n" +
          "  metaData.count: { compute: \"$count(interactions)\" }"
      )
      const issues = yield* issuesOf(yaml)
      for (const [field, name, text] of [
        ["metaData.importedAt", "$now", "\"$now()"],
        ["metaData.stamp", "$millis", "\"$string($millis"],
        ["metaData.sample", "$random", "\"$random"],
        ["metaData.hidden", "$now", "\"($f"]
      ] as const) {
        const issue = issueWith(issues.filter((i) => i.path.includes(field)), `${name} gives a different value on every run`)
        expect(position(issue)).toEqual(at(yaml, text))
        expect(issue.path).toContain(field)
      }
      expect(issues.filter((issue) => issue.path.includes("metaData.count"))).toEqual([])
    }))

  it.effect("an unknown time zone and a bad datetime format are refused where they are written", () =>
    Effect.gen(function*() {
      const yaml = generic(
        "  openedAt: { from: created_at, datetime: { timezone: America/New_Yrok } }\n" +
          "  metaData.updated: { from: updated_at, datetime: { format: \"DD/MM/YYYY HH:mm Q\" } }"
      )
      const issues = yield* issuesOf(yaml)
      expect(position(issueWith(issues, "unknown time zone 'America/New_Yrok'"))).toEqual(at(yaml, "America/New_Yrok"))
      expect(position(issueWith(issues, "unknown letter 'Q'"))).toEqual(at(yaml, "\"DD/MM"))
    }))

  it.effect("a lookup file that does not exist, and a column the file does not have", () =>
    Effect.gen(function*() {
      const yaml = generic(
        "  customFields.legacyAgentEmail:\n    from: agent_code\n    lookup: { file: ../samples/lookups/nope.csv, key: code, value: email }\n" +
          "  customFields.legacyChannel:\n    from: agent_code\n    lookup: { file: ../samples/lookups/agents.csv, key: code, value: e_mail }"
      )
      const issues = yield* issuesOf(yaml)
      expect(position(issueWith(issues, "lookup file ../samples/lookups/nope.csv cannot be read"))).toEqual(at(yaml, "../samples/lookups/nope.csv"))
      const column = issueWith(issues, "has no value column 'e_mail'")
      expect(position(column)).toEqual(at(yaml, "e_mail"))
      // The header is the file's content, which may be a secret: counted, never quoted (issue 7, item 9).
      expect(column.message).toContain("its first row has 4 columns")
    }))

  it.effect("case types: unknown names, inactive types, codes mapped to a type that does not exist", () =>
    Effect.gen(function*() {
      const unknown = generic("  name: subject").replace("{ name: Legacy servicing case }", "{ name: Legacy servicing }")
      const issue = issueWith(yield* issuesOf(unknown), "no active case type is called 'Legacy servicing'")
      expect(position(issue)).toEqual(at(unknown, "Legacy servicing }"))

      const draft = generic("  name: subject").replace("{ name: Legacy servicing case }", "{ name: Identity theft }")
      expect(issueWith(yield* issuesOf(draft), "has no active version").message).toContain("107 v1 draft")

      const mapped = "externalId: \"x-{id}\"\nborrower: { externalId: \"{b}\" }\ncaseType:\n  from: kind\n  map: { BK: Bankruptcy, XX: Chargeback }\nfields:\n  name: title\n"
      expect(position(issueWith(yield* issuesOf(mapped), "caseType.map 'XX'"))).toEqual(at(mapped, "Chargeback"))
    }))

  it.effect("a field some of the mapped case types lack must be limited with onlyFor", () =>
    Effect.gen(function*() {
      const yaml = "externalId: \"x-{id}\"\nborrower: { externalId: \"{b}\" }\ncaseType:\n  from: kind\n  map: { GEN: Legacy servicing case, BK: Bankruptcy }\nfields:\n  customFields.trusteeName: trustee\n  customFields.legacyNotes: { from: notes, onlyFor: [Dispute of debt] }\n"
      const issues = yield* issuesOf(yaml)
      const issue = issueWith(issues, "trusteeName is not a field of case type 'Legacy servicing case' (101)")
      expect(issue.message).toContain("onlyFor: [Bankruptcy]")
      expect(position(issue)).toEqual(at(yaml, "customFields.trusteeName"))
      expect(position(issueWith(issues, "onlyFor names 'Dispute of debt'"))).toEqual(at(yaml, "Dispute of debt"))
    }))

  it.effect("a required custom field the mapping never sets is refused at caseType", () =>
    Effect.gen(function*() {
      const yaml = "externalId: \"k-{id}\"\nborrower: { externalId: \"{customerId}\" }\ncaseType: CRM conversation\nfields:\n  name: title\n"
      const issue = issueWith(yield* issuesOf(yaml), "requires customFields.crmNumber")
      expect(position(issue)).toEqual(at(yaml, "CRM conversation"))
    }))

  it.effect("ignore: must name real source fields the mapping does not use", () =>
    Effect.gen(function*() {
      const yaml = generic("  name: subject", "ignore: [flag, subject, nonsense]")
      const issues = yield* issuesOf(yaml, legacyColumns)
      expect(position(issueWith(issues, "'subject' is listed in ignore"))).toEqual(at(yaml, "subject,"))
      expect(position(issueWith(issues, "ignore names 'nonsense'"))).toEqual(at(yaml, "nonsense"))
    }))

  it.effect("shape mistakes: missing keys, two sources, bad templates, wrong value kinds", () =>
    Effect.gen(function*() {
      const yaml = [
        "externalId: \"legacy-{case_id\"",
        "borrower: { id: \"{a}\", externalId: \"{b}\" }",
        "fields:",
        "  name: { from: subject, const: x }",
        "  status: { from: status, trim: yes-please }",
        "  outcome: { from: outcome, type: money }",
        "  openedAt: { from: created_at, truncate: -3 }",
        "  customFields.legacyNotes: { from: notes, direction: sideways }",
        ""
      ].join("\n")
      const issues = yield* issuesOf(yaml)
      expect(issueWith(issues, "missing caseType").line).toBe(1)
      expect(position(issueWith(issues, "'{' at character 8 is never closed"))).toEqual(at(yaml, "\"legacy"))
      expect(position(issueWith(issues, "borrower needs exactly one of"))).toEqual(at(yaml, "{ id"))
      expect(position(issueWith(issues, "has from and const"))).toEqual(at(yaml, "name:"))
      expect(position(issueWith(issues, "trim must be true or false"))).toEqual(at(yaml, "yes-please"))
      expect(position(issueWith(issues, "type must be one of"))).toEqual(at(yaml, "money"))
      expect(position(issueWith(issues, "truncate must be a positive whole number"))).toEqual(at(yaml, "-3"))
      expect(position(issueWith(issues, "direction must be toTarget or both"))).toEqual(at(yaml, "sideways"))
    }))

  it.effect("every problem of a file is reported at once, and the message lists them as file:line:column", () =>
    Effect.gen(function*() {
      const yaml = generic("  statuss: status\n  name: { from: subject, trunc: 3 }\n  openedAt: { from: created_at, datetime: { timezone: Mars/Olympus } }")
      const error = yield* Effect.flip(compile(yaml))
      expect(error).toBeInstanceOf(MappingLoadError)
      expect(error.issues).toHaveLength(3)
      const lines = error.message.split("\n")
      expect(lines[0]).toBe(`${error.file}: 3 problems in the mapping`)
      // Listed top to bottom, as the file reads.
      const statuss = at(yaml, "statuss")
      expect(error.issues.map((issue) => issue.line)).toEqual([statuss.line, statuss.line + 1, statuss.line + 2])
      expect(lines[1]).toBe(`  ${error.file}:${statuss.line}:${statuss.column} fields/statuss: ${error.issues[0]!.message}`)
      expect(error.issues[0]!.message).toMatch(/^unknown target field: 'statuss'/)
    }))

  it.effect("a mapping file that cannot be read is a load error naming the file", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(loadMapping(NodePath.join(root, "mappings/does-not-exist.yaml"), { caseTypes }))
      expect(error.issues[0]!.message).toMatch(/^cannot read the mapping file/)
      expect(error.issues[0]!.line).toBe(0)
    }).pipe(Effect.provide(NodeContext.layer)))

  it.effect("the shipped mappings load cleanly against the sandbox's case types", () =>
    Effect.gen(function*() {
      const khoros = yield* loadMapping(NodePath.join(root, "mappings/khoros-to-peach.yaml"), { caseTypes, configFile: sampleConfig })
      expect(khoros.caseTypes.map((type) => type.id)).toEqual(["106"])
      const legacy = yield* loadMapping(NodePath.join(root, "mappings/legacy-csv-to-peach.yaml"), { caseTypes, configFile: sampleConfig })
      expect(legacy.caseTypes.map((type) => type.id).sort()).toEqual(["101", "102", "103"])
      expect(legacy.digest).toMatch(/^[0-9a-f]{64}$/)
    }).pipe(Effect.provide(NodeContext.layer)))
})
