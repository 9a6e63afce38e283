import { describe, expect, it } from "vitest"
import { Schema } from "effect"
import cases from "../../../samples/khoros/cases.json" with { type: "json" }
import customers from "../../../samples/khoros/customers.json" with { type: "json" }
import people from "../../../samples/peach/people.json" with { type: "json" }
import { OffsetDateTime } from "../../../src/domain/peach/Primitives.js"
import { customCaseProperties, KhorosCase } from "../../../src/sources/khoros/KhorosCase.js"

/** The facts samples/khoros/README.md states, so the README and the data cannot drift apart. */
describe("samples/khoros", () => {
  const hasOffset = Schema.is(OffsetDateTime)
  const expectedRejects = ["KC-10017", "KC-10030"]

  it("has 12 customers that are sandbox borrowers, one without cases, and BRW-1059 is a borrower unknown to the CRM", () => {
    const borrowerIds = new Set(people.map((p) => p.externalId))
    expect(customers).toHaveLength(12)
    for (const customer of customers) expect(borrowerIds.has(customer.id)).toBe(true)
    const withCases = new Set(cases.map((c) => c.customerId))
    expect(customers.filter((c) => !withCases.has(c.id)).map((c) => c.id)).toEqual(["BRW-1012"])
    expect(borrowerIds.has("BRW-1059")).toBe(true)
    expect(customers.some((c) => c.id === "BRW-1059")).toBe(false)
  })

  it("has 40 valid CRM cases, open and closed, with interactions, authors and custom properties", () => {
    expect(cases).toHaveLength(40)
    for (const kase of cases) expect(Schema.is(KhorosCase)(kase)).toBe(true)
    expect(new Set(cases.map((c) => c.status))).toEqual(new Set(["open", "closed"]))
    const interactions = cases.flatMap((c) => c.interactions ?? [])
    expect(new Set(interactions.map((i) => i.service))).toEqual(new Set(["twitter", "facebook", "email"]))
    expect(interactions.some((i) => i.author?.brandOwned === true)).toBe(true)
    const custom = cases.map((c) => customCaseProperties(c as KhorosCase))
    expect(new Set(custom.flatMap(Object.keys))).toEqual(new Set(["priority", "product", "escalated", "resolutionNote"]))
    expect(new Set(custom.map((p) => p["escalated"]))).toEqual(new Set([true, false, undefined]))
  })

  it("carries every timestamp form: Z, offsets, fractional seconds", () => {
    const stamps = cases.flatMap((c) => [c.created, c.lastUpdated])
    for (const form of [/Z$/, /\+02:00$/, /-07:00$/, /\+05:30$/, /\.5(Z|[+-])/, /\.123(Z|[+-])/, /\.123456[+-]/]) {
      expect(stamps.some((s) => form.test(s)), String(form)).toBe(true)
    }
  })

  it("holds exactly the two documented expected rejects: an empty title and a created without offset", () => {
    const rejects = cases.filter((c) => c.title.trim() === "" || !hasOffset(c.created) || !hasOffset(c.lastUpdated))
    expect(rejects.map((c) => c.id)).toEqual(expectedRejects)
    expect(cases.find((c) => c.id === "KC-10017")?.title).toBe("")
    expect(cases.find((c) => c.id === "KC-10030")?.created).toBe("2023-05-02T09:30:00")
  })
})
