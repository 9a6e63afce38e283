import { describe, expect, it } from "vitest"
import { confirmationToRestore, earlierCreate, earlierUpdate } from "../../src/apply/EarlierWrites.js"
import type { TargetCase } from "../../src/plan/Decide.js"
import type { PlannedCreate, PlannedUpdate } from "../../src/plan/Plan.js"
import type { LedgerEntry } from "../../src/state/LedgerEntry.js"

const location = { _tag: "csv", file: "cases.csv", line: 2 } as const
const create: PlannedCreate = { _tag: "create", sourceKey: "LG-1", externalId: "legacy-LG-1", location, personId: "BO-1", body: {}, values: { status: "initiated" } }
const update: PlannedUpdate = {
  _tag: "update", sourceKey: "LG-1", externalId: "legacy-LG-1", location, personId: "BO-1", caseId: "CS-1",
  targetUpdatedAt: "2026-01-01T00:00:00.000Z", changes: [], body: {}, values: { status: "completed" }
}
const current = (status: string, updatedAt = "2026-02-02T00:00:00.000Z"): TargetCase => ({ caseId: "CS-1", personIds: ["BO-1"], updatedAt, raw: {}, values: { status } })
const row = (writeState: LedgerEntry["writeState"], fields: Partial<LedgerEntry> = {}): LedgerEntry => ({
  job: "t", sourceKey: "LG-1", externalId: "legacy-LG-1", location: "cases.csv:2", borrowerId: "BO-1", caseId: "CS-1", writeState,
  action: "create", snapshot: { status: "initiated" }, targetUpdatedAt: "2026-02-02T00:00:00.000Z", rejectReason: null, runId: "r0", updatedAt: "t", ...fields
})

describe("what an earlier run already wrote", () => {
  it("a create the target holds: done when an earlier run confirmed that case, recovered when it was sent, else none", () => {
    expect(earlierCreate(create, current("initiated"), row("confirmed"), row("planned"))).toBe("done")
    expect(earlierCreate(create, current("initiated"), row("sent"), row("sent"))).toBe("recovered")
    expect(earlierCreate(create, current("initiated"), undefined, row("planned"))).toBeUndefined()
    // Not what the item writes, or another borrower's: someone else's case.
    expect(earlierCreate(create, current("completed"), row("confirmed"), row("planned"))).toBeUndefined()
    expect(earlierCreate(create, { ...current("initiated"), personIds: ["BO-2"] }, row("confirmed"), row("planned"))).toBeUndefined()
  })

  it("an update whose case moved: done when the row was confirmed at the version the target holds, recovered when sent", () => {
    expect(earlierUpdate(update, current("completed"), row("confirmed"), row("planned"))).toBe("done")
    expect(earlierUpdate(update, current("completed", "2026-03-03T00:00:00.000Z"), row("confirmed"), row("planned"))).toBeUndefined()
    expect(earlierUpdate(update, current("completed"), row("sent"), row("sent"))).toBe("recovered")
    expect(earlierUpdate(update, current("canceled"), row("confirmed"), row("planned"))).toBeUndefined()
  })

  it("a row confirmed before this run gets its confirmation back; any other row none", () => {
    expect(confirmationToRestore(row("confirmed"))).toEqual({ caseId: "CS-1", snapshot: { status: "initiated" }, targetUpdatedAt: "2026-02-02T00:00:00.000Z", runId: "r0" })
    expect(confirmationToRestore(row("sent"))).toBeUndefined()
    expect(confirmationToRestore(undefined)).toBeUndefined()
  })
})
