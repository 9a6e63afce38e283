import { Option } from "effect"
import { describe, expect, it } from "vitest"
import { historyLength, isWar, recordWrite } from "../../src/sync/WarGuard.js"
import { based, input, name, paired, priority, runCycle } from "./SyncFixtures.js"

describe("the war guard", () => {
  it("queues a field whose value would alternate A → B → A over consecutive cycles, and names it", () => {
    const rule = priority()
    // Cycle 1: the CRM sets high, sync writes the target.
    const one = runCycle(input([rule], { [rule.field]: based({ crm: "low", target: "low" }) }, paired({ priority: "high" }, { customFields: { crmPriority: "low" } }), 1))
    expect(one.decision.target).toMatchObject(Option.some({ body: { customFields: { crmPriority: "high" } } }))
    // Cycle 2: something on the target sets it back to low: writing low to the CRM would be low → high → low.
    const two = runCycle(input([rule], one.states, paired(one.crm, { customFields: { crmPriority: "low" } }), 2))
    expect(two.decision).toMatchObject({ crm: Option.none(), target: Option.none(), wars: ["customFields.crmPriority"] })
    expect(two.decision.conflicts[0]).toMatchObject({ reason: "war", crm: "high", target: "low", since: 2 })
    expect(two.decision.conflicts[0]!.detail).toBe(
      "customFields.crmPriority went \"low\" → \"high\" in cycle 1 and would go \"high\" → \"low\" now: " +
        "the sides keep undoing each other, so it is not written again"
    )
    // It stays queued (and is no longer reported as a new war) until a person resolves it.
    const three = runCycle(input([rule], two.states, paired(two.crm, two.target), 3))
    expect(three.decision).toMatchObject({ crm: Option.none(), target: Option.none(), wars: [] })
    expect(three.decision.conflicts).toHaveLength(1)
  })

  it("stops a policy that keeps overwriting the same outside edit (sourceWins against a target bot)", () => {
    const rule = name({ policy: "sourceWins" })
    const one = runCycle(input([rule], { name: based({ crm: "T", target: "T" }) }, paired({ title: "T" }, { name: "bot" }), 1))
    expect(one.decision.target).toMatchObject(Option.some({ body: { name: "T" } }))
    const two = runCycle(input([rule], one.states, paired(one.crm, { name: "bot" }), 2))
    expect(two.decision.wars).toEqual(["name"])
  })

  it("lets a field change on consecutive cycles when it does not come back (A → B → C)", () => {
    const history = [{ cycle: 1, previous: "low", value: "medium" }]
    expect(isWar(history, 2, "medium", "high")).toBe(false)
    expect(isWar(history, 2, "medium", "low")).toBe(true)
  })

  it("lets a value come back when a quiet cycle lies between", () => {
    expect(isWar([{ cycle: 1, previous: "low", value: "high" }], 3, "high", "low")).toBe(false)
  })

  it("compares values as the planner does (the same instant in another offset is the same value)", () => {
    const history = [{ cycle: 4, previous: "2024-01-01T10:00:00Z", value: "2024-01-02T10:00:00Z" }]
    expect(isWar(history, 5, "2024-01-02T10:00:00Z", "2024-01-01T05:00:00-05:00")).toBe(true)
  })

  it("keeps only the last writes", () => {
    let history = recordWrite([], { cycle: 0, previous: 0, value: 1 })
    for (let cycle = 1; cycle < 10; cycle++) history = recordWrite(history, { cycle, previous: cycle, value: cycle + 1 })
    expect(history.map((w) => w.cycle)).toEqual([6, 7, 8, 9])
    expect(history).toHaveLength(historyLength)
  })
})
