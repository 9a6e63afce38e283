import { Option } from "effect"
import { describe, expect, it } from "vitest"
import { resolveConflict } from "../../src/sync/ConflictQueue.js"
import { decideRecord, keepsStoredStates, noAnswer, nextStates } from "../../src/sync/SyncDecision.js"
import { based, description, escalated, input, name, owner, paired, priority, runCycle, status, times } from "./SyncFixtures.js"

const rules = [status(), priority(), name(), owner()]
const crm = { id: "KC-1", status: "open", priority: "low", title: "Card lost", owner: "E-1", notes: "not synced" }
const target = {
  id: "CS-1",
  status: "processing",
  name: "Card lost",
  owningEmployeeId: "E-1",
  customFields: { crmPriority: "low", agentNote: "keep me" }
}
const states = {
  status: based({ crm: "open", target: "processing" }),
  "customFields.crmPriority": based({ crm: "low", target: "low" }),
  name: based({ crm: "Card lost", target: "Card lost" }),
  owningEmployeeId: based({ crm: "E-1", target: "E-1" })
}

describe("one paired record, one cycle", () => {
  it("gathers every changed field into one CRM update and one target update", () => {
    const decision = decideRecord(input(rules, states, paired(
      { ...crm, status: "closed", title: "Card stolen" },
      { ...target, owningEmployeeId: "E-2", customFields: { crmPriority: "high", agentNote: "keep me" } }
    )))
    expect(decision.target).toEqual(Option.some({
      changes: [{ field: "status", value: "completed" }, { field: "name", value: "Card stolen" }],
      body: { status: "completed", name: "Card stolen" }
    }))
    expect(decision.crm).toEqual(Option.some({
      changes: [{ field: "priority", value: "high" }, { field: "owner", value: "E-2" }],
      body: { priority: "high", owner: "E-2" }
    }))
  })

  it("sends a nested target object whole, so keys sync does not own keep their values", () => {
    const decision = decideRecord(input(rules, states, paired({ ...crm, priority: "high" }, target)))
    expect(Option.map(decision.target, (w) => w.body)).toEqual(Option.some({ customFields: { crmPriority: "high", agentNote: "keep me" } }))
  })

  it("queues a conflicting field while the record's other fields still sync", () => {
    const decision = decideRecord(input(rules, states, paired(
      { ...crm, priority: "medium", title: "Card stolen" },
      { ...target, customFields: { crmPriority: "high", agentNote: "keep me" } }
    )))
    expect(decision.conflicts.map((c) => c.field)).toEqual(["customFields.crmPriority"])
    expect(Option.map(decision.target, (w) => w.body)).toEqual(Option.some({ name: "Card stolen" }))
    expect(decision.crm).toEqual(Option.none())
  })

  it("decides zero writes for a quiet cycle, even with both timestamps bumped", () => {
    const decision = decideRecord(input(rules, states, paired(crm, target, times("2030-01-01T00:00:00Z", "2030-01-01T00:00:00Z"))))
    expect(decision).toMatchObject({ target: Option.none(), crm: Option.none(), conflicts: [], wars: [] })
    expect(decision.fields.every((f) => f._tag === "Nothing")).toBe(true)
  })

  it("keeps the stored states of a quiet record as they are, so the cycle stores nothing for it", () => {
    const quiet = input(rules, states, paired(crm, target))
    const decision = decideRecord(quiet)
    expect(keepsStoredStates(rules, states, decision)).toBe(true)
    expect(nextStates(quiet, decision, noAnswer)).toEqual(states)
  })

  it("stores the states of a record that changed, or whose field states were never stored", () => {
    const edited = decideRecord(input(rules, states, paired({ ...crm, title: "Card stolen" }, target)))
    expect(keepsStoredStates(rules, states, edited)).toBe(false)
    const { name: _unstored, ...partial } = states
    expect(keepsStoredStates(rules, partial, decideRecord(input(rules, states, paired(crm, target))))).toBe(false)
  })
})

