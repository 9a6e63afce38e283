import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { overrideProblems, rulesFor } from "../../src/sync/SyncRules.js"
import { compile, crm } from "../mapping/MappingFixtures.js"

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
