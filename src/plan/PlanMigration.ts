import { Effect, Option, type Scope, Stream } from "effect"
import { randomUUID } from "node:crypto"
import * as path from "node:path"
import type { RunConfig } from "../config/RunConfig.js"
import type { KhorosReadSummary } from "../sources/khoros/KhorosSource.js"
import type { OpenedSource } from "../sources/SourceFromConfig.js"
import { formatLocation, type SourceItem } from "../sources/SourceRecord.js"
import type { Case, Person } from "../domain/peach/index.js"
import type { HttpRequestError } from "../http/index.js"
import { PeachClient } from "../target/PeachClient.js"
import { trackStream } from "../progress/Progress.js"
import type { PlanCounts, PlanHeader, PlanSourceFile } from "./Plan.js"
import { PlanFileError, readPlanHeader } from "./PlanFile.js"
import { writePlanFileWithHtmlReport } from "./PlanHtmlReport.js"
import { openPlanReport } from "./PlanReport.js"
import { planItems, type RecordMapper } from "./Planner.js"
import { openPlanScratch } from "./PlanScratch.js"
import { readRejectsFilter } from "./RejectsFilter.js"
import { indexBorrowers, indexTargetCasesIn, type TargetIndex } from "./TargetIndex.js"

/** A mapping ready to plan with, and the digest that ties a plan to the mapping it was made with. */
export interface LoadedMapper extends RecordMapper {
  readonly file: string
  readonly digest: string
  /** The owned fields of each case type id (the keys of a create's `values`), so plan lines need not repeat them. */
  readonly ownedFieldsByType?: ReadonlyMap<string, ReadonlyArray<string>> | undefined
  /** The case types the mapping resolved to, id → name: a plan whose bodies apply makes again records them. */
  readonly caseTypeNames?: Readonly<Record<string, string>> | undefined
}

/** The target's cases and borrowers as a plan reads them: one listing of each. */
export interface TargetListing {
  readonly cases: Stream.Stream<Case, HttpRequestError>
  readonly people: Stream.Stream<Person, HttpRequestError>
}

/**
 * Starts listing the target's cases and borrowers now, in the background, reading at most one
 * page of each ahead of the consumer: the listing needs nothing from the mapping, so it runs
 * while the mapping loads instead of after. The same requests as a listing made later; a failure
 * comes out of the stream where the plan reads it. Stops with the scope.
 * Pages are handed over whole, one hand-over a page: measured against a 300,000-case target,
 * peak RSS was 250 MiB this way and 300 MiB with a queue of 100 cases handed over one by one.
 */
export const startTargetListing: Effect.Effect<TargetListing, never, PeachClient | Scope.Scope> = Effect.gen(function*() {
  const client = yield* PeachClient
  const ahead = <A>(stream: Stream.Stream<A, HttpRequestError>) =>
    Effect.map(
      Stream.toQueue(stream, { capacity: 1 }),
      (queue) => Stream.flattenTake(Stream.fromQueue(queue, { shutdown: true }))
    )
  return { cases: yield* ahead(client.listCompanyCases()), people: yield* ahead(client.listPeople()) }
})

/** Where a plan goes and what it covers. */
export interface PlanOptions {
  readonly planFile: string
  readonly reportFile: string
  /** The HTML report (default: the Markdown report's name with `.html`). */
  readonly htmlReportFile?: string | undefined
  /** A rejects file from an earlier apply: only its records are planned, the rest count as skipped. */
  readonly onlyRejects?: string | undefined
  /** The target's listing, when the caller started it already (`startTargetListing`); listed here otherwise. */
  readonly listing?: TargetListing | undefined
}

/** What planning produced. */
export interface PlanOutcome {
  readonly header: PlanHeader
  readonly counts: PlanCounts
  readonly planFile: string
  readonly reportFile: string
  readonly htmlReportFile: string
  readonly crm: Option.Option<KhorosReadSummary>
  /** List requests made to read the target (cases and borrowers), for the record. */
  readonly targetCasesIndexed: number
  /** The target's cases as this plan read them: `migrate` applies with it instead of listing the target again. */
  readonly targets: TargetIndex
}

/** The HTML report's default name: beside the Markdown one, `report.md` → `report.html`. */
export const htmlBeside = (reportFile: string): string =>
  path.join(path.dirname(reportFile), `${path.basename(reportFile, path.extname(reportFile))}.html`)

/**
 * A new plan's header: what it was computed from, so `apply` can refuse a plan that no longer fits.
 * With `sourceFile`, creates of that file refer to their record instead of holding their body, and
 * the header records what making the bodies again takes (the seal is filled in once the file is read).
 */
