import { Option } from "effect"
import { describe, expect, it } from "vitest"
import { decideField } from "../../src/sync/FieldMerge.js"
import { unsynced } from "../../src/sync/FieldState.js"
import type { ConflictPolicy } from "../../src/sync/SyncPolicy.js"
import { based, name, owner, priority, status, times } from "./SyncFixtures.js"

const cycle = { cycle: 7, times: times() }
const writeTarget = (field: string, value: unknown) => ({ _tag: "Write", field, target: Option.some(value), crm: Option.none() })
const writeCrm = (field: string, value: unknown) => ({ _tag: "Write", field, target: Option.none(), crm: Option.some(value) })

describe("one field, one cycle: a change is a side differing from its own base", () => {
  it("does nothing when neither side differs from its base, comparing date-times as instants", () => {
    const openedAt = { ...priority(), field: "openedAt", crmField: "created" }
    const state = based({ crm: "2024-03-10T01:30:00.000-05:00", target: "2024-03-10T01:30:00.000-05:00" })
    // The target re-zoned the instant to UTC: the same instant, so no change.
    expect(decideField(openedAt, state, { crm: "2024-03-10T01:30:00.000-05:00", target: "2024-03-10T06:30:00Z" }, cycle))
      .toEqual({ _tag: "Nothing", field: "openedAt" })
  })

  it("only the CRM changed: writes the target through the forward mapping (both and toTarget)", () => {
    const state = based({ crm: "open", target: "processing" })
    expect(decideField(status(), state, { crm: "closed", target: "processing" }, cycle))
      .toMatchObject({ ...writeTarget("status", "completed"), cause: "crmChanged" })
    expect(decideField(name(), based({ crm: "Old", target: "Old" }), { crm: "New", target: "Old" }, cycle))
      .toMatchObject({ ...writeTarget("name", "New"), cause: "crmChanged" })
  })

  it("only the target changed: writes the CRM through the reverse (both and toSource)", () => {
    expect(decideField(status(), based({ crm: "closed", target: "completed" }), { crm: "closed", target: "reopened" }, cycle))
      .toMatchObject({ ...writeCrm("status", "open"), cause: "targetChanged" })
    expect(decideField(owner(), based({ crm: "E-1", target: "E-1" }), { crm: "E-1", target: "E-2" }, cycle))
      .toMatchObject({ ...writeCrm("owningEmployeeId", "E-2"), cause: "targetChanged" })
  })

  it("both changed to equal values: no write, the base moves", () => {
    expect(decideField(priority(), based({ crm: "low", target: "low" }), { crm: "high", target: "high" }, cycle))
      .toEqual({ _tag: "MoveBase", field: "customFields.crmPriority", cause: "sidesAgree", policy: Option.none() })
  })

  it("a many-to-one reverse never echoes: target canceled agrees with CRM closed", () => {
    // The agent cancels a completed case: the CRM already says closed, nothing to write either way.
    expect(decideField(status(), based({ crm: "closed", target: "completed" }), { crm: "closed", target: "canceled" }, cycle))
      .toMatchObject({ _tag: "MoveBase", cause: "sidesAgree" })
    // The CRM closes while the agent cancels: they agree; completed is never written over canceled.
    expect(decideField(status(), based({ crm: "open", target: "processing" }), { crm: "closed", target: "canceled" }, cycle))
      .toMatchObject({ _tag: "MoveBase", cause: "sidesAgree" })
    // With canceled in the base, the CRM unchanged is quiet.
    expect(decideField(status(), based({ crm: "closed", target: "canceled" }), { crm: "closed", target: "canceled" }, cycle))
      .toEqual({ _tag: "Nothing", field: "status" })
  })
})

