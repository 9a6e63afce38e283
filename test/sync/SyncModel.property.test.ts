import { Option } from "effect"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { resolveConflict } from "../../src/sync/ConflictQueue.js"
import type { FieldSyncState, Take } from "../../src/sync/FieldState.js"
import { decideRecord, nextStates, observe, type PairedRecord } from "../../src/sync/SyncDecision.js"
import type { ConflictPolicy, FieldRule } from "../../src/sync/SyncPolicy.js"
import { based, name, owner, priority, status } from "./SyncFixtures.js"

/**
 * The "Done when" at the pure level: random outside edits on both sides and cycles,
 * a tiny two-sided world that applies what decideRecord decides (the target trims every text
 * it stores), and a small reference model of the merge written from the rules, not the code.
 */

type Side = "crm" | "target"

// Values each side may be edited to; the CRM side has untrimmed texts the target will trim.
const crmValues: Record<string, ReadonlyArray<string>> = {
  status: ["open", "closed"],
  "customFields.crmPriority": ["low", "high", " high"],
  name: ["A", "B", " A"],
  owningEmployeeId: ["E-1", "E-2"]
}
const targetValues: Record<string, ReadonlyArray<string>> = {
  status: ["initiated", "processing", "completed", "canceled", "reopened"],
  "customFields.crmPriority": ["low", "high"],
  name: ["A", "B"],
  owningEmployeeId: ["E-1", "E-2", "E-3"]
}
const fields = Object.keys(crmValues)

type Action =
  | { readonly _tag: "edit"; readonly side: Side; readonly field: string; readonly pick: number }
  | { readonly _tag: "cycle" }
  /** A person resolves the field's conflict, and maybe someone edits it again before the next cycle. */
  | {
    readonly _tag: "resolve"
    readonly field: string
    readonly take: "crm" | "target" | number
    readonly thenEdit: { readonly side: Side; readonly pick: number } | null
  }

const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ _tag: fc.constant("edit" as const), side: fc.constantFrom<Side>("crm", "target"), field: fc.constantFrom(...fields), pick: fc.nat() }) },
  { weight: 3, arbitrary: fc.constant({ _tag: "cycle" as const }) },
  { weight: 3, arbitrary: fc.record({ _tag: fc.constant("resolve" as const), field: fc.constantFrom(...fields), take: fc.oneof(fc.constantFrom<"crm" | "target">("crm", "target"), fc.nat()), thenEdit: fc.option(fc.record({ side: fc.constantFrom<Side>("crm", "target"), pick: fc.nat() })) }) }
)
const policy = fc.constantFrom<ConflictPolicy>("sourceWins", "targetWins", "newestWins", "manual")

const trim = (value: string) => value.trim()

// == the reference model: one field, plain strings, the rules of issue 10 items 2-4

interface ModelField {
  readonly rule: FieldRule
  crm: string
  target: string
  /** What each side held when sync last looked (the base, by another name). */
  seenCrm: string
  seenTarget: string
  queued: { crm: string; target: string; take: Take | undefined } | undefined
  lastWrite: { cycle: number; from: string; to: string } | undefined
}

const fwd = (m: ModelField, crm: string) => m.rule.forward(crm) as string
const rev = (m: ModelField, target: string) => m.rule.reverse === undefined ? undefined : m.rule.reverse(target) as string
const agree = (m: ModelField) => fwd(m, m.crm) === m.target || rev(m, m.target) === m.crm

