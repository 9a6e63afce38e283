import type { LedgerEntry, StateCounts } from "../state/LedgerEntry.js"
import type { Lease } from "../state/Leases.js"
import type { Run } from "../state/RunLog.js"

/**
 * What `casesync status` shows for one job, as plain data: built from what the state store
 * holds by `jobStatus`, printed by `statusView` or as JSON.
 */
export interface JobStatus {
  readonly job: string
  readonly state: string
  /** The job's most recent runs, newest first. */
  readonly runs: ReadonlyArray<Run>
  /** How many runs of the job the store holds in all (only the latest are listed). */
  readonly runsTotal: number
  readonly ledger: StateCounts & { readonly total: number }
  /** Ledger rows whose latest plan decided `conflict`: the target changed an owned field, or the externalId belongs to another borrower. */
  readonly conflicts: ReadonlyArray<OpenConflict>
  /** What a two-way sync of the job leaves for a person (none for a job never synced). */
  readonly sync: SyncWaiting
  readonly lease: LeaseStatus
}

/** A two-way sync's open questions: field conflicts in its queue, and target cases whose CRM create never heard back. */
export interface SyncWaiting {
  readonly queuedConflicts: number
  readonly unansweredCreates: ReadonlyArray<string>
}

/** One record in conflict, enough to find it in the target and in the run's results. */
export interface OpenConflict {
  readonly sourceKey: string
  readonly externalId: string
  readonly caseId: string | null
  readonly runId: string
  readonly since: string
}

/** Who holds the job's apply lease, if anyone; an expired lease is taken over by the next apply. */
export type LeaseStatus =
  | { readonly _tag: "Free" }
  | { readonly _tag: "Held"; readonly lease: Lease }
  | { readonly _tag: "Expired"; readonly lease: Lease }


/** The open conflict a ledger row stands for, if its latest plan decided `conflict`. */
export const openConflict = (entry: LedgerEntry): OpenConflict | undefined =>
  entry.action === "conflict"
    ? { sourceKey: entry.sourceKey, externalId: entry.externalId, caseId: entry.caseId, runId: entry.runId, since: entry.updatedAt }
    : undefined

/**
 * The runs that belong to a job. The run log has no job column: a run belongs to the job if
 * it was made with the same config digest (which covers the job name), or if a ledger row of
 * the job was last written by it (which still finds runs made with another target URL).
 */
export const runsOfJob = (
  runs: ReadonlyArray<Run>,
  job: { readonly configDigest: string; readonly ledgerRunIds: ReadonlySet<string> }
): ReadonlyArray<Run> => runs.filter((run) => run.configDigest === job.configDigest || job.ledgerRunIds.has(run.runId))

/** Whether the lease is held, expired (free to take over) or absent, at `now` (ISO). */
export const leaseStatus = (lease: Lease | undefined, now: string): LeaseStatus =>
  lease === undefined ? { _tag: "Free" } : lease.expiresAt <= now ? { _tag: "Expired", lease } : { _tag: "Held", lease }

/** Assembles a job's status from what was read; `runs` are the job's runs, newest first. */
export const jobStatus = (input: {
  readonly job: string
  readonly state: string
  readonly runs: ReadonlyArray<Run>
  readonly runLimit: number
  readonly counts: StateCounts
  readonly conflicts: ReadonlyArray<OpenConflict>
  readonly sync: SyncWaiting
  readonly lease: Lease | undefined
  readonly now: string
}): JobStatus => ({
  job: input.job,
  state: input.state,
  runs: input.runs.slice(0, input.runLimit),
  runsTotal: input.runs.length,
  ledger: {
    ...input.counts,
    total: input.counts.planned + input.counts.sent + input.counts.confirmed + input.counts.rejected
  },
  conflicts: input.conflicts,
  sync: input.sync,
  lease: leaseStatus(input.lease, input.now)
})