describe("both changed to different values: the field's conflict policy", () => {
  const state = based({ crm: "low", target: "low" })
  const now = { crm: "medium", target: "high" }
  const withPolicy = (policy: ConflictPolicy | undefined, at = times()) =>
    decideField(priority({ policy }), state, now, { cycle: 7, times: at })

  it("manual (the default) queues the field with both values and the base, saying what happened", () => {
    for (const decision of [withPolicy(undefined), withPolicy("manual")]) {
      expect(decision).toMatchObject({
        _tag: "Conflict",
        reopened: false,
        conflict: {
          field: "customFields.crmPriority",
          reason: "bothChanged",
          crm: "medium",
          target: "high",
          base: Option.some({ crm: "low", target: "low" }),
          since: 7,
          resolution: Option.none()
        }
      })
      expect(decision._tag === "Conflict" && decision.conflict.detail).toBe(
        "the CRM changed customFields.crmPriority from \"low\" to \"medium\" and the target changed customFields.crmPriority " +
          "from \"low\" to \"high\"; the policy is manual"
      )
    }
  })

  it("sourceWins writes the CRM's value to the target, targetWins the target's to the CRM", () => {
    expect(withPolicy("sourceWins")).toMatchObject({ ...writeTarget("customFields.crmPriority", "medium"), cause: "conflictPolicy", policy: Option.some("sourceWins") })
    expect(withPolicy("targetWins")).toMatchObject({ ...writeCrm("customFields.crmPriority", "high"), cause: "conflictPolicy", policy: Option.some("targetWins") })
  })

  it("newestWins compares the CRM's lastUpdated with the target's updatedAt as instants; equal goes to the queue", () => {
    expect(withPolicy("newestWins", times("2024-05-01T10:00:00Z", "2024-05-01T09:00:00Z"))).toMatchObject(writeTarget("customFields.crmPriority", "medium"))
    expect(withPolicy("newestWins", times("2024-05-01T10:00:00Z", "2024-05-01T06:00:01-05:00"))).toMatchObject(writeCrm("customFields.crmPriority", "high"))
    const tie = withPolicy("newestWins", times("2024-05-01T10:00:00.000-05:00", "2024-05-01T15:00:00Z"))
    expect(tie).toMatchObject({ _tag: "Conflict", conflict: { reason: "bothChanged" } })
    expect(tie._tag === "Conflict" && tie.conflict.detail).toContain("newestWins cannot choose")
    expect(withPolicy("newestWins", times(null, "2024-05-01T15:00:00Z"))).toMatchObject({ _tag: "Conflict" })
  })

  it("a winner whose value the direction cannot carry keeps its edit and the base accepts both sides", () => {
    const decision = decideField(name({ policy: "targetWins" }), based({ crm: "a", target: "a" }), { crm: "b", target: "c" }, cycle)
    expect(decision).toMatchObject({ _tag: "MoveBase", cause: "conflictPolicy", policy: Option.some("targetWins") })
  })
})

describe("drift: a change the field's direction does not carry is never silently overwritten", () => {
  const edited = { crm: "Title", target: "Agent's title" }
  const toTarget = (policy?: ConflictPolicy) =>
    decideField(name({ policy }), based({ crm: "Title", target: "Title" }), edited, cycle)

  it("manual queues a target edit of a toTarget field as drift", () => {
    const decision = toTarget()
    expect(decision).toMatchObject({ _tag: "Conflict", conflict: { reason: "drift", crm: "Title", target: "Agent's title" } })
    expect(decision._tag === "Conflict" && decision.conflict.detail).toBe(
      "the target changed name from \"Title\" to \"Agent's title\", but name syncs toTarget (drift); the policy is manual"
    )
  })

  it("sourceWins restores the CRM's value, targetWins keeps the target's edit", () => {
    expect(toTarget("sourceWins")).toMatchObject({ ...writeTarget("name", "Title"), cause: "driftPolicy" })
    expect(toTarget("targetWins")).toMatchObject({ _tag: "MoveBase", cause: "driftPolicy" })
  })

  it("a CRM edit of a toSource field is drift the other way round", () => {
    const drift = (policy?: ConflictPolicy) =>
      decideField(owner({ policy }), based({ crm: "E-1", target: "E-1" }), { crm: "E-9", target: "E-1" }, cycle)
    expect(drift()).toMatchObject({ _tag: "Conflict", conflict: { reason: "drift" } })
    expect(drift("targetWins")).toMatchObject({ ...writeCrm("owningEmployeeId", "E-1"), cause: "driftPolicy" })
    expect(drift("sourceWins")).toMatchObject({ _tag: "MoveBase", cause: "driftPolicy" })
  })

  it("a both field without a reverse cannot write the CRM: its target edits are drift", () => {
    const decision = decideField(priority({ reverse: undefined }), based({ crm: "low", target: "low" }), { crm: "low", target: "high" }, cycle)
    expect(decision).toMatchObject({ _tag: "Conflict", conflict: { reason: "drift" } })
  })
})

describe("a field with no base yet (never synced)", () => {
  it("only moves the base when the sides agree", () => {
    expect(decideField(status(), unsynced, { crm: "open", target: "processing" }, cycle)).toMatchObject({ _tag: "MoveBase", cause: "sidesAgree" })
  })

  it("leaves disagreeing sides to the policy, as if both had changed", () => {
    expect(decideField(status(), unsynced, { crm: "open", target: "completed" }, cycle))
      .toMatchObject({ _tag: "Conflict", conflict: { reason: "noBase", base: Option.none() } })
    expect(decideField(status({ policy: "sourceWins" }), unsynced, { crm: "open", target: "completed" }, cycle))
      .toMatchObject(writeTarget("status", "processing"))
  })
})
