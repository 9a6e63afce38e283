import type { Run } from "../state/RunLog.js"
import type { JobStatus, LeaseStatus } from "./JobStatus.js"

/** Conflicts listed one per line in the human view; the JSON form lists them all. */
const conflictsShown = 20

// The apply counters in the order of the accounting line (read = created + … + skipped).
const countOrder = ["read", "create", "update", "unchanged", "reject", "conflict", "skipped"] as const

/** A run's counts as `read 230, create 217, …`, known counters first, then any others. */
export const countsText = (counts: Run["counts"]): string => {
  const names = [...countOrder.filter((name) => name in counts), ...Object.keys(counts).filter((name) => !(countOrder as ReadonlyArray<string>).includes(name))]
  return names.length === 0 ? "no counts" : names.map((name) => `${name} ${counts[name]}`).join(", ")
}

const runLine = (run: Run): string =>
  `  ${run.startedAt}  ${run.command.padEnd(8)} ${(run.outcome ?? (run.endedAt === null ? "running or died" : "?")).padEnd(11)} ` +
  `ended ${run.endedAt ?? "-"}  ${countsText(run.counts)}  (run ${run.runId})`

const leaseLine = (lease: LeaseStatus): string => {
  switch (lease._tag) {
    case "Free":
      return "lease: free (no apply running)"
    case "Held": {
      const { holder } = lease.lease
      return `lease: held by run ${holder.runId} ("${holder.command}", pid ${holder.pid} on ${holder.host}) since ${lease.lease.acquiredAt}, expires ${lease.lease.expiresAt} unless renewed`
    }
    case "Expired": {
      const { holder } = lease.lease
      return `lease: expired at ${lease.lease.expiresAt} (last held by run ${holder.runId}, pid ${holder.pid} on ${holder.host}); the next apply takes it over`
    }
  }
}

/** The human view of a job's status. */
export const statusView = (status: JobStatus): string => {
  const { ledger } = status
  return [
    `job ${status.job} (state ${status.state})`,
    status.runs.length === 0
      ? "runs: none recorded (plan alone records none; apply and migrate do)"
      : `runs: ${status.runsTotal}${status.runsTotal > status.runs.length ? `, the latest ${status.runs.length}` : ""} (newest first)`,
    ...status.runs.map(runLine),
    `ledger: ${ledger.total} rows: planned ${ledger.planned}, sent ${ledger.sent}, confirmed ${ledger.confirmed}, rejected ${ledger.rejected}` +
    (ledger.sent > 0 ? " (sent: a write may have landed; the next apply checks the target first)" : ""),
    `open conflicts: ${status.conflicts.length}`,
    ...status.conflicts.slice(0, conflictsShown).map((c) =>
      `  ${c.sourceKey} → ${c.externalId}${c.caseId === null ? "" : ` (case ${c.caseId})`}, since run ${c.runId}`
    ),
    ...(status.conflicts.length > conflictsShown ? [`  … and ${status.conflicts.length - conflictsShown} more (--json lists them all)`] : []),
    ...(status.sync.queuedConflicts === 0 ? [] : [`sync: ${status.sync.queuedConflicts} conflicts queued (casesync conflicts lists them)`]),
    ...(status.sync.unansweredCreates.length === 0 ? [] : [
      `sync: ${status.sync.unansweredCreates.length} CRM creates waiting for an answer, for target cases ` +
      `${status.sync.unansweredCreates.join(", ")} (casesync sync resolve-create)`
    ]),
    leaseLine(status.lease)
  ].join("\n")
}

/** The JSON form of a job's status: one document, every run, count and conflict as data. */
export const statusJson = (status: JobStatus) => ({
  command: "status",
  job: status.job,
  state: status.state,
  runs: status.runs,
  runsTotal: status.runsTotal,
  ledger: status.ledger,
  conflicts: status.conflicts,
  sync: status.sync,
  lease: status.lease._tag === "Free"
    ? { status: "free" }
    : { status: status.lease._tag === "Held" ? "held" : "expired", ...status.lease.lease }
})
