import { Option } from "effect"
import { describe, expect, it } from "vitest"
import type { DesiredCase, TargetCase } from "../../src/plan/Decide.js"
import { compareRecord, externalIdPattern, fixFor, ledgerProblem } from "../../src/reconcile/Compare.js"
import type { LedgerEntry } from "../../src/state/LedgerEntry.js"

const desired = (values: Record<string, unknown>): DesiredCase => ({
  sourceKey: "LG-1",
  externalId: "legacy-LG-1",
  location: { _tag: "csv", file: "cases.csv", line: 2 },
  personId: "BO-1",
  body: { typeId: "101", externalId: "legacy-LG-1", ...values },
  values
})

const target = (values: Record<string, unknown>, caseId = "CS-1"): TargetCase => ({
  caseId,
  personIds: ["BO-1"],
  updatedAt: "2024-01-01T00:00:00.000Z",
  raw: { metaData: { keep: "yes" } },
  values
})

const entry = (fields: Partial<LedgerEntry>): LedgerEntry => ({
  job: "j",
  sourceKey: "LG-1",
  externalId: "legacy-LG-1",
  location: "cases.csv:2",
  borrowerId: "BO-1",
  caseId: "CS-1",
  writeState: "confirmed",
  action: "create",
  snapshot: null,
  targetUpdatedAt: null,
  rejectReason: null,
  runId: "r",
  updatedAt: "2024-01-01T00:00:00.000Z",
  ...fields
})

const synced = (snapshot: Record<string, unknown>) => entry({ snapshot })

describe("compareRecord", () => {
  it("is in sync when every owned value means the same (an instant in another offset included)", () => {
    const finding = compareRecord(
      desired({ status: "initiated", openedAt: "2024-03-10T01:30:00-05:00" }),
      [target({ status: "initiated", openedAt: "2024-03-10T06:30:00.000Z" })],
      undefined
    )
    expect(finding._tag).toBe("InSync")
  })

  it("finds a record the target does not have as missing", () => {
    expect(compareRecord(desired({ status: "initiated" }), [], undefined)._tag).toBe("Missing")
  })

  it("names the target as the side that moved when the target differs from the last synced value", () => {
    const finding = compareRecord(
      desired({ status: "initiated", name: "Old" }),
      [target({ status: "initiated", name: "Edited by an agent" })],
      synced({ status: "initiated", name: "Old" })
    )
    expect(finding).toMatchObject({
      _tag: "Drift",
      fields: [{ field: "name", source: "Old", target: "Edited by an agent", base: "Old", moved: "target" }]
    })
  })

  it("names the source when the mapping now makes something else of it, both when both moved, unknown without a snapshot", () => {
    const base = synced({ status: "initiated", name: "Old", outcome: null })
    const finding = compareRecord(
      desired({ status: "completed", name: "New", outcome: "resolved" }),
      [target({ status: "initiated", name: "Edited", outcome: null })],
      base
    )
    expect(finding._tag === "Drift" && finding.fields.map((f) => [f.field, f.moved])).toEqual([
      ["status", "source"],
      ["name", "both"],
      ["outcome", "source"]
    ])
    const unsynced = compareRecord(desired({ status: "completed" }), [target({ status: "initiated" })], undefined)
    expect(unsynced._tag === "Drift" && unsynced.fields[0]!.moved).toBe("unknown")
  })

  it("compares with the case the ledger wrote when the externalId is on two cases", () => {
    const finding = compareRecord(
      desired({ status: "initiated" }),
      [target({ status: "completed" }, "CS-0"), target({ status: "initiated" }, "CS-1")],
      entry({ caseId: "CS-1" })
    )
    expect(finding).toMatchObject({ _tag: "InSync", target: { caseId: "CS-1" } })
  })

  it("reports a case of another borrower instead of comparing its fields", () => {
    const other = { ...target({ status: "initiated" }), personIds: ["BO-9"] }
    expect(compareRecord(desired({ status: "initiated" }), [other], undefined)._tag).toBe("OtherBorrower")
  })
})

