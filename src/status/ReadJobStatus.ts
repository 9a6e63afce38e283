import { Clock, Effect, Option, Schema, Stream } from "effect"
import * as fs from "node:fs"
import { StateStore } from "../state/StateStore.js"
import { pendingCreates } from "../sync/CreateInSource.js"
import { jobLeaseName } from "../state/JobLease.js"
import { jobStatus, type OpenConflict, openConflict, runsOfJob } from "./JobStatus.js"

/** Runs read from the log to find a job's among them (the log is shared by every job of the store). */
const runsScanned = 1000

/** `status` cannot show a job: there is no state store where the config (or `--state`) points. */
export class StatusError extends Schema.TaggedError<StatusError>()("StatusError", {
  reason: Schema.Literal("NoStateStore"),
  job: Schema.String,
  state: Schema.String
}) {
  override get message(): string {
    return `no state store at ${this.state}: job ${this.job} has not been applied with this state yet (check state: in the config or --state; casesync migrate creates it)`
  }
}

/**
 * Fails with `NoStateStore` when a SQLite state file does not exist, before anything opens
 * it: opening would create an empty store (and its folder), and status must change nothing.
 */
export const requireStateStore = (job: string, state: string): Effect.Effect<void, StatusError> =>
  /^postgres(ql)?:\/\//i.test(state) || state === ":memory:" || fs.existsSync(state)
    ? Effect.void
    : Effect.fail(new StatusError({ reason: "NoStateStore", job, state }))

/** Reads a job's status from the state store: its runs, ledger counts, open conflicts, what its sync waits for, and its apply lease. */
export const readJobStatus = Effect.fn("Status.readJobStatus")(function*(options: {
  readonly job: string
  readonly state: string
  readonly configDigest: string
  readonly runLimit: number
}) {
  const store = yield* StateStore
  const counts = yield* store.countByState(options.job)
  // One pass over the ledger (paged, so memory stays flat): the runs that last wrote it, and the conflicts.
  const { conflicts, runIds } = yield* store.listEntries(options.job).pipe(
    Stream.runFold({ conflicts: [] as Array<OpenConflict>, runIds: new Set<string>() }, (acc, entry) => {
      acc.runIds.add(entry.runId)
      const conflict = openConflict(entry)
      if (conflict !== undefined) acc.conflicts.push(conflict)
      return acc
    })
  )
  const runs = runsOfJob(yield* store.listRuns({ limit: runsScanned }), { configDigest: options.configDigest, ledgerRunIds: runIds })
  const sync = {
    queuedConflicts: (yield* store.listConflicts(options.job)).length,
    unansweredCreates: pendingCreates(yield* store.listSideWrites(options.job, "sent"))
  }
  const lease = yield* store.getLease(jobLeaseName(options.job))
  const now = new Date(yield* Clock.currentTimeMillis).toISOString()
  return jobStatus({
    job: options.job,
    state: options.state,
    runs,
    runLimit: options.runLimit,
    counts,
    conflicts,
    sync,
    lease: Option.getOrUndefined(lease),
    now
  })
})
