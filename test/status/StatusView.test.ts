import { describe, expect, it } from "vitest"
import type { JobStatus } from "../../src/status/JobStatus.js"
import { countsText, statusJson, statusView } from "../../src/status/StatusView.js"

const base: JobStatus = {
  job: "legacy-csv",
  state: ".casesync/state.db",
  runs: [],
  runsTotal: 0,
  ledger: { planned: 0, sent: 0, confirmed: 0, rejected: 0, total: 0 },
  conflicts: [],
  sync: { queuedConflicts: 0, unansweredCreates: [] },
  lease: { _tag: "Free" }
}

const conflict = (n: number) => ({ sourceKey: `LC-${n}`, externalId: `legacy-LC-${n}`, caseId: null, runId: "r1", since: "t" })

describe("countsText", () => {
  it("reads in the order of the accounting line, with unknown counters after", () => {
    expect(countsText({ skipped: 0, extra: 9, read: 3, create: 2, reject: 1 })).toBe("read 3, create 2, reject 1, skipped 0, extra 9")
    expect(countsText({})).toBe("no counts")
  })
})

describe("statusView", () => {
  it("says a run without an end is running or died, and that a sent row will be checked", () => {
    const view = statusView({
      ...base,
      runs: [{ runId: "r1", command: "apply", configDigest: "d", startedAt: "s", endedAt: null, outcome: null, counts: {} }],
      runsTotal: 1,
      ledger: { planned: 0, sent: 1, confirmed: 0, rejected: 0, total: 1 }
    })
    expect(view).toContain("apply    running or died")
    expect(view).toContain("ledger: 1 rows: planned 0, sent 1, confirmed 0, rejected 0 (sent: a write may have landed")
  })

  it("lists 20 conflicts and says how many more --json holds", () => {
    const view = statusView({ ...base, conflicts: Array.from({ length: 23 }, (_, i) => conflict(i)) })
    expect(view).toContain("open conflicts: 23")
    expect(view.split("\n").filter((line) => line.startsWith("  LC-"))).toHaveLength(20)
    expect(view).toContain("… and 3 more (--json lists them all)")
  })

  it("says what of a two-way sync waits for a person: queued conflicts and CRM creates that never heard back", () => {
    expect(statusView(base)).not.toContain("sync:")
    const view = statusView({ ...base, sync: { queuedConflicts: 2, unansweredCreates: ["case-7", "case-9"] } })
    expect(view).toContain("sync: 2 conflicts queued (casesync conflicts lists them)")
    expect(view).toContain("sync: 2 CRM creates waiting for an answer, for target cases case-7, case-9 (casesync sync resolve-create)")
    expect(JSON.parse(JSON.stringify(statusJson({ ...base, sync: { queuedConflicts: 0, unansweredCreates: ["case-7"] } }))).sync)
      .toEqual({ queuedConflicts: 0, unansweredCreates: ["case-7"] })
  })

  it("says an expired lease will be taken over", () => {
    const lease = { name: "apply:legacy-csv", holder: { runId: "r9", pid: 7, host: "h", command: "apply" }, acquiredAt: "a", renewedAt: "a", expiresAt: "e" }
    expect(statusView({ ...base, lease: { _tag: "Expired", lease } })).toContain("lease: expired at e (last held by run r9, pid 7 on h); the next apply takes it over")
  })
})

describe("statusJson", () => {
  it("round-trips through JSON with every conflict and the lease flattened", () => {
    const doc = statusJson({ ...base, conflicts: Array.from({ length: 23 }, (_, i) => conflict(i)) })
    const parsed = JSON.parse(JSON.stringify(doc))
    expect(parsed.conflicts).toHaveLength(23)
    expect(parsed.lease).toEqual({ status: "free" })
  })
})
