import { Data, Effect, Stream } from "effect"
import * as os from "node:os"
import * as path from "node:path"
import type { RunConfig } from "../config/RunConfig.js"
import type { PlanHeader } from "../plan/Plan.js"
import { readPlanCounts, readPlanHeader, streamPlanItems } from "../plan/PlanFile.js"
import type { LoadedMapper } from "../plan/PlanMigration.js"
import { indexTargetCases } from "../plan/TargetIndex.js"
import { openHtmlReport } from "../report/HtmlReport.js"
import { StateStore } from "../state/StateStore.js"
import { PeachClient } from "../target/PeachClient.js"
import { applyPlan, rejectColumns, resultColumns } from "./Applier.js"
import type { ApplyCounts } from "./ApplyOutcome.js"
import { ApplyFailed } from "./ApplyOutcome.js"
import { applyReportSpec, applyReportTotals, reportingApply } from "./ApplyHtmlReport.js"
import { openCsvOutput } from "./CsvOutput.js"

/** A plan that must not be applied with this configuration, and why. */
export class PlanMismatch extends Data.TaggedError("PlanMismatch")<{
  readonly planId: string
  readonly problems: ReadonlyArray<string>
}> {
  override get message() {
    return `cannot apply plan ${this.planId}: ${this.problems.join("; ")}. Make a new plan.`
  }
}

/** Whether a process with this pid runs on this machine (signal 0 only checks). */
const processAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}

/** What an apply produced. */
export interface ApplyOutcome {
  readonly runId: string
  readonly header: PlanHeader
  readonly counts: ApplyCounts
  readonly resultsFile: string
  readonly rejectsFile: string
  readonly htmlReportFile: string
}

/** Refuses a plan made for another job, mapping or target: it would mean something else here. */
export const checkPlanFits = (header: PlanHeader, config: RunConfig, mapper: LoadedMapper): Effect.Effect<void, PlanMismatch> => {
  const problems = [
    header.job !== config.job && `it was made for job "${header.job}", this config runs job "${config.job}"`,
    header.mappingDigest !== mapper.digest && `the mapping changed since the plan was made (${header.mappingFile})`,
    header.targetBaseUrl !== config.target.baseUrl && `it was made against ${header.targetBaseUrl}, this config targets ${config.target.baseUrl}`
  ].filter((problem): problem is string => typeof problem === "string")
  return problems.length === 0
    ? Effect.void
    : Effect.fail(new PlanMismatch({ planId: header.planId, problems }))
}

/**
 * Applies a plan file under the job's lease: re-reads the target once (list calls) to
 * judge staleness, applies every item exactly once, and writes the results and
 * rejects files. The run is logged in the state store with its counts.
 */
export const applyMigration = (
  config: RunConfig,
  mapper: LoadedMapper,
  planFile: string,
  options: { readonly command: string }
) =>
  Effect.gen(function*() {
    const header = yield* readPlanHeader(planFile)
    yield* checkPlanFits(header, config, mapper)
    // The counts line is written last, so a plan without one was cut short and is refused; the
    // records it skipped (`--only-rejects`) stay in this run's accounting: read = … + skipped.
    const planned = yield* readPlanCounts(planFile)
    const store = yield* StateStore
    const client = yield* PeachClient
    const runId = `${header.planId}-apply-${Date.now().toString(36)}`
    const lease = {
      name: `apply:${config.job}`,
      holder: { runId, pid: process.pid, host: os.hostname(), command: options.command },
      ttl: "60 seconds"
    } as const
    // A run killed on this machine leaves its lease until it expires; its pid says it is gone, so
    // the rerun takes the lease over at once instead of making the user wait out the expiry.
    yield* store.withLease(lease).pipe(
      Effect.catchTag("LeaseHeld", (held) =>
        held.holder.host === os.hostname() && !processAlive(held.holder.pid)
          ? store.releaseLease({ name: held.name, runId: held.holder.runId }).pipe(Effect.zipRight(store.withLease(lease)))
          : Effect.fail(held)
      )
    )
    yield* store.startRun({ runId, command: options.command, configDigest: config.digest })
    const resultsFile = path.join(config.outputDir, "results.csv")
    const rejectsFile = path.join(config.outputDir, "rejects.csv")
    const htmlReportFile = path.join(config.outputDir, "apply-report.html")
    const html = yield* openHtmlReport(htmlReportFile, applyReportSpec(header, runId))
    const reporting = reportingApply(
      html,
      yield* openCsvOutput(resultsFile, resultColumns),
      yield* openCsvOutput(rejectsFile, rejectColumns)
    )
    const applied = yield* Effect.gen(function*() {
      const targets = yield* indexTargetCases(client.listCompanyCases(), mapper.ownedFields).pipe(
        Effect.mapError((error) =>
          new ApplyFailed({ reason: `reading the target's cases: ${error.message}`, resume: "run the same command again", cause: error })
        )
      )
      return yield* applyPlan({
        job: config.job,
        runId,
        planId: header.planId,
        items: streamPlanItems(planFile).pipe(Stream.tap(reporting.track)),
        targets,
        writer: client,
        results: reporting.results,
        rejects: reporting.rejects,
        concurrency: config.applyConcurrency
      })
    }).pipe(
      Effect.tapErrorCause((cause) =>
        store.finishRun(runId, { outcome: cause._tag === "Interrupt" ? "interrupted" : "failed", counts: {} }).pipe(Effect.ignore)
      )
    )
    const counts: ApplyCounts = { ...applied, read: applied.read + planned.skipped, skipped: planned.skipped }
    yield* html.end(applyReportTotals(counts))
    yield* store.finishRun(runId, { outcome: "succeeded", counts: { ...counts } })
    return { runId, header, counts, resultsFile, rejectsFile, htmlReportFile } satisfies ApplyOutcome
  }).pipe(Effect.scoped, Effect.withSpan("ApplyMigration.apply"))

