import { describe, expect, it } from "vitest"
import type { LedgerEntry } from "../../src/state/LedgerEntry.js"
import type { Lease } from "../../src/state/Leases.js"
import type { Run } from "../../src/state/RunLog.js"
import { jobStatus, leaseStatus, openConflict, runsOfJob } from "../../src/status/JobStatus.js"

const run = (runId: string, configDigest: string): Run => ({
  runId,
  command: "migrate",
  configDigest,
  startedAt: "2026-01-01T00:00:00.000Z",
  endedAt: null,
  outcome: null,
  counts: {}
})

const entry = (sourceKey: string, action: LedgerEntry["action"]): LedgerEntry => ({
  job: "legacy-csv",
  sourceKey,
  externalId: `legacy-${sourceKey}`,
  location: `legacy.csv:${sourceKey}`,
  borrowerId: "BO-1",
  caseId: "CS-1",
  writeState: "planned",
  action,
  snapshot: null,
  targetUpdatedAt: null,
  rejectReason: null,
  runId: "r2",
  updatedAt: "2026-01-02T00:00:00.000Z"
})

const lease: Lease = {
  name: "apply:legacy-csv",
  holder: { runId: "r3", pid: 1, host: "h", command: "apply" },
  acquiredAt: "2026-01-01T00:00:00.000Z",
  renewedAt: "2026-01-01T00:00:00.000Z",
  expiresAt: "2026-01-01T00:01:00.000Z"
}

describe("runsOfJob", () => {
  it("keeps the runs made with the job's config digest and those that last wrote its ledger, in the log's order", () => {
    const runs = [run("r4", "other"), run("r3", "mine"), run("r2", "changed-target"), run("r1", "other")]
    expect(runsOfJob(runs, { configDigest: "mine", ledgerRunIds: new Set(["r2"]) }).map((r) => r.runId)).toEqual(["r3", "r2"])
  })
})

describe("openConflict", () => {
  it("is the row whose latest plan decided conflict, and nothing for any other action", () => {
    expect(openConflict(entry("LC-1", "conflict"))).toEqual({
      sourceKey: "LC-1",
      externalId: "legacy-LC-1",
      caseId: "CS-1",
      runId: "r2",
      since: "2026-01-02T00:00:00.000Z"
    })
    for (const action of ["create", "update", "unchanged", "reject", null] as const) {
      expect(openConflict(entry("LC-1", action))).toBeUndefined()
    }
  })
})

describe("leaseStatus", () => {
  it("is held until its expiry, expired from then on, and free without a lease row", () => {
    expect(leaseStatus(lease, "2026-01-01T00:00:59.999Z")._tag).toBe("Held")
    expect(leaseStatus(lease, "2026-01-01T00:01:00.000Z")._tag).toBe("Expired")
    expect(leaseStatus(undefined, "2026-01-01T00:00:00.000Z")).toEqual({ _tag: "Free" })
  })
})

describe("jobStatus", () => {
  it("lists the latest runs only but counts them all, and totals the ledger", () => {
    const status = jobStatus({
      job: "legacy-csv",
      state: "state.db",
      runs: [run("r3", "d"), run("r2", "d"), run("r1", "d")],
      runLimit: 2,
      counts: { planned: 1, sent: 2, confirmed: 3, rejected: 4 },
      conflicts: [],
      sync: { queuedConflicts: 0, unansweredCreates: [] },
      lease: undefined,
      now: "2026-01-01T00:00:00.000Z"
    })
    expect(status.runs.map((r) => r.runId)).toEqual(["r3", "r2"])
    expect(status.runsTotal).toBe(3)
    expect(status.ledger).toEqual({ planned: 1, sent: 2, confirmed: 3, rejected: 4, total: 10 })
  })
})