/** The model's cycle for one field: which sides it writes. */
const modelCycle = (m: ModelField, cycle: number, clock: { crm: number; target: number }): Array<Side> => {
  const toTarget = m.rule.direction !== "toSource"
  const toCrm = m.rule.direction !== "toTarget" && m.rule.reverse !== undefined
  const writes: Array<Side> = []
  const write = (side: Side, value: string) => {
    if (side === "target") m.target = trim(value)
    else m.crm = value
    writes.push(side)
  }
  const look = () => {
    m.seenCrm = m.crm
    m.seenTarget = m.target
  }
  if (m.queued !== undefined) {
    const q = m.queued
    if (agree(m)) m.queued = undefined
    else if (q.crm !== m.crm || q.target !== m.target) m.queued = { crm: m.crm, target: m.target, take: undefined }
    else if (q.take !== undefined) {
      const chosen = q.take._tag === "crm" ? fwd(m, m.crm) : q.take._tag === "target" ? m.target : q.take.value as string
      // What the field moves away from: the target's value, or (the CRM alone written) the CRM's in target terms.
      const from = m.target !== chosen ? m.target : fwd(m, m.crm)
      if (m.target !== chosen) write("target", chosen)
      const back = rev(m, chosen)
      if (q.take._tag !== "crm" && back !== undefined && m.crm !== back) write("crm", back)
      if (writes.length > 0) m.lastWrite = { cycle, from, to: chosen }
      m.queued = undefined
    }
    if (m.queued === undefined) look()
    return writes
  }
  const crmMoved = m.crm !== m.seenCrm
  const targetMoved = m.target !== m.seenTarget
  if ((!crmMoved && !targetMoved) || agree(m)) {
    look()
    return writes
  }
  let winner: Side | "queue"
  if (!targetMoved && toTarget) winner = "crm"
  else if (!crmMoved && toCrm) winner = "target"
  else {
    const p = m.rule.policy ?? "manual"
    winner = p === "sourceWins" ? "crm" : p === "targetWins" ? "target" : p === "manual" ? "queue" : clock.crm > clock.target ? "crm" : "target"
  }
  const planned = winner === "crm" && toTarget
    ? { side: "target" as const, from: m.target, to: fwd(m, m.crm), value: fwd(m, m.crm) }
    : winner === "target" && toCrm
    ? { side: "crm" as const, from: fwd(m, m.crm), to: m.target, value: rev(m, m.target)! }
    : undefined
  // A war: the last cycle wrote a → b, and now the field is back at a, or would go back to a,
  // or would be set to b again over someone else's value.
  const last = m.lastWrite
  const war = planned !== undefined && last !== undefined && last.cycle === cycle - 1 &&
    (planned.from === last.from || (planned.from === last.to && planned.to === last.from) || (planned.from !== last.to && planned.to === last.to))
  if (winner === "queue" || war) {
    m.queued = { crm: m.crm, target: m.target, take: undefined }
    return writes
  }
  if (planned !== undefined) {
    write(planned.side, planned.value)
    m.lastWrite = { cycle, from: planned.from, to: planned.to }
  }
  look()
  return writes
}

// == the world and the run

const setPath = (record: Record<string, unknown>, path: string, value: unknown) => {
  const [head, tail] = path.split(".") as [string, string | undefined]
  if (tail === undefined) record[head] = value
  else record[head] = { ...(record[head] as object), [tail]: value }
}

/** How often each rule fired over all runs, so the test can show its generator reaches them all. */
const reached = new Map<string, number>()
const reach = (what: string) => reached.set(what, (reached.get(what) ?? 0) + 1)

