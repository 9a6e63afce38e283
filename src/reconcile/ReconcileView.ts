import { formatLocation } from "../sources/SourceRecord.js"
import { formatChecksum } from "./Checksum.js"
import type { DriftField } from "./Compare.js"
import { isClean, type Reconciliation } from "./Reconciliation.js"

/** Where reconcile wrote its outputs, and what the repair plan holds when one was asked for. */
export interface ReconcileFiles {
  readonly reportFile: string
  readonly htmlFile: string
  readonly jsonFile: string
  readonly fixes: { readonly planFile: string; readonly creates: number; readonly updates: number } | null
}

// Quoted, so a string "null" and an absent value read apart.
const shown = (value: unknown): string => (value === null || value === undefined ? "∅" : JSON.stringify(value))

const driftLine = (externalId: string, caseId: string, field: DriftField) =>
  `${externalId} (case ${caseId}) ${field.field}: source ${shown(field.source)}, target ${shown(field.target)}, last synced ${shown(field.base)} — moved: ${field.moved}`

/** The counts line: what each finding came to. */
export const findingsLine = (r: Reconciliation): string =>
  `in sync ${r.counts.inSync}, missing ${r.counts.missing}, drift ${r.counts.drift} (${r.counts.driftFields} fields), other borrower ${r.counts.otherBorrower}, orphans ${r.orphansChecked ? r.counts.orphans : "not checked"}, duplicate externalIds ${r.counts.duplicates}, ledger disagreements ${r.counts.ledger}`

/** The human view: counts, both checksums, the first drifting fields, and where the rest is. */
export const reconcileView = (r: Reconciliation, source: string, target: string, files: ReconcileFiles): string => {
  const same = r.checksums.source.count === r.checksums.target.count && r.checksums.source.sum === r.checksums.target.sum
  const drift = r.drift.flatMap((d) => d.fields.map((f) => driftLine(d.externalId, d.caseId, f)))
  const firstDrift = drift.slice(0, 10)
  return [
    `reconcile job ${r.job}: ${source} ↔ ${target}`,
    `  read ${r.counts.read} = compared ${r.counts.compared} + rejected ${r.counts.rejected}`,
    `  ${findingsLine(r)}`,
    `  checksum source ${formatChecksum(r.checksums.source)}`,
    `  checksum target ${formatChecksum(r.checksums.target)} (${same ? "equal" : "differ"})`,
    ...firstDrift.map((line) => `  drift: ${line}`),
    ...(drift.length > firstDrift.length ? [`  … and ${drift.length - firstDrift.length} more drifting fields in the report`] : []),
    `  ${isClean(r) ? "clean: the target holds exactly what the mapping makes of the source" : "NOT clean: see the report"}`,
    `  report: ${files.reportFile}`,
    `  html:   ${files.htmlFile}`,
    `  json:   ${files.jsonFile}`,
    ...(files.fixes === null ? [] : [
      `  fixes:  ${files.fixes.planFile} (${files.fixes.creates} creates, ${files.fixes.updates} updates)`
    ])
  ].join("\n")
}

/** The JSON form, for `--json` and the `reconcile.json` file; checksums in their printed form. */
export const reconcileJson = (r: Reconciliation, files: ReconcileFiles) => ({
  job: r.job,
  clean: isClean(r),
  counts: r.counts,
  checksums: { source: formatChecksum(r.checksums.source), target: formatChecksum(r.checksums.target) },
  orphansChecked: r.orphansChecked,
  missing: r.missing.map((m) => ({ ...m, location: formatLocation(m.location) })),
  drift: r.drift.map((d) => ({ ...d, location: formatLocation(d.location) })),
  otherBorrower: r.otherBorrower.map((m) => ({ ...m, location: formatLocation(m.location) })),
  orphans: r.orphans,
  duplicates: r.duplicates,
  ledger: r.ledger,
  rejects: r.rejects.map((x) => ({ ...x, location: formatLocation(x.location) })),
  files
})

// == Markdown

const cell = (value: unknown): string => {
  const text = value === null || value === undefined ? "∅" : typeof value === "string" ? value : JSON.stringify(value)
  const short = text.length > 200 ? `${text.slice(0, 199)}…` : text
  return short.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\r?\n/g, "⏎")
}

const table = (columns: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<unknown>>): Array<string> =>
  rows.length === 0
    ? ["None.", ""]
    : [`| ${columns.join(" | ")} |`, `|${columns.map(() => "---").join("|")}|`, ...rows.map((row) => `| ${row.map(cell).join(" | ")} |`), ""]

/** The Markdown report: counts and checksums first, then one table per finding. */
export const reconcileMarkdown = (r: Reconciliation, source: string, target: string, files: ReconcileFiles): string =>
  [
    `# Reconcile of job ${r.job}`,
    "",
    `${source} ↔ ${target}`,
    "",
    `**${isClean(r) ? "Clean" : "Not clean"}.** Read ${r.counts.read} = compared ${r.counts.compared} + rejected ${r.counts.rejected}; ${findingsLine(r)}.`,
    "",
    "| side | cases | checksum |",
    "|---|---|---|",
    `| source (mapped) | ${r.checksums.source.count} | \`${formatChecksum(r.checksums.source)}\` |`,
    `| target | ${r.checksums.target.count} | \`${formatChecksum(r.checksums.target)}\` |`,
    "",
    ...(files.fixes === null ? [] : [`Repairs: \`${files.fixes.planFile}\` (${files.fixes.creates} creates, ${files.fixes.updates} updates); review it, then \`casesync apply --plan\` it.`, ""]),
    "## Drift (owned fields whose target value differs from what the mapping makes of the source)",
    "",
    ...table(
      ["externalId", "case", "field", "source now", "target now", "last synced", "moved"],
      r.drift.flatMap((d) => d.fields.map((f) => [d.externalId, d.caseId, f.field, f.source, f.target, f.base, f.moved]))
    ),
    "## Missing from the target",
    "",
    ...table(["externalId", "source key", "location", "borrower"], r.missing.map((m) => [m.externalId, m.sourceKey, formatLocation(m.location), m.personId])),
    "## On another borrower",
    "",
    ...table(
      ["externalId", "case", "source wants borrower", "case's borrowers"],
      r.otherBorrower.map((m) => [m.externalId, m.caseId, m.wantedPersonId, m.personIds.join(", ")])
    ),
    "## Orphans (target cases of this job's externalId pattern with no source record)",
    "",
    ...(r.orphansChecked
      ? table(["externalId", "case", "borrowers", "source record rejected"], r.orphans.map((o) => [o.externalId, o.caseId, o.personIds.join(", "), o.sourceRejected]))
      : ["Not checked: the mapping's externalId template has no fixed text, so it would match every case.", ""]),
    "## One externalId on several target cases",
    "",
    ...table(["externalId", "cases"], r.duplicates.map((d) => [d.externalId, d.caseIds.join(", ")])),
    "## Ledger rows the target contradicts",
    "",
    ...table(["externalId", "source key", "write state", "problem"], r.ledger.map((l) => [l.externalId, l.sourceKey, l.writeState, l.detail])),
    "## Source records not compared (rejected by the mapping)",
    "",
    ...table(["location", "externalId", "field", "reason"], r.rejects.map((x) => [formatLocation(x.location), x.externalId, x.field, x.reason]))
  ].join("\n")
