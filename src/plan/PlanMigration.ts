import { Effect, Option, Stream } from "effect"
import { randomUUID } from "node:crypto"
import * as path from "node:path"
import type { RunConfig } from "../config/RunConfig.js"
import { CsvSourceOptions, readCsv } from "../sources/csv/CsvSource.js"
import type { KhorosReadSummary } from "../sources/khoros/KhorosSource.js"
import type { OpenedSource } from "../sources/SourceFromConfig.js"
import { formatLocation, type SourceItem } from "../sources/SourceRecord.js"
import { PeachClient } from "../target/PeachClient.js"
import type { PlanCounts, PlanHeader } from "./Plan.js"
import { writePlanFile } from "./PlanFile.js"
import { openPlanReport } from "./PlanReport.js"
import { planItems, type RecordMapper } from "./Planner.js"
import { openPlanScratch } from "./PlanScratch.js"
import { indexBorrowers, indexTargetCasesIn } from "./TargetIndex.js"

/** A mapping ready to plan with, and the digest that ties a plan to the mapping it was made with. */
export interface LoadedMapper extends RecordMapper {
  readonly file: string
  readonly digest: string
  /** The owned fields of each case type id (the keys of a create's `values`), so plan lines need not repeat them. */
  readonly ownedFieldsByType?: ReadonlyMap<string, ReadonlyArray<string>> | undefined
}

/** Where a plan goes and what it covers. */
export interface PlanOptions {
  readonly planFile: string
  readonly reportFile: string
  /** A rejects file from an earlier apply: only its records are planned, the rest count as skipped. */
  readonly onlyRejects?: string | undefined
}

/** What planning produced. */
export interface PlanOutcome {
  readonly header: PlanHeader
  readonly counts: PlanCounts
  readonly planFile: string
  readonly reportFile: string
  readonly crm: Option.Option<KhorosReadSummary>
  /** List requests made to read the target (cases and borrowers), for the record. */
  readonly targetCasesIndexed: number
}

/** Reads a rejects file back into the set of source locations it names (`file:line`, `customer … / case …`). */
export const readRejectsFilter = (file: string) =>
  readCsv(CsvSourceOptions.make({ path: file, maxRecordSize: 50_000_000 })).pipe(
    Stream.runFold(new Set<string>(), (locations, item) => {
      // The writer neutralised cells that start like a formula with a leading quote.
      const location = item._tag === "Record" ? String(item.data["location"] ?? "").replace(/^'/, "") : ""
      if (location !== "") locations.add(location)
      return locations
    })
  )

/**
 * Plans a migration (the dry run): reads the target once with list calls, maps every
 * source record, decides each, and writes the plan file and its report. Makes no
 * write request to the target.
 */
export const planMigration = (
  config: RunConfig,
  mapper: LoadedMapper,
  source: OpenedSource,
  options: PlanOptions
) =>
  Effect.gen(function*() {
    const client = yield* PeachClient
    // The target index and the keys seen so far live on disk for the plan's duration, not in the heap.
    const scratch = yield* openPlanScratch
    const [targets, borrowers] = yield* Effect.all([
      indexTargetCasesIn(scratch, client.listCompanyCases(), mapper.ownedFields),
      indexBorrowers(client.listPeople())
    ], { concurrency: 2 })
    const filter = options.onlyRejects === undefined ? undefined : yield* readRejectsFilter(options.onlyRejects)
    const include = filter === undefined ? undefined : (item: SourceItem) => filter.has(formatLocation(item.location))
    const header: PlanHeader = {
      format: "casesync-plan/1",
      planId: `${new Date().toISOString().replace(/[-:]/g, "").replace(/\..*$/, "")}-${randomUUID().slice(0, 8)}`,
      job: config.job,
      createdAt: new Date().toISOString(),
      configDigest: config.digest,
      mappingDigest: mapper.digest,
      mappingFile: mapper.file,
      targetBaseUrl: config.target.baseUrl,
      source: source.description + (options.onlyRejects === undefined ? "" : ` (only the rejects in ${options.onlyRejects})`),
      ...(mapper.ownedFieldsByType === undefined ? {} : { ownedFields: Object.fromEntries(mapper.ownedFieldsByType) })
    }
    const planned = yield* planItems({ job: config.job, mapper, source: source.items, targets, borrowers, include, claims: scratch.claim })
    // One pass: each chunk of decisions goes to the plan file and to the report as it is made.
    const counts = yield* Effect.scoped(Effect.gen(function*() {
      const report = yield* openPlanReport(options.reportFile, header)
      const items = Stream.mapChunks(planned.items, (chunk) => (report.add(chunk), chunk))
      const counts = yield* writePlanFile(options.planFile, header, items, planned.skipped)
      yield* report.finish(counts)
      return counts
    }))
    return {
      header,
      counts,
      planFile: path.normalize(options.planFile),
      reportFile: path.normalize(options.reportFile),
      crm: yield* source.summary,
      targetCasesIndexed: targets.size
    } satisfies PlanOutcome
  }).pipe(Effect.scoped, Effect.withSpan("PlanMigration.plan"))
