import { Effect, Stream } from "effect"
import { writeHtmlReport } from "../report/HtmlReport.js"
import type { ReportEntry, ReportSpec, ReportTotals } from "../report/ReportEntry.js"
import { formatLocation } from "../sources/SourceRecord.js"
import { formatChecksum } from "./Checksum.js"
import { isClean, type Reconciliation } from "./Reconciliation.js"
import { findingsLine } from "./ReconcileView.js"

/** The reconcile report's sections: every finding in full, missing records as counts plus the first few. */
export const reconcileReportSpec = (r: Reconciliation, source: string, target: string): ReportSpec => ({
  title: `casesync reconcile of job ${r.job}`,
  lines: [
    `${isClean(r) ? "Clean" : "Not clean"}: ${source} ↔ ${target}. Nothing was written to the target.`,
    `Checksum of the source (mapped): ${formatChecksum(r.checksums.source)}; of the target: ${formatChecksum(r.checksums.target)} (${
      r.checksums.source.sum === r.checksums.target.sum && r.checksums.source.count === r.checksums.target.count ? "equal" : "differ"
    }).`,
    ...(r.orphansChecked ? [] : ["Orphans not checked: the mapping's externalId template has no fixed text, so it would match every case."])
  ],
  sections: [
    { key: "drift", title: "Drift (target differs from what the mapping makes of the source)", mode: "detail", columns: ["field", "source now", "target now", "last synced", "moved"] },
    { key: "missing", title: "Missing from the target", mode: "summary" },
    { key: "other-borrower", title: "On another borrower", mode: "detail" },
    { key: "orphan", title: "Orphans (no source record)", mode: "detail" },
    { key: "duplicate", title: "One externalId on several cases", mode: "detail" },
    { key: "ledger", title: "Ledger rows the target contradicts", mode: "detail" },
    { key: "reject", title: "Not compared (rejected by the mapping)", mode: "detail", rejects: true }
  ]
})

/** The summary bar: every count of the findings line. */
export const reconcileReportTotals = (r: Reconciliation): ReportTotals => ({
  counts: [
    { label: "read", value: r.counts.read },
    { label: "in sync", value: r.counts.inSync },
    { label: "missing", value: r.counts.missing, section: "missing" },
    { label: "drift", value: r.counts.drift, section: "drift" },
    { label: "other borrower", value: r.counts.otherBorrower, section: "other-borrower" },
    { label: "orphans", value: r.counts.orphans, section: "orphan" },
    { label: "duplicates", value: r.counts.duplicates, section: "duplicate" },
    { label: "ledger", value: r.counts.ledger, section: "ledger" },
    { label: "rejected", value: r.counts.rejected, section: "reject" }
  ],
  accounting: `read ${r.counts.read} = compared ${r.counts.compared} + rejected ${r.counts.rejected}; ${findingsLine(r)}`
})

const none = { sourceKey: null, location: "(target)", caseType: null } as const

/** Every finding as a report entry, in the order of the sections. */
export function* reconcileEntries(r: Reconciliation): Generator<ReportEntry> {
  for (const d of r.drift) {
    yield {
      section: "drift", sourceKey: d.sourceKey, externalId: d.externalId, location: formatLocation(d.location), borrower: d.personId,
      caseType: d.caseType, caseId: d.caseId, rows: d.fields.map((f) => [f.field, f.source, f.target, f.base, f.moved])
    }
  }
  for (const m of r.missing) {
    yield { section: "missing", sourceKey: m.sourceKey, externalId: m.externalId, location: formatLocation(m.location), borrower: m.personId, caseType: m.caseType, caseId: null }
  }
  for (const m of r.otherBorrower) {
    yield {
      section: "other-borrower", sourceKey: m.sourceKey, externalId: m.externalId, location: formatLocation(m.location), borrower: m.wantedPersonId,
      caseType: null, caseId: m.caseId, reason: `the source wants borrower ${m.wantedPersonId}; the case belongs to ${m.personIds.join(", ") || "(none)"}`
    }
  }
  for (const o of r.orphans) {
    yield {
      ...none, section: "orphan", externalId: o.externalId, borrower: o.personIds[0] ?? null, caseId: o.caseId,
      reason: o.sourceRejected === null ? "no source record produces this externalId" : `its source record is rejected: ${o.sourceRejected}`
    }
  }
  for (const d of r.duplicates) {
    yield { ...none, section: "duplicate", externalId: d.externalId, borrower: null, caseId: d.caseIds.join(", "), reason: `on ${d.caseIds.length} cases: ${d.caseIds.join(", ")}` }
  }
  for (const l of r.ledger) {
    yield { ...none, section: "ledger", sourceKey: l.sourceKey, location: "(ledger)", externalId: l.externalId, borrower: null, caseId: null, reason: `${l.writeState}: ${l.detail}` }
  }
  for (const x of r.rejects) {
    yield { section: "reject", sourceKey: null, externalId: x.externalId, location: formatLocation(x.location), borrower: null, caseType: null, caseId: null, field: x.field, reason: x.reason, raw: x.raw }
  }
}

/** Writes the reconcile's HTML report: one self-contained page, beside the Markdown one. */
export const writeReconcileHtmlReport = (file: string, r: Reconciliation, source: string, target: string) =>
  writeHtmlReport(file, reconcileReportSpec(r, source, target), Stream.fromIterable(reconcileEntries(r)), Effect.succeed(reconcileReportTotals(r)))