export const newPlanHeader = (config: RunConfig, mapper: LoadedMapper, source: string, sourceFile?: PlanSourceFile | undefined): PlanHeader => ({
  format: "casesync-plan/1",
  planId: `${new Date().toISOString().replace(/[-:]/g, "").replace(/\..*$/, "")}-${randomUUID().slice(0, 8)}`,
  job: config.job,
  createdAt: new Date().toISOString(),
  configDigest: config.digest,
  mappingDigest: mapper.digest,
  mappingFile: mapper.file,
  targetBaseUrl: config.target.baseUrl,
  source,
  ...(mapper.ownedFieldsByType === undefined ? {} : { ownedFields: Object.fromEntries(mapper.ownedFieldsByType) }),
  ...(sourceFile === undefined ? {} : { sourceFile, ...(mapper.caseTypeNames === undefined ? {} : { caseTypes: mapper.caseTypeNames }) })
})

/** The source file a CSV plan's creates refer to, its seal still to come; none for the CRM. */
const referredFile = (config: RunConfig, source: OpenedSource): PlanSourceFile | undefined => {
  if (config.source.kind !== "csv" || source.seal === undefined) return undefined
  const { kind: _, ...options } = config.source
  return { options, sha256: "", size: 0 }
}

/** The seal of the file the plan read, which the header records; a read that stopped short has none. */
const sealOf = (source: OpenedSource, planFile: string, sourceFile: PlanSourceFile) =>
  Effect.flatMap(source.seal ?? Effect.succeed(Option.none()), Option.match({
    onNone: () => Effect.fail(new PlanFileError({ file: planFile, reason: `its source ${sourceFile.options.path} was not read to its end, so the plan cannot record what it read` })),
    onSome: Effect.succeed
  }))

/**
 * Plans a migration (the dry run): reads the target once with list calls, maps every
 * source record, decides each, and writes the plan file and its report. Makes no
 * write request to the target. The target index it returns lives in a scratch file until
 * the caller's scope closes, so `migrate` can apply with it.
 */
export const planMigration = (
  config: RunConfig,
  mapper: LoadedMapper,
  source: OpenedSource,
  options: PlanOptions
) =>
  Effect.gen(function*() {
    const client = yield* PeachClient
    // Checked before anything else: a wrong file would skip every record and look like success.
    const filter = options.onlyRejects === undefined ? undefined : yield* readRejectsFilter(options.onlyRejects, config, source.items, mapper)
    // The target index and the keys seen so far live on disk for the plan's duration, not in the heap.
    const scratch = yield* openPlanScratch
    const listing = options.listing ?? { cases: client.listCompanyCases(), people: client.listPeople() }
    const [targets, borrowers] = yield* Effect.all([
      indexTargetCasesIn(scratch, listing.cases, mapper.ownedFields),
      indexBorrowers(listing.people)
    ], { concurrency: 2 })
    const include = filter === undefined ? undefined : (item: SourceItem) => filter.has(formatLocation(item.location))
    const sourceFile = referredFile(config, source)
    const header = newPlanHeader(
      config,
      mapper,
      source.description + (options.onlyRejects === undefined ? "" : ` (only the rejects in ${options.onlyRejects})`),
      sourceFile
    )
    const seal = sourceFile === undefined ? undefined : sealOf(source, options.planFile, sourceFile)
    const planned = yield* planItems({ job: config.job, mapper, source: source.items, targets, borrowers, include, claims: scratch.claim })
    const htmlReportFile = options.htmlReportFile ?? htmlBeside(options.reportFile)
    // One pass: each chunk of decisions goes to the plan file, the Markdown report and the HTML report as it is made.
    const counts = yield* Effect.scoped(Effect.gen(function*() {
      const report = yield* openPlanReport(options.reportFile, header)
      const items = Stream.mapChunks(planned.items.pipe(trackStream("plan", source.extent)), (chunk) => (report.add(chunk), chunk))
      const counts = yield* writePlanFileWithHtmlReport(options.planFile, htmlReportFile, header, items, planned.skipped, seal)
      yield* report.finish(counts)
      return counts
    }))
    return {
      // As written: sealed, or naming no source when no create refers to it.
      header: sourceFile === undefined ? header : yield* readPlanHeader(options.planFile),
      counts,
      planFile: path.normalize(options.planFile),
      reportFile: path.normalize(options.reportFile),
      htmlReportFile: path.normalize(htmlReportFile),
      crm: yield* source.summary,
      targetCasesIndexed: targets.size,
      targets
    } satisfies PlanOutcome
  }).pipe(Effect.withSpan("PlanMigration.plan"))