describe("the bases stamped after a confirmed write", () => {
  it("are what the server answered (trimmed), not what was sent, so the next cycle writes nothing", () => {
    const one = runCycle(input(rules, states, paired({ ...crm, title: "  Card stolen  " }, target), 1))
    expect(Option.map(one.decision.target, (w) => w.body)).toEqual(Option.some({ name: "  Card stolen  " }))
    expect(one.target.name).toBe("Card stolen")
    expect(one.states.name!.base).toEqual(Option.some({ crm: "  Card stolen  ", target: "Card stolen" }))
    expect(one.states.name!.history).toEqual([{ cycle: 1, previous: "Card lost", value: "  Card stolen  " }])
    const two = runCycle(input(rules, one.states, paired(one.crm, one.target, times("2030-01-01T00:00:00Z", "2030-01-01T00:00:01Z")), 2))
    expect(two.decision).toMatchObject({ target: Option.none(), crm: Option.none() })
  })

  it("keep the other side's base as it held, and leave unwritten fields alone", () => {
    // The agent cancels: the CRM gets closed, and the target's base is its own canceled.
    const one = runCycle(input(rules, states, paired(crm, { ...target, status: "canceled" }), 1))
    expect(one.decision).toMatchObject({ target: Option.none(), crm: Option.some({ body: { status: "closed" } }) })
    expect(one.states.status!.base).toEqual(Option.some({ crm: "closed", target: "canceled" }))
    expect(one.states.name).toBe(states.name)
    // The CRM's closed maps forward to completed, yet it is never written over canceled.
    const two = runCycle(input(rules, one.states, paired(one.crm, one.target), 2))
    expect(two.decision).toMatchObject({ target: Option.none(), crm: Option.none() })
  })

  it("do not move for a write the server did not confirm; the next cycle sees the sides agree and writes nothing", () => {
    const syncInput = input(rules, states, paired({ ...crm, status: "closed" }, target), 1)
    const decision = decideRecord(syncInput)
    expect(decision.target).toMatchObject(Option.some({ body: { status: "completed" } }))
    const kept = nextStates(syncInput, decision, noAnswer)
    expect(kept.status).toBe(states.status)
    // The write had landed after all.
    const next = decideRecord(input(rules, kept, paired({ ...crm, status: "closed" }, { ...target, status: "completed" }), 2))
    expect(next).toMatchObject({ target: Option.none(), crm: Option.none() })
    expect(next.fields[0]).toMatchObject({ _tag: "MoveBase", cause: "sidesAgree" })
  })
})

describe("the worked example of src/sync/README.md", () => {
  it("cancels without echo, queues a two-sided change, and writes the person's choice", () => {
    const rule = [status()]
    const at = (n: number) => times(`2024-05-0${n}T10:00:00Z`, `2024-05-0${n}T10:00:00Z`)
    const one = runCycle(input(rule, { status: based({ crm: "open", target: "processing" }) }, paired({ status: "open" }, { status: "processing" }, at(1)), 1))
    expect(one.decision.fields[0]!._tag).toBe("Nothing")
    const two = runCycle(input(rule, one.states, paired(one.crm, { status: "canceled" }, at(2)), 2))
    expect(two.decision).toMatchObject({ crm: Option.some({ body: { status: "closed" } }), target: Option.none() })
    expect(two.states.status!.base).toEqual(Option.some({ crm: "closed", target: "canceled" }))
    const three = runCycle(input(rule, two.states, paired(two.crm, two.target, at(3)), 3))
    expect(three.decision).toMatchObject({ crm: Option.none(), target: Option.none() })
    const four = runCycle(input(rule, three.states, paired({ status: "open" }, { status: "completed" }, at(4)), 4))
    expect(four.decision.conflicts).toMatchObject([{ field: "status", reason: "bothChanged" }])
    const resolved = { status: { ...four.states.status!, conflict: Option.map(four.states.status!.conflict, (c) => resolveConflict(c, { _tag: "crm" })) } }
    const five = runCycle(input(rule, resolved, paired(four.crm, four.target, at(5)), 5))
    expect(five.decision).toMatchObject({ crm: Option.none(), target: Option.some({ body: { status: "processing" } }) })
    expect(five.states.status!.base).toEqual(Option.some({ crm: "open", target: "processing" }))
    // Had the agent reopened the case before cycle 5, the conflict would have closed by itself.
    const instead = runCycle(input(rule, resolved, paired(four.crm, { status: "reopened" }, at(5)), 5))
    expect(instead.decision).toMatchObject({ crm: Option.none(), target: Option.none(), conflicts: [] })
  })
})

