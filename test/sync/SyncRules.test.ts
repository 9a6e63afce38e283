import { describe, expect, it } from "@effect/vitest"
import { NodeContext } from "@effect/platform-node"
import { Effect, Schema } from "effect"
import { readFileSync } from "node:fs"
import * as NodePath from "node:path"
import { loadMapping } from "../../src/mapping/index.js"
import { KhorosObjectMeta } from "../../src/sources/khoros/KhorosMeta.js"
import { overrideProblems, rulesFor } from "../../src/sync/SyncRules.js"
import { caseTypes, compile, crm, root, sampleConfig } from "../mapping/MappingFixtures.js"

const mapping = crm([
  "  name: { from: title, trim: true }",
  "  status:",
  "    from: status",
  "    map: { open: processing, closed: completed }",
  "    reverse: { initiated: open, processing: open, reopened: open, completed: closed, canceled: closed }",
  "    direction: both",
  "  customFields.crmLastUpdated: { from: lastUpdated, datetime: {} }",
  "  customFields.crmUrl: { template: \"https://crm/{id}\" }"
].join("\n"))

describe("the sync rules a mapping gives", () => {
  it.effect("one rule per field copied from a CRM field, without the CRM's own bookkeeping (number, lastUpdated)", () =>
    Effect.gen(function*() {
      const rules = rulesFor((yield* compile(mapping)).fields, "106")
      expect(rules.map((r) => [r.field, r.crmField, r.direction])).toEqual([["name", "title", "toTarget"], ["status", "status", "both"]])
      const [name, status] = rules
      expect(name!.forward("  Card stolen ")).toBe("Card stolen")
      expect(name!.reverse).toBeUndefined()
      expect([status!.forward("closed"), status!.reverse!("canceled")]).toEqual(["completed", "closed"])
      expect(rulesFor((yield* compile(mapping)).fields, "101")).toEqual([])
    }))

  it.effect("the config's per-field settings set the policy and may narrow a direction, never widen it", () =>
    Effect.gen(function*() {
      const fields = (yield* compile(mapping)).fields
      const rules = rulesFor(fields, "106", { status: { direction: "toTarget", policy: "targetWins" } }, "sourceWins")
      expect(rules.map((r) => [r.field, r.direction, r.policy, r.reverse === undefined])).toEqual([
        ["name", "toTarget", "sourceWins", true],
        ["status", "toTarget", "targetWins", true]
      ])
      expect(overrideProblems(fields, { status: { direction: "toSource" } })).toEqual([])
      const [widened, unknown, bookkeeping] = [
        overrideProblems(fields, { name: { direction: "both" } }),
        overrideProblems(fields, { "customFields.crmUrl": { policy: "manual" } }),
        overrideProblems(fields, { "customFields.crmLastUpdated": { policy: "manual" } })
      ]
      expect(widened[0]).toContain("declare direction: both in the mapping")
      expect(unknown[0]).toContain("does not copy it from a CRM field")
      expect(bookkeeping[0]).toContain("does not copy it from a CRM field")
    }))
})

describe("what a field cleared on the target becomes in the CRM (the shipped mapping and the sandbox's /meta/object/case)", () => {
  const caseMeta = Schema.decodeUnknownSync(KhorosObjectMeta)(
    JSON.parse(readFileSync(NodePath.join(root, "samples/khoros/meta-case.json"), "utf8"))
  )
  const shipped = loadMapping(NodePath.join(root, "mappings/khoros-to-peach.yaml"), { caseTypes, configFile: sampleConfig }).pipe(
    Effect.provide(NodeContext.layer)
  )

  it.effect("text (the description, a text or textarea property) is cleared as \"\"; a checkbox, a list or the status cannot be", () =>
    Effect.gen(function*() {
      const compiled = yield* shipped
      const rules = rulesFor(compiled.fields, compiled.caseTypes[0]!.id, {}, undefined, caseMeta)
      const cleared = Object.fromEntries(rules.filter((r) => r.direction !== "toTarget").map((r) => [r.crmField, r.crmCleared?._tag]))
      expect(cleared).toEqual({
        status: "Unclearable",
        priority: "Unclearable",
        product: "Empty",
        escalated: "Unclearable",
        description: "Empty"
      })
      const byCrmField = new Map(rules.map((r) => [r.crmField, r.crmCleared]))
      expect(byCrmField.get("description")).toEqual({ _tag: "Empty", value: "" })
      expect(byCrmField.get("priority")).toMatchObject({ why: expect.stringContaining("one of low, medium, high") })
      expect(byCrmField.get("escalated")).toMatchObject({ why: expect.stringContaining("checkbox") })
    }))

  it.effect("without the CRM's meta a custom property's empty value is unknown, and null is sent as it is", () =>
    Effect.gen(function*() {
      const compiled = yield* shipped
      const rules = rulesFor(compiled.fields, compiled.caseTypes[0]!.id)
      expect(rules.find((r) => r.crmField === "product")!.crmCleared).toBeUndefined()
      expect(rules.find((r) => r.crmField === "description")!.crmCleared).toEqual({ _tag: "Empty", value: "" })
    }))
})
