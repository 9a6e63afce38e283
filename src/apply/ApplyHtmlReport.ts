import { Effect } from "effect"
import type { PlanCounts, PlanHeader, PlanItem } from "../plan/Plan.js"
import { planEntry } from "../plan/PlanHtmlReport.js"
import { accountingLine } from "../plan/PlanReport.js"
import type { HtmlReportWriter } from "../report/HtmlReport.js"
import type { ReportEntry, ReportSpec, ReportTotals } from "../report/ReportEntry.js"
import { formatLocation } from "../sources/SourceRecord.js"
import type { rejectColumns, resultColumns } from "./Applier.js"
import { type CsvOutput, OutputFileError } from "./CsvOutput.js"

type ResultRow = Record<(typeof resultColumns)[number], unknown>
type RejectRow = Record<(typeof rejectColumns)[number], unknown>

/** The apply report's sections, by outcome: what was written in full, creates and unchanged as counts plus the first few. */
export const applyReportSpec = (header: PlanHeader, runId: string): ReportSpec => ({
  title: `casesync apply of plan ${header.planId} for job ${header.job}`,
  lines: [
    `Run ${runId}: source ${header.source}, mapping ${header.mappingFile}, target ${header.targetBaseUrl}.`,
    "results.csv and rejects.csv hold the same outcomes, one row per record."
  ],
  sections: [
    { key: "updated", title: "Updated", mode: "detail", columns: ["field", "before", "after"] },
    { key: "created", title: "Created", mode: "summary", columns: ["field", "before", "after"] },
    { key: "conflict", title: "Conflicts (nothing was written)", mode: "detail", columns: ["field", "last synced", "target now", "source wants"] },
    { key: "rejected", title: "Rejected", mode: "detail", rejects: true },
    { key: "unchanged", title: "Unchanged", mode: "summary" }
  ]
})

/** The summary bar of an apply: every figure of the accounting line. */
export const applyReportTotals = (counts: PlanCounts): ReportTotals => ({
  counts: [
    { label: "read", value: counts.read },
    { label: "created", value: counts.create, section: "created" },
    { label: "updated", value: counts.update, section: "updated" },
    { label: "unchanged", value: counts.unchanged, section: "unchanged" },
    { label: "rejected", value: counts.reject, section: "rejected" },
    { label: "conflicts", value: counts.conflict, section: "conflict" },
    { label: "skipped", value: counts.skipped }
  ],
  accounting: accountingLine(counts)
})

const text = (value: unknown): string | null => (value === null || value === undefined || value === "" ? null : String(value))

/** An apply outcome as a report entry; the plan item (when known) adds its diff and case type. */
export const resultEntry = (row: ResultRow, planned: PlanItem | undefined): ReportEntry => {
  const fromPlan = planned === undefined ? undefined : planEntry(planned)
  return {
    section: String(row.outcome),
    sourceKey: text(row.source_key),
    externalId: text(row.external_id),
    location: String(row.location),
    borrower: text(row.borrower) ?? fromPlan?.borrower ?? null,
    caseType: fromPlan?.caseType ?? null,
    caseId: text(row.case_id),
    // A plan's update that apply found stale is a conflict: its changes are still what it would have written.
    ...(fromPlan?.rows === undefined || row.outcome === "unchanged" ? {} : { rows: fromPlan.rows }),
    ...(text(row.detail) === null ? {} : { reason: String(row.detail) })
  }
}

/** A rejects file row as a report entry. */
export const rejectEntry = (row: RejectRow, planned: PlanItem | undefined): ReportEntry => ({
  section: "rejected",
  sourceKey: text(row.source_key),
  externalId: text(row.external_id),
  location: String(row.location),
  borrower: planned !== undefined && planned._tag !== "reject" ? planned.personId : null,
  caseType: null,
  caseId: null,
  field: String(row.field ?? ""),
  reason: String(row.reason ?? ""),
  raw: row.raw
})

/**
 * Feeds an apply's outcomes into its HTML report as they are written: the results and
 * rejects outputs are wrapped, and the plan items in flight are remembered by source
 * location until their outcome comes (a few hundred at most: one batch).
 */
export const reportingApply = (
  writer: HtmlReportWriter,
  results: CsvOutput<ResultRow>,
  rejects: CsvOutput<RejectRow>
) => {
  const inFlight = new Map<string, PlanItem>()
  // The Applier knows output files by one error; the report is one more output file.
  const report = (entry: ReportEntry): Effect.Effect<void, OutputFileError> =>
    writer.add(entry).pipe(Effect.mapError((error) => new OutputFileError({ file: error.file, reason: error.reason })))
  return {
    track: (item: PlanItem) => Effect.sync(() => void inFlight.set(formatLocation(item.location), item)),
    results: {
      ...results,
      write: (row: ResultRow) =>
        results.write(row).pipe(Effect.zipRight(
          // A rejected record's report entry comes from its rejects row, written right after.
          row.outcome === "rejected" ? Effect.void : Effect.suspend(() => {
            const location = String(row.location)
            const planned = inFlight.get(location)
            inFlight.delete(location)
            return report(resultEntry(row, planned))
          })
        ))
    } satisfies CsvOutput<ResultRow>,
    rejects: {
      ...rejects,
      write: (row: RejectRow) =>
        rejects.write(row).pipe(Effect.zipRight(Effect.suspend(() => {
          const location = String(row.location)
          const planned = inFlight.get(location)
          inFlight.delete(location)
          return report(rejectEntry(row, planned))
        })))
    } satisfies CsvOutput<RejectRow>
  }
}