describe("a field a person clears on the target", () => {
  const crmCase = { id: "KC-2", description: "Borrower moved", escalated: true }
  const targetCase = { id: "CS-2", metaData: { description: "Borrower moved", note: "keep me" }, customFields: { crmEscalated: true } }
  const clearRules = [description(), escalated()]
  const clearStates = {
    "metaData.description": based({ crm: "Borrower moved", target: "Borrower moved" }),
    "customFields.crmEscalated": based({ crm: true, target: true })
  }

  it("reaches the CRM as its empty text, never as null (the CRM's description is a required string), then stays quiet", () => {
    const cleared = { ...targetCase, metaData: { description: null, note: "keep me" } }
    const one = runCycle(input(clearRules, clearStates, paired(crmCase, cleared), 1))
    expect(Option.map(one.decision.crm, (w) => w.body)).toEqual(Option.some({ description: "" }))
    expect(one.decision.target).toEqual(Option.none())
    expect(one.states["metaData.description"]!.base).toEqual(Option.some({ crm: "", target: null }))
    // The CRM's "" and the target's null mean the same: no echo of "" to the target, no second write.
    const two = runCycle(input(clearRules, one.states, paired(one.crm, one.target), 2))
    expect(two.decision).toMatchObject({ crm: Option.none(), target: Option.none(), conflicts: [] })
  })

  it("a CRM field with no empty value (a checkbox) is queued once as cannotClear, not sent; the record's other fields still sync", () => {
    const cleared = { ...targetCase, metaData: { description: "Moved to Leeds", note: "keep me" }, customFields: { crmEscalated: null } }
    const one = runCycle(input(clearRules, clearStates, paired(crmCase, cleared), 1))
    expect(Option.map(one.decision.crm, (w) => w.body)).toEqual(Option.some({ description: "Moved to Leeds" }))
    expect(one.decision.conflicts).toMatchObject([{ field: "customFields.crmEscalated", reason: "cannotClear", crm: true, target: null }])
    expect(one.decision.conflicts[0]!.detail).toContain("the CRM cannot clear escalated")
    // Nobody touches it: it stays queued from cycle 1, and nothing is sent for it.
    const two = runCycle(input(clearRules, one.states, paired(one.crm, one.target), 2))
    expect(two.decision).toMatchObject({ crm: Option.none(), target: Option.none(), conflicts: [{ reason: "cannotClear", since: 1 }] })
  })

  it("a person's --take target keeps the clear on the target and leaves the CRM's value; --take crm puts it back", () => {
    const cleared = { ...targetCase, customFields: { crmEscalated: null } }
    const one = runCycle(input(clearRules, clearStates, paired(crmCase, cleared), 1))
    const resolvedAs = (take: "crm" | "target") => ({
      ...one.states,
      "customFields.crmEscalated": {
        ...one.states["customFields.crmEscalated"]!,
        conflict: Option.map(one.states["customFields.crmEscalated"]!.conflict, (c) => resolveConflict(c, { _tag: take }))
      }
    })
    const kept = runCycle(input(clearRules, resolvedAs("target"), paired(one.crm, one.target), 2))
    expect(kept.decision).toMatchObject({ crm: Option.none(), target: Option.none(), conflicts: [] })
    expect(runCycle(input(clearRules, kept.states, paired(kept.crm, kept.target), 3)).decision).toMatchObject({ crm: Option.none(), target: Option.none(), conflicts: [] })
    const back = runCycle(input(clearRules, resolvedAs("crm"), paired(one.crm, one.target), 2))
    expect(Option.map(back.decision.target, (w) => w.body)).toEqual(Option.some({ customFields: { crmEscalated: true } }))
  })

  it("under targetWins a clear the CRM cannot hold keeps the target's edit, the base accepts both sides, and nothing is sent", () => {
    const cleared = { ...targetCase, customFields: { crmEscalated: null } }
    const one = runCycle(input([description(), escalated({ policy: "targetWins" })], clearStates, paired(crmCase, cleared), 1))
    expect(one.decision).toMatchObject({ crm: Option.none(), target: Option.none(), conflicts: [] })
    expect(one.states["customFields.crmEscalated"]!.base).toEqual(Option.some({ crm: true, target: null }))
  })
})
