import { Cause, Data, type Duration, Effect, Stream } from "effect"
import * as os from "node:os"
import * as path from "node:path"
import type { RunConfig } from "../config/RunConfig.js"
import type { PlanHeader } from "../plan/Plan.js"
import { readPlanHeader, streamPlanEntries, verifyPlanFile } from "../plan/PlanFile.js"
import type { LoadedMapper } from "../plan/PlanMigration.js"
import type { TargetIndex } from "../plan/TargetIndex.js"
import { duringPhase } from "../progress/Progress.js"
import { openHtmlReport } from "../report/HtmlReport.js"
import { takeJobLease } from "../state/JobLease.js"
import type { HeldLease } from "../state/Leases.js"
import { StateStore } from "../state/StateStore.js"
import type { LeaseHeld, StateStoreError } from "../state/StateStoreError.js"
import { PeachClient } from "../target/PeachClient.js"
import { applyPlan, rejectColumns, resultColumns } from "./Applier.js"
import type { ApplyCounts } from "./ApplyOutcome.js"
import { ApplyFailed } from "./ApplyOutcome.js"
import { applyReportSpec, applyReportTotals, reportingApply } from "./ApplyHtmlReport.js"
import { openCsvOutput } from "./CsvOutput.js"
import { checkSourceFile, planItemsWithBodies, type SourceFileChanged } from "./SourceBodies.js"
import { lookupInIndex, lookupWritten, type TargetLookup } from "./TargetLookup.js"
import { readWrittenCases, writtenCasesOf } from "./TargetRead.js"

/** A plan that must not be applied with this configuration, and why. */
export class PlanMismatch extends Data.TaggedError("PlanMismatch")<{
  readonly planId: string
  readonly problems: ReadonlyArray<string>
}> {
  override get message() {
    return `cannot apply plan ${this.planId}: ${this.problems.join("; ")}. Make a new plan.`
  }
}

/**
 * The lease was lost before a batch of writes (the run was paused past its expiry and another
 * run took over, or the lease was freed by hand): the run stops before writing anything more.
 */
export const leaseLost = (job: string) => (error: LeaseHeld | StateStoreError): ApplyFailed | StateStoreError =>
  error._tag === "LeaseHeld"
    ? new ApplyFailed({
      reason: `lease lost to run ${error.holder.runId} ("${error.holder.command}", pid ${error.holder.pid} on ${error.holder.host}) — nothing more was written`,
      resume: `that run now applies job ${job}; let it finish, then run the same command again to check`,
      cause: error
    })
    : error.reason === "LeaseLost"
    ? new ApplyFailed({ reason: `lease lost: ${error.detail} — nothing more was written`, resume: "run the same command again", cause: error })
    : error

/** What an apply produced. */
export interface ApplyOutcome {
  readonly runId: string
  readonly header: PlanHeader
  readonly counts: ApplyCounts
  readonly resultsFile: string
  readonly rejectsFile: string
  readonly htmlReportFile: string
}

const describeTypes = (types: Readonly<Record<string, string>>) =>
  Object.entries(types).sort(([a], [b]) => a.localeCompare(b)).map(([id, name]) => `'${name}' (${id})`).join(", ")

/** What keeps the bodies of a plan's creates from being made again here: another kind of source, or case types that resolve otherwise. */
const bodySourceProblems = (header: PlanHeader, config: RunConfig, mapper: LoadedMapper): ReadonlyArray<string | false> => {
  if (header.sourceFile === undefined) return []
  const planned = header.caseTypes
  const now = mapper.caseTypeNames
  return [
    config.source.kind !== "csv" &&
    `its creates are made from the CSV file ${header.sourceFile.options.path}, and this config reads a ${config.source.kind} source`,
    planned !== undefined && now !== undefined && describeTypes(planned) !== describeTypes(now) &&
    `the mapping's case types resolve otherwise in the target now (${describeTypes(now)}; the plan was made with ${describeTypes(planned)})`
  ]
}

/** Refuses a plan made for another job, mapping or target: it would mean something else here. */
export const checkPlanFits = (header: PlanHeader, config: RunConfig, mapper: LoadedMapper): Effect.Effect<void, PlanMismatch> =>
  refuseIf(header, [
    ...jobProblems(header, config),
    header.mappingDigest !== mapper.digest && `the mapping changed since the plan was made (${header.mappingFile})`,
    ...bodySourceProblems(header, config, mapper)
  ])

const jobProblems = (header: PlanHeader, config: RunConfig) => [
  header.job !== config.job && `it was made for job "${header.job}", this config runs job "${config.job}"`,
  header.targetBaseUrl !== config.target.baseUrl && `it was made against ${header.targetBaseUrl}, this config targets ${config.target.baseUrl}`
]

const refuseIf = (header: PlanHeader, found: ReadonlyArray<string | false>): Effect.Effect<void, PlanMismatch> => {
  const problems = found.filter((problem): problem is string => typeof problem === "string")
  return problems.length === 0 ? Effect.void : Effect.fail(new PlanMismatch({ planId: header.planId, problems }))
}

/**
 * Refuses a plan of another job or target from its header alone: checked before its source file
 * is compared with the seal, so another job's plan is called that, not "the file changed".
 */
