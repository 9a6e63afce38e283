import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { compile, crm, issuesOf, issueWith } from "./MappingFixtures.js"

// `direction: toSource`: a field the target owns and the CRM only follows. It is written back
// like `both`, so the same load-time check of its way back applies, in its own words.
describe("direction: toSource", () => {
  it.effect("needs an exact way back, checked at load with the direction it was given", () =>
    Effect.gen(function*() {
      const yaml = crm([
        "  customFields.crmUrl: { template: \"https://crm/{id}\", direction: toSource }",
        "  name: { from: title, truncate: 50, direction: toSource }"
      ].join("\n"))
      const issues = yield* issuesOf(yaml)
      expect(issueWith(issues, "a template has no inverse").message).toMatch(/^direction: toSource needs a way back/)
      expect(issueWith(issues, "cannot be combined with truncate").message).toMatch(/^direction: toSource cannot/)
    }))

  it.effect("is compiled as a written-back field: two-way sync writes the target's value to the CRM", () =>
    Effect.gen(function*() {
      const mapping = yield* compile(crm("  customFields.crmProduct: { from: product, direction: toSource }"))
      expect(mapping.twoWayFields.map((f) => [f.target, f.source])).toEqual([["customFields.crmProduct", "product"]])
      expect(mapping.fields.find((f) => f.target === "customFields.crmProduct")?.direction).toBe("toSource")
      const patch = yield* mapping.toSource({ typeId: "106", customFields: { crmProduct: "auto_loan" } })
      expect(patch).toEqual({ product: "auto_loan" })
    }))
})
