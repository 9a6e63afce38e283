import { Data, Effect, Stream } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import type { RunConfig } from "../config/RunConfig.js"
import { writePlanFile } from "../plan/PlanFile.js"
import { type LoadedMapper, newPlanHeader } from "../plan/PlanMigration.js"
import { indexBorrowers } from "../plan/TargetIndex.js"
import { trackStream } from "../progress/Progress.js"
import type { OpenedSource } from "../sources/SourceFromConfig.js"
import { PeachClient } from "../target/PeachClient.js"
import { writeReconcileHtmlReport } from "./ReconcileHtmlReport.js"
import { reconcileJob } from "./ReconcileJob.js"
import type { Reconciliation } from "./Reconciliation.js"
import { type ReconcileFiles, reconcileJson, reconcileMarkdown } from "./ReconcileView.js"

/** A report file reconcile could not write. */
export class ReconcileOutputError extends Data.TaggedError("ReconcileOutputError")<{
  readonly file: string
  readonly cause: unknown
}> {
  override get message() {
    return `cannot write ${this.file}: ${String(this.cause)}; check the folder exists and is writable (output: in the config, or --out-dir)`
  }
}

/** Where reconcile writes, and whether it writes a repair plan. */
export interface ReconcileOptions {
  readonly reportFile: string
  readonly htmlFile: string
  readonly jsonFile: string
  /** `--plan-fixes F`: the plan of repairs, for `apply`. */
  readonly fixesFile?: string | undefined
}

/** What a reconcile found and wrote. */
export interface ReconcileOutcome {
  readonly reconciliation: Reconciliation
  readonly files: ReconcileFiles
  readonly source: string
}

const writeText = (file: string, text: string) =>
  Effect.try({
    try: () => {
      fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true })
      fs.writeFileSync(file, text)
    },
    catch: (cause) => new ReconcileOutputError({ file, cause })
  })

/**
 * Reconciles a job against its target: list calls only, no write request. Writes the
 * Markdown and JSON reports and, with `fixesFile`, a plan of the repairs that carries the
 * same header and digest as any plan, so `apply` executes it with all its checks.
 */
export const reconcileMigration = (
  config: RunConfig,
  mapper: LoadedMapper & { readonly externalIdTemplate: string; readonly twoWayFields: ReadonlyArray<{ readonly target: string }> },
  source: OpenedSource,
  options: ReconcileOptions
) =>
  Effect.gen(function*() {
    const client = yield* PeachClient
    const borrowers = yield* indexBorrowers(client.listPeople())
    const header = newPlanHeader(config, mapper, `${source.description} (repairs found by reconcile)`)
    const fixesFile = options.fixesFile
    const { fixes, reconciliation } = yield* reconcileJob(
      {
        job: config.job,
        mapper,
        externalIdTemplate: mapper.externalIdTemplate,
        twoWayFields: new Set(mapper.twoWayFields.map((field) => field.target)),
        source: source.items.pipe(trackStream("reconcile", source.extent)),
        targetCases: client.listCompanyCases(),
        borrowers
      },
      // Without --plan-fixes the repairs are only counted; with it they stream into the plan file.
      (stream) => fixesFile === undefined ? Stream.runDrain(stream).pipe(Effect.as(undefined)) : writePlanFile(fixesFile, header, stream)
    )
    const fixesFiled: ReconcileFiles["fixes"] = fixes === undefined || fixesFile === undefined
      ? null
      : { planFile: path.normalize(fixesFile), creates: fixes.create, updates: fixes.update }
    const files: ReconcileFiles = {
      reportFile: path.normalize(options.reportFile),
      htmlFile: path.normalize(options.htmlFile),
      jsonFile: path.normalize(options.jsonFile),
      fixes: fixesFiled
    }
    yield* writeText(options.reportFile, reconcileMarkdown(reconciliation, source.description, config.target.baseUrl, files))
    yield* writeReconcileHtmlReport(options.htmlFile, reconciliation, source.description, config.target.baseUrl)
    yield* writeText(options.jsonFile, `${JSON.stringify(reconcileJson(reconciliation, files), null, 2)}\n`)
    return { reconciliation, files, source: source.description } satisfies ReconcileOutcome
  }).pipe(Effect.withSpan("Reconcile.migration"))