const run = (policies: { priority: ConflictPolicy; name: ConflictPolicy; owner: ConflictPolicy }, actions: ReadonlyArray<Action>) => {
  const rules = [status(), priority({ policy: policies.priority }), name({ policy: policies.name }), owner({ policy: policies.owner })]
  const crm: Record<string, unknown> = { id: "KC-1", status: "open", priority: "low", title: "A", owner: "E-1" }
  const target: Record<string, unknown> = { id: "CS-1", status: "processing", name: "A", owningEmployeeId: "E-1", customFields: { crmPriority: "low", other: "x" } }
  const clock = { now: 0, crm: 0, target: 0 }
  const tick = (side: Side) => (clock[side] = ++clock.now)
  const record = (): PairedRecord => ({
    crm: structuredClone(crm),
    target: structuredClone(target),
    times: { crmLastUpdated: new Date(clock.crm * 1000).toISOString(), targetUpdatedAt: new Date(clock.target * 1000).toISOString() }
  })
  let states: Record<string, FieldSyncState> = Object.fromEntries(rules.map((rule) => [rule.field, based(observe(rule, record()))]))
  const models = new Map<string, ModelField>(rules.map((rule) => {
    const { crm: c, target: t } = observe(rule, record())
    return [rule.field, { rule, crm: c as string, target: t as string, seenCrm: c as string, seenTarget: t as string, queued: undefined, lastWrite: undefined }]
  }))
  const touched = new Set<string>() // fields edited or resolved since their last write
  const editedSinceCycle = { crmStatus: false, any: false }
  let cycle = 0
  const totals = { world: 0, model: 0 }

  const doCycle = () => {
    cycle++
    const before = record()
    const syncInput = { cycle, rules, states, record: before }
    const decision = decideRecord(syncInput)
    // The model, from the same starting point.
    const modelWrites = { crm: false, target: false }
    for (const m of models.values()) {
      for (const side of modelCycle(m, cycle, { crm: clock.crm, target: clock.target })) modelWrites[side] = true
    }
    // The world applies the writes; the target trims what it stores; each side answers its case.
    if (Option.isSome(decision.crm)) {
      for (const { field, value } of decision.crm.value.changes) setPath(crm, field, value)
      tick("crm")
    }
    if (Option.isSome(decision.target)) {
      for (const { field, value } of decision.target.value.changes) setPath(target, field, typeof value === "string" ? trim(value) : value)
      tick("target")
    }
    const worldWrites = Number(Option.isSome(decision.crm)) + Number(Option.isSome(decision.target))
    totals.world += worldWrites
    totals.model += Number(modelWrites.crm) + Number(modelWrites.target)

    // A quiet cycle decides zero writes.
    if (!editedSinceCycle.any) expect(worldWrites).toBe(0)
    expect({ crm: Option.isSome(decision.crm), target: Option.isSome(decision.target) }).toEqual(modelWrites)
    for (const d of decision.fields) {
      reach(d._tag === "Conflict" ? (d.reopened ? "reopened" : d.conflict.reason) : d._tag === "Nothing" ? "nothing" : d.cause)
      if (d._tag !== "Write") continue
      // No field is written twice without an outside edit (or a person's resolution) in between.
      expect(touched.has(d.field), `${d.field} written again in cycle ${cycle} with no edit since its last write`).toBe(true)
      touched.delete(d.field)
      // No echo over a many-to-one reverse: the target's status is only written when the CRM's status moved (or a person chose).
      if (d.field === "status" && Option.isSome(d.target) && d.cause !== "resolution") expect(editedSinceCycle.crmStatus).toBe(true)
    }
    states = nextStates(syncInput, decision, {
      crm: Option.map(decision.crm, () => structuredClone(crm)),
      target: Option.map(decision.target, () => structuredClone(target))
    })
    // Both sides hold what the model says, and the same fields are queued.
    for (const [field, m] of models) {
      const now = observe(m.rule, record())
      expect({ field, crm: now.crm, target: now.target }).toEqual({ field, crm: m.crm, target: m.target })
      expect({ field, queued: Option.isSome(states[field]!.conflict) }).toEqual({ field, queued: m.queued !== undefined })
    }
    editedSinceCycle.any = false
    editedSinceCycle.crmStatus = false
  }

  const edit = (step: { readonly side: Side; readonly field: string; readonly pick: number }) => {
      const m = models.get(step.field)!
      const pool = (step.side === "crm" ? crmValues : targetValues)[step.field]!
      const value = pool[step.pick % pool.length]!
      const current = step.side === "crm" ? m.crm : m.target
      if (current === value) return // setting what it holds is no edit
      if (step.side === "crm") {
        setPath(crm, m.rule.crmField, value)
        m.crm = value
        if (step.field === "status") editedSinceCycle.crmStatus = true
      } else {
        setPath(target, step.field, value)
        m.target = value
      }
      tick(step.side)
      touched.add(step.field)
      editedSinceCycle.any = true
  }

  for (const step of actions) {
    if (step._tag === "cycle") doCycle()
    else if (step._tag === "edit") edit(step)
    else {
      const m = models.get(step.field)!
      const conflict = states[step.field]!.conflict
      if (Option.isNone(conflict) || m.queued === undefined) continue
      const pool = targetValues[step.field]!
      const take: Take = typeof step.take === "number" ? { _tag: "value", value: pool[step.take % pool.length] } : { _tag: step.take }
      states = { ...states, [step.field]: { ...states[step.field]!, conflict: Option.some(resolveConflict(conflict.value, take)) } }
      m.queued.take = take
      touched.add(step.field)
      editedSinceCycle.any = true
      if (step.thenEdit !== null) edit({ ...step.thenEdit, field: step.field })
    }
  }
  // Two quiet cycles at the end: the first settles what is pending, the second must be silent.
  doCycle()
  const settled = totals.world
  doCycle()
  expect(totals.world).toBe(settled)
  // The number of writes is the number of effective changes the model propagated.
  expect(totals.world).toBe(totals.model)
  return totals
}

describe("two-way sync against a reference model", () => {
  it("converges to the model's values with one write per effective change, no echo and quiet cycles silent", () => {
    fc.assert(
      fc.property(fc.record({ priority: policy, name: policy, owner: policy }), fc.array(action, { minLength: 10, maxLength: 60 }), (policies, actions) => {
        run(policies, actions)
      }),
      { numRuns: 500 }
    )
    for (const what of ["crmChanged", "targetChanged", "conflictPolicy", "driftPolicy", "sidesAgree", "resolution", "bothChanged", "drift", "war", "reopened"]) {
      expect(reached.get(what) ?? 0, `no run reached ${what}`).toBeGreaterThan(0)
    }
  })

  it("writes the target's canceled back as closed once, and never completed over it", () => {
    const totals = run({ priority: "manual", name: "manual", owner: "manual" }, [
      { _tag: "edit", side: "target", field: "status", pick: 3 }, // canceled
      { _tag: "cycle" },
      { _tag: "cycle" },
      { _tag: "cycle" }
    ])
    expect(totals.world).toBe(1)
  })
})
