import { Chunk, Effect, Stream } from "effect"
import { openHtmlReport, type ReportFileError } from "../report/HtmlReport.js"
import type { ReportEntry, ReportSpec, ReportTotals } from "../report/ReportEntry.js"
import { formatLocation } from "../sources/SourceRecord.js"
import type { PlanCounts, PlanHeader, PlanItem, PlannedCreate } from "./Plan.js"
import type { SourceSeal } from "../sources/SealingMeter.js"
import { type PlanFileError, writePlanFile } from "./PlanFile.js"
import { accountingLine } from "./PlanReport.js"

/** The plan report's sections: updates, conflicts and rejects in full; creates and unchanged as counts plus the first few. */
export const planReportSpec = (header: PlanHeader): ReportSpec => ({
  title: `casesync plan for job ${header.job}`,
  lines: [
    `Plan ${header.planId}, made ${header.createdAt}: source ${header.source}, mapping ${header.mappingFile}, target ${header.targetBaseUrl}.`,
    "Nothing has been written to the target. Review, then casesync apply --plan <this plan file>."
  ],
  sections: [
    { key: "update", title: "Updates", mode: "detail", columns: ["field", "before", "after"] },
    { key: "create", title: "Creates", mode: "summary", columns: ["field", "before", "after"] },
    { key: "conflict", title: "Conflicts (nothing will be written)", mode: "detail", columns: ["field", "last synced", "target now", "source wants"] },
    { key: "reject", title: "Rejects", mode: "detail", rejects: true },
    { key: "unchanged", title: "Unchanged", mode: "summary" }
  ]
})

/** The summary bar of a plan: every figure of the accounting line. */
export const planReportTotals = (counts: PlanCounts): ReportTotals => ({
  counts: [
    { label: "read", value: counts.read },
    { label: "create", value: counts.create, section: "create" },
    { label: "update", value: counts.update, section: "update" },
    { label: "unchanged", value: counts.unchanged, section: "unchanged" },
    { label: "reject", value: counts.reject, section: "reject" },
    { label: "conflict", value: counts.conflict, section: "conflict" },
    { label: "skipped", value: counts.skipped }
  ],
  accounting: accountingLine(counts, "plan")
})

const caseTypeOf = (values: Readonly<Record<string, unknown>> | undefined, body?: Readonly<Record<string, unknown>>): string | null => {
  const typeId = values?.["typeId"] ?? body?.["typeId"]
  return typeof typeId === "string" ? typeId : typeId === undefined || typeId === null ? null : String(typeId)
}

/**
 * A create as a report entry, worked out only as far as it is read: the report keeps the first
 * creates in full and only counts the rest by borrower and case type, so for most of a big
 * plan's creates no location text or rows are made.
 */
class CreateEntry implements ReportEntry {
  readonly section = "create"
  readonly caseId = null
  constructor(private readonly item: PlannedCreate) {}
  get sourceKey() {
    return this.item.sourceKey
  }
  get externalId() {
    return this.item.externalId
  }
  get location() {
    return formatLocation(this.item.location)
  }
  get borrower() {
    return this.item.personId
  }
  get caseType() {
    return caseTypeOf(this.item.values, this.item.body)
  }
  get rows() {
    return Object.entries(this.item.values).map(([field, value]) => [field, null, value])
  }
}

/** One plan item as a report entry: an update's changes and a create's values become before → after rows. */
export const planEntry = (item: PlanItem): ReportEntry => {
  if (item._tag === "create") return new CreateEntry(item)
  const location = formatLocation(item.location)
  switch (item._tag) {
    case "update":
      return {
        section: "update", sourceKey: item.sourceKey, externalId: item.externalId, location, borrower: item.personId,
        caseType: caseTypeOf(item.values, item.body), caseId: item.caseId,
        rows: item.changes.map((change) => [change.field, change.before, change.after])
      }
    case "conflict":
      return {
        section: "conflict", sourceKey: item.sourceKey, externalId: item.externalId, location, borrower: item.personId,
        caseType: null, caseId: item.caseId, reason: item.reason,
        rows: item.conflicts.map((c) => [c.field, c.base, c.target, c.source])
      }
    case "unchanged":
      return {
        section: "unchanged", sourceKey: item.sourceKey, externalId: item.externalId, location, borrower: item.personId,
        caseType: caseTypeOf(item.values), caseId: item.caseId
      }
    case "reject":
      return {
        section: "reject", sourceKey: item.sourceKey, externalId: item.externalId, location, borrower: null,
        caseType: null, caseId: null, field: item.field, reason: item.reason, raw: item.raw
      }
  }
}

/**
 * Writes the plan file and its HTML report together, in the one pass that plans: each
 * item goes to both as it is decided, so the report costs no second read of the plan.
 */
export const writePlanFileWithHtmlReport = <E, R>(
  planFile: string,
  htmlFile: string,
  header: PlanHeader,
  items: Stream.Stream<PlanItem, E, R>,
  skipped?: Effect.Effect<number>,
  seal?: Effect.Effect<SourceSeal, PlanFileError>
): Effect.Effect<PlanCounts, E | PlanFileError | ReportFileError, R> =>
  Effect.scoped(
    Effect.gen(function*() {
      const html = yield* openHtmlReport(htmlFile, planReportSpec(header))
      const reported = items.pipe(Stream.mapChunksEffect((chunk) => html.addAll(Chunk.map(chunk, planEntry)).pipe(Effect.as(chunk))))
      const counts = yield* writePlanFile(planFile, header, reported, skipped, seal)
      yield* html.end(planReportTotals(counts))
      return counts
    })
  )
