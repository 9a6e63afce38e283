import { Option } from "effect"
import { describe, expect, it } from "vitest"
import { bodyMismatch, claimRows, type LedgerView } from "../../src/apply/ItemClaims.js"
import { bodyDigestOf } from "../../src/plan/BodyReference.js"
import type { PlanItem, PlannedCreate } from "../../src/plan/Plan.js"
import type { LedgerEntry } from "../../src/state/LedgerEntry.js"

const create = (key: string, line: number, externalId = `legacy-${key}`): PlanItem => ({
  _tag: "create",
  sourceKey: key,
  externalId,
  location: { _tag: "csv", file: "cases.csv", line },
  personId: "BO-1",
  body: { typeId: "101", externalId },
  values: {}
})

const row = (key: string, externalId: string, location: string, runId: string): LedgerEntry => ({
  job: "t",
  sourceKey: key,
  externalId,
  location,
  borrowerId: "BO-1",
  caseId: null,
  writeState: "confirmed",
  action: "create",
  snapshot: null,
  targetUpdatedAt: null,
  rejectReason: null,
  runId,
  updatedAt: "2026-01-01T00:00:00.000Z"
})

const empty: LedgerView = { runId: "run-1", byKey: new Map(), byExternalId: new Map() }
const refusals = (items: Array<PlanItem>, ledger: LedgerView = empty) =>
  claimRows(items, ledger).map((r) => Option.getOrNull(Option.map(r, (x) => x.field)))

describe("bodyMismatch", () => {
  it("refuses a create whose body writes another externalId, or none", () => {
    const edited = { ...create("1", 2), body: { typeId: "101", externalId: "legacy-2" } } as PlanItem
    expect(Option.getOrThrow(bodyMismatch(edited)).detail).toContain("legacy-2")
    expect(Option.isSome(bodyMismatch({ ...create("1", 2), body: { typeId: "101" } } as PlanItem))).toBe(true)
    expect(bodyMismatch(create("1", 2))).toEqual(Option.none())
  })

  it("refuses a create made again from the source whose body is not the planned one, or that has none, before anything else", () => {
    const planned = create("1", 2) as PlannedCreate
    const restored = { ...planned, bodyDigest: bodyDigestOf(planned.body) }
    expect(bodyMismatch(restored)).toEqual(Option.none())
    const changed = Option.getOrThrow(bodyMismatch({ ...restored, body: { ...planned.body, name: "a lookup said otherwise" } }))
    expect(changed.field).toBe("(body)")
    expect(changed.detail).toContain("cases.csv:2 is not the one planned")
    expect(changed.detail).toContain("make a new plan")
    const none = Option.getOrThrow(bodyMismatch({ ...restored, body: {} }))
    expect(none.detail).toContain("no case could be made again from cases.csv:2")
    // The planned digest is judged first: a body made again that also names another externalId says it is not the planned one.
    expect(Option.getOrThrow(bodyMismatch({ ...restored, body: { typeId: "101", externalId: "legacy-2" } })).field).toBe("(body)")
  })

  it("lets an update without externalId through, and refuses one that would re-key the case", () => {
    const update: PlanItem = {
      _tag: "update",
      sourceKey: "1",
      externalId: "legacy-1",
      location: { _tag: "csv", file: "cases.csv", line: 2 },
      personId: "BO-1",
      caseId: "CS-1",
      targetUpdatedAt: null,
      changes: [],
      body: { status: "completed" },
      values: {}
    }
    expect(bodyMismatch(update)).toEqual(Option.none())
    expect(Option.isSome(bodyMismatch({ ...update, body: { externalId: "legacy-9" } }))).toBe(true)
  })
})

describe("claimRows", () => {
  it("lets the first item of a key or externalId take the row and refuses later ones in the batch", () => {
    expect(refusals([create("1", 2), create("1", 3, "legacy-other"), create("2", 4, "legacy-1"), create("3", 5)]))
      .toEqual([null, "key", "externalId", null])
  })

  it("refuses a key this run already applied from another location (a duplicate in an earlier batch)", () => {
    const ledger: LedgerView = { ...empty, byKey: new Map([["1", row("1", "legacy-1", "cases.csv:2", "run-1")]]) }
    const [refusal] = claimRows([create("1", 30)], ledger)
    expect(Option.getOrThrow(refusal!).detail).toContain("cases.csv:2")
    // The same row from an earlier run, or this very item again, is fine.
    expect(refusals([create("1", 2)], ledger)).toEqual([null])
    expect(refusals([create("1", 30)], { ...ledger, runId: "run-2" })).toEqual([null])
  })

  it("refuses a key or externalId the ledger links to another one", () => {
    const ledger: LedgerView = {
      ...empty,
      byKey: new Map([["2", row("2", "legacy-old-2", "cases.csv:3", "run-0")]]),
      byExternalId: new Map([["legacy-1", row("old-1", "legacy-1", "cases.csv:2", "run-0")]])
    }
    expect(refusals([create("1", 2), create("2", 3)], ledger)).toEqual(["key", "externalId"])
  })
})