describe("ledgerProblem", () => {
  it("flags a confirmed row whose case is absent, or whose externalId is on another case", () => {
    expect(Option.map(ledgerProblem(entry({}), []), (p) => p.reason)).toEqual(Option.some("ConfirmedAbsent"))
    expect(Option.map(ledgerProblem(entry({}), [target({}, "CS-2")]), (p) => p.reason)).toEqual(Option.some("ConfirmedOtherCase"))
    expect(ledgerProblem(entry({}), [target({}, "CS-1")])).toEqual(Option.none())
  })

  it("flags a sent row whatever the target holds, saying whether the write landed", () => {
    const landed = ledgerProblem(entry({ writeState: "sent" }), [target({}, "CS-7")])
    expect(Option.map(landed, (p) => [p.reason, p.detail.includes("CS-7")])).toEqual(Option.some(["SentUnresolved", true]))
    expect(Option.map(ledgerProblem(entry({ writeState: "sent" }), []), (p) => p.reason)).toEqual(Option.some("SentUnresolved"))
  })

  it("leaves planned and rejected rows alone: nothing was written for them", () => {
    expect(ledgerProblem(entry({ writeState: "planned" }), [])).toEqual(Option.none())
    expect(ledgerProblem(entry({ writeState: "rejected" }), [])).toEqual(Option.none())
  })
})

describe("externalIdPattern", () => {
  it("matches what the template produces and nothing else", () => {
    const pattern = Option.getOrThrow(externalIdPattern("legacy-{case_id}"))
    expect(pattern.test("legacy-LG-1")).toBe(true)
    expect(pattern.test("khoros-12")).toBe(false)
    expect(pattern.test("legacy-")).toBe(false)
    const dotted = Option.getOrThrow(externalIdPattern("a.{x}-{y}"))
    expect(dotted.test("a.1-2")).toBe(true)
    expect(dotted.test("ab1-2")).toBe(false)
  })

  it("gives none for a template without fixed text, which would claim every case", () => {
    expect(externalIdPattern("{id}")).toEqual(Option.none())
  })
})

describe("fixFor", () => {
  it("creates a missing record with the mapping's body", () => {
    const wanted = desired({ status: "initiated" })
    expect(fixFor(wanted, { _tag: "Missing" }, new Set())).toEqual(
      Option.some({ _tag: "create", sourceKey: "LG-1", externalId: "legacy-LG-1", location: wanted.location, personId: "BO-1", body: wanted.body, values: wanted.values })
    )
  })

  it("updates every drifting field the source feeds alone, whoever moved, merging nested objects", () => {
    const wanted = desired({ name: "Old", "metaData.branch": "B1" })
    const finding = compareRecord(wanted, [target({ name: "Edited", "metaData.branch": "B2" })], synced({ name: "Old", "metaData.branch": "B1" }))
    const fix = Option.getOrThrow(fixFor(wanted, finding, new Set()))
    expect(fix).toMatchObject({
      _tag: "update",
      caseId: "CS-1",
      targetUpdatedAt: "2024-01-01T00:00:00.000Z",
      changes: [{ field: "name", before: "Edited", after: "Old" }, { field: "metaData.branch", before: "B2", after: "B1" }],
      body: { name: "Old", metaData: { keep: "yes", branch: "B1" } }
    })
  })

  it("leaves to sync a case whose two-way field the target moved, and repairs one the source moved", () => {
    const wanted = desired({ status: "initiated", name: "Old" })
    const targetMoved = compareRecord(wanted, [target({ status: "completed", name: "Old" })], synced({ status: "initiated", name: "Old" }))
    expect(fixFor(wanted, targetMoved, new Set(["status"]))).toEqual(Option.none())
    const sourceMoved = compareRecord(wanted, [target({ status: "completed", name: "Old" })], synced({ status: "completed", name: "Old" }))
    expect(Option.map(fixFor(wanted, sourceMoved, new Set(["status"])), (f) => f._tag)).toEqual(Option.some("update"))
  })

  it("says neither side moved when the source holds what sync wrote back through a many-to-one map, and leaves it to sync", () => {
    // The target's canceled went back to the CRM as closed, which the mapping makes completed of.
    const wanted = desired({ status: "completed" })
    const finding = compareRecord(wanted, [target({ status: "canceled" })], synced({ status: "canceled" }), { status: "completed" })
    expect(finding).toMatchObject({ _tag: "Drift", fields: [{ field: "status", source: "completed", target: "canceled", base: "canceled", moved: "neither" }] })
    expect(fixFor(wanted, finding, new Set(["status"]))).toEqual(Option.none())
  })

  it("repairs nothing of a case in sync or on another borrower", () => {
    const wanted = desired({ status: "initiated" })
    expect(fixFor(wanted, { _tag: "InSync", target: target({}) }, new Set())).toEqual(Option.none())
    expect(fixFor(wanted, { _tag: "OtherBorrower", target: target({}) }, new Set())).toEqual(Option.none())
  })
})
