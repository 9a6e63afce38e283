import { Option } from "effect"
import { describe, expect, it } from "vitest"
import { resolveConflict } from "../../src/sync/ConflictQueue.js"
import type { FieldSyncState, Take } from "../../src/sync/FieldState.js"
import type { FieldRule } from "../../src/sync/SyncPolicy.js"
import { decideRecord, nextStates } from "../../src/sync/SyncDecision.js"
import { based, input, name, paired, priority, runCycle, status } from "./SyncFixtures.js"

/** Queues `rule`'s field in cycle 1 (both sides changed), then returns its state with `take` recorded. */
const queuedThenResolved = (rule: FieldRule, crm: Record<string, unknown>, target: Record<string, unknown>, base: { crm: unknown; target: unknown }, take?: Take) => {
  const first = runCycle(input([rule], { [rule.field]: based(base) }, paired(crm, target), 1))
  expect(first.decision.conflicts).toHaveLength(1)
  const state = first.states[rule.field]!
  if (take === undefined) return state
  return { ...state, conflict: Option.map(state.conflict, (c) => resolveConflict(c, take)) } satisfies FieldSyncState
}

describe("resolving a queued conflict: the next cycle writes the chosen value and stamps the base", () => {
  const crm = { status: "open" }
  const target = { status: "canceled" }
  const base = { crm: "closed", target: "completed" }

  it("--take crm writes the CRM's value to the target only; the conflict is never detected again", () => {
    const state = queuedThenResolved(status(), crm, target, base, { _tag: "crm" })
    const second = runCycle(input([status()], { status: state }, paired(crm, target), 2))
    expect(Option.map(second.decision.target, (w) => w.body)).toEqual(Option.some({ status: "processing" }))
    expect(second.decision.crm).toEqual(Option.none())
    expect(second.decision.fields[0]).toMatchObject({ cause: "resolution" })
    expect(second.states.status).toMatchObject({ base: Option.some({ crm: "open", target: "processing" }), conflict: Option.none() })
    const third = runCycle(input([status()], second.states, paired(second.crm, second.target), 3))
    expect(third.decision).toMatchObject({ fields: [{ _tag: "Nothing" }], conflicts: [], target: Option.none(), crm: Option.none() })
  })

  it("--take target writes the target's value back to the CRM through the reverse", () => {
    const state = queuedThenResolved(status(), crm, target, base, { _tag: "target" })
    const second = runCycle(input([status()], { status: state }, paired(crm, target), 2))
    expect(Option.map(second.decision.crm, (w) => w.body)).toEqual(Option.some({ status: "closed" }))
    expect(second.decision.target).toEqual(Option.none())
    expect(second.states.status).toMatchObject({ base: Option.some({ crm: "closed", target: "canceled" }), conflict: Option.none() })
  })

  it("--take value=… writes a value of its own (in target terms) to every side that lacks it", () => {
    const state = queuedThenResolved(priority(), { priority: "medium" }, { customFields: { crmPriority: "high" } }, { crm: "low", target: "low" }, { _tag: "value", value: "low" })
    const second = runCycle(input([priority()], { "customFields.crmPriority": state }, paired({ priority: "medium" }, { customFields: { crmPriority: "high" } }), 2))
    expect(Option.map(second.decision.crm, (w) => w.body)).toEqual(Option.some({ priority: "low" }))
    expect(Option.map(second.decision.target, (w) => w.body)).toEqual(Option.some({ customFields: { crmPriority: "low" } }))
    expect(second.states["customFields.crmPriority"]!.base).toEqual(Option.some({ crm: "low", target: "low" }))
  })

  it("--take target on a field with no way back leaves the CRM alone and only moves the base", () => {
    const state = queuedThenResolved(name(), { title: "Mine" }, { name: "Theirs" }, { crm: "Old", target: "Old" }, { _tag: "target" })
    const second = runCycle(input([name()], { name: state }, paired({ title: "Mine" }, { name: "Theirs" }), 2))
    expect(second.decision).toMatchObject({ crm: Option.none(), target: Option.none(), conflicts: [] })
    expect(second.states.name).toMatchObject({ base: Option.some({ crm: "Mine", target: "Theirs" }), conflict: Option.none() })
  })

  it("re-opens with the new values, writing nothing, when a side was edited again before that cycle", () => {
    const state = queuedThenResolved(status(), crm, target, base, { _tag: "crm" })
    // The agent completes the case after the conflict was resolved with the CRM's value.
    const second = runCycle(input([status()], { status: state }, paired(crm, { status: "completed" }), 2))
    expect(second.decision.target).toEqual(Option.none())
    expect(second.decision.fields[0]).toMatchObject({
      _tag: "Conflict",
      reopened: true,
      conflict: { crm: "open", target: "completed", resolution: Option.none(), since: 1 }
    })
    expect(second.decision.conflicts[0]!.detail).toContain("edited again in cycle 2 (the target to \"completed\")")
  })
})

describe("an open conflict", () => {
  const queued = () => queuedThenResolved(priority(), { priority: "medium" }, { customFields: { crmPriority: "high" } }, { crm: "low", target: "low" })

  it("stays queued, writing nothing, while nobody touches it", () => {
    const second = runCycle(input([priority()], { "customFields.crmPriority": queued() }, paired({ priority: "medium" }, { customFields: { crmPriority: "high" } }), 2))
    expect(second.decision).toMatchObject({ crm: Option.none(), target: Option.none() })
    expect(second.decision.fields[0]).toMatchObject({ _tag: "Conflict", reopened: false })
  })

  it("keeps the newest values when a side edits it again unresolved", () => {
    const second = runCycle(input([priority()], { "customFields.crmPriority": queued() }, paired({ priority: "low" }, { customFields: { crmPriority: "high" } }), 2))
    expect(second.decision.fields[0]).toMatchObject({ _tag: "Conflict", reopened: false, conflict: { crm: "low", target: "high" } })
  })

  it("closes by itself when the two sides become equal, and the base moves there", () => {
    const second = runCycle(input([priority()], { "customFields.crmPriority": queued() }, paired({ priority: "high" }, { customFields: { crmPriority: "high" } }), 2))
    expect(second.decision).toMatchObject({ crm: Option.none(), target: Option.none(), conflicts: [] })
    expect(second.states["customFields.crmPriority"]).toMatchObject({ base: Option.some({ crm: "high", target: "high" }), conflict: Option.none() })
  })
})

describe("a resolution confirmed on one side only", () => {
  it("is carried out on the missing side next cycle, not re-opened by sync's own write", () => {
    const rule = priority()
    const crm = { priority: "medium" }
    const target = { customFields: { crmPriority: "high" } }
    const state = queuedThenResolved(rule, crm, target, { crm: "low", target: "low" }, { _tag: "value", value: "low" })
    const syncInput = input([rule], { [rule.field]: state }, paired(crm, target), 2)
    const decision = decideRecord(syncInput)
    expect(decision.crm).toMatchObject(Option.some({ body: { priority: "low" } }))
    expect(decision.target).toMatchObject(Option.some({ body: { customFields: { crmPriority: "low" } } }))
    // The CRM confirmed; the target's request failed.
    const states = nextStates(syncInput, decision, { crm: Option.some({ priority: "low" }), target: Option.none() })
    const next = decideRecord(input([rule], states, paired({ priority: "low" }, target), 3))
    expect(next.crm).toEqual(Option.none())
    expect(next.target).toMatchObject(Option.some({ body: { customFields: { crmPriority: "low" } } }))
    expect(next.fields[0]).toMatchObject({ _tag: "Write", cause: "resolution" })
  })
})