export const checkPlanJob = (header: PlanHeader, config: RunConfig): Effect.Effect<void, PlanMismatch> =>
  refuseIf(header, jobProblems(header, config))

/**
 * Refuses a plan whose creates are made from a source file that is gone or changed since the
 * plan read it (one read of the file, compared with the header's seal). Nothing to check for a
 * plan whose bodies are written out, or a config that reads no CSV (`checkPlanFits` refuses that).
 */
export const checkPlanSource = (config: RunConfig, header: PlanHeader): Effect.Effect<void, SourceFileChanged> =>
  header.sourceFile === undefined || config.source.kind !== "csv"
    ? Effect.void
    : checkSourceFile(header.planId, header.sourceFile, config.source.path)

/**
 * Applies a plan file under the job's lease, judging staleness against `targets` when given (the
 * index the plan just built, in `migrate`), else against a fresh read of only the cases the plan
 * writes; applies every item exactly once, and writes the results and rejects files. The run is
 * logged in the state store with its counts.
 */
export const applyMigration = (
  config: RunConfig,
  mapper: LoadedMapper,
  planFile: string,
  options: {
    readonly command: string
    /** How long the lease lasts unless renewed (renewed every third of it); 60 seconds by default. */
    readonly leaseTtl?: Duration.DurationInput | undefined
    /** The job's lease, when the caller took it before planning (`migrate`): not taken again. */
    readonly lease?: HeldLease | undefined
    /** The target as the plan read it moments ago in this process: no second listing. */
    readonly targets?: TargetIndex | undefined
    /** The plan's source file was already checked against its seal (`checkPlanSource`): not read again for that. */
    readonly sourceChecked?: boolean | undefined
  }
) =>
  Effect.gen(function*() {
    const header = yield* readPlanHeader(planFile)
    yield* checkPlanFits(header, config, mapper)
    // Before any write: the plan must be exactly the one written (its digest), so an edited,
    // reordered or cut plan is refused whole. The records it skipped (`--only-rejects`) stay in
    // this run's accounting: read = … + skipped.
    const { counts: planned } = yield* verifyPlanFile(planFile)
    // A plan whose creates are made again from its source file needs that file as it was read: checked whole, before any write.
    const sourcePath = config.source.kind === "csv" ? config.source.path : undefined
    if (options.sourceChecked !== true) yield* checkPlanSource(config, header)
    const store = yield* StateStore
    const client = yield* PeachClient
    const runId = `${header.planId}-apply-${Date.now().toString(36)}`
    const held = options.lease ?? (yield* takeJobLease(store, {
      job: config.job,
      holder: { runId, pid: process.pid, host: os.hostname(), command: options.command },
      ttl: options.leaseTtl ?? "60 seconds"
    }))
    yield* store.startRun({ runId, command: options.command, configDigest: config.digest })
    const resultsFile = path.join(config.outputDir, "results.csv")
    const rejectsFile = path.join(config.outputDir, "rejects.csv")
    const htmlReportFile = path.join(config.outputDir, "apply-report.html")
    const { applied, html } = yield* Effect.gen(function*() {
      // Opened inside the block that records the run's outcome, so a failure to open one is recorded too.
      const html = yield* openHtmlReport(htmlReportFile, applyReportSpec(header, runId))
      const reporting = reportingApply(
        html,
        yield* openCsvOutput(resultsFile, resultColumns),
        yield* openCsvOutput(rejectsFile, rejectColumns)
      )
      const targets: TargetLookup = options.targets !== undefined
        ? lookupInIndex(options.targets)
        : yield* writtenCasesOf(streamPlanEntries(planFile)).pipe(
          Effect.flatMap((written) => readWrittenCases(client, written, mapper.ownedFields)),
          Effect.map(({ index }) => lookupWritten(index)),
          Effect.mapError((error) =>
            error._tag === "PlanFileError"
              ? error
              : new ApplyFailed({ reason: `reading the target's cases: ${error.message}`, resume: "run the same command again", cause: error })
          )
        )
      const applied = yield* applyPlan({
        job: config.job,
        runId,
        planId: header.planId,
        items: planItemsWithBodies(planFile, header, sourcePath, mapper).pipe(Stream.tap(reporting.track)),
        targets,
        writer: client,
        results: reporting.results,
        rejects: reporting.rejects,
        concurrency: config.applyConcurrency,
        stillHeld: held.ensureHeld.pipe(Effect.mapError(leaseLost(config.job)))
      }).pipe(duringPhase("apply", { _tag: "Records", total: planned.read - planned.skipped }))
      return { applied, html }
    }).pipe(
      // onError, not tapErrorCause: it also runs when the run is interrupted (Ctrl-C, SIGTERM).
      Effect.onError((cause) =>
        store.finishRun(runId, { outcome: Cause.isInterruptedOnly(cause) ? "interrupted" : "failed", counts: {} }).pipe(Effect.ignore)
      )
    )
    const counts: ApplyCounts = { ...applied, read: applied.read + planned.skipped, skipped: planned.skipped }
    yield* html.end(applyReportTotals(counts))
    yield* store.finishRun(runId, { outcome: "succeeded", counts: { ...counts } })
    return { runId, header, counts, resultsFile, rejectsFile, htmlReportFile } satisfies ApplyOutcome
  }).pipe(Effect.scoped, Effect.withSpan("ApplyMigration.apply"))

