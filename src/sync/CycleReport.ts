import { createKey } from "./CreateInSource.js"
import { describeValue } from "./FieldState.js"
import type { ConflictReason, Cause } from "./FieldState.js"

/**
 * The counts of one cycle. They add up: every CRM case read is paired, new in the CRM,
 * rejected by the mapping, or linked to a target case that is gone
 * (`readCrm = paired + newInCrm + rejected + goneFromTarget`); every target case of the job
 * is paired, new in the target, or linked to a CRM case that is gone
 * (`readTarget = paired + newInTarget + goneFromCrm`); every paired record is written to,
 * holds a queued conflict, or is unchanged.
 */
export interface CycleCounts {
  readonly readCrm: number
  readonly readTarget: number
  readonly paired: number
  readonly newInCrm: number
  readonly newInTarget: number
  readonly goneFromCrm: number
  readonly goneFromTarget: number
  readonly rejected: number
  /** Update requests sent to the target, plus the cases created there. */
  readonly wroteTarget: number
  /** Update requests sent to the CRM, plus the cases created there. */
  readonly wroteCrm: number
  readonly conflictFields: number
  readonly conflictRecords: number
  /** Conflicts queued (or re-opened) in this cycle. */
  readonly newConflicts: number
  /** Paired records with no write and no queued conflict. */
  readonly unchanged: number
  /** Writes that failed; the next cycle decides those fields again. */
  readonly failedWrites: number
}

/** One field change a cycle wrote (or, in a dry run, would write). */
export interface FieldChange {
  readonly sourceKey: string
  readonly caseId: string
  readonly field: string
  readonly to: "target" | "crm"
  readonly from: unknown
  readonly value: unknown
  readonly cause: Cause
}

/** A field in the queue after the cycle. */
export interface QueuedField {
  readonly id: string
  readonly sourceKey: string
  readonly field: string
  readonly reason: ConflictReason
  readonly detail: string
  readonly crm: unknown
  readonly target: unknown
  readonly isNew: boolean
}

/** A case that exists on one side only although the ledger links it: reported, never deleted. */
export interface GoneCase {
  readonly sourceKey: string
  readonly caseId: string | null
  readonly goneFrom: "crm" | "target"
}

/** What one cycle did. */
export interface CycleOutcome {
  readonly job: string
  readonly cycle: number
  readonly dryRun: boolean
  readonly counts: CycleCounts
  readonly changes: ReadonlyArray<FieldChange>
  readonly queued: ReadonlyArray<QueuedField>
  readonly wars: ReadonlyArray<{ readonly sourceKey: string; readonly field: string }>
  readonly gone: ReadonlyArray<GoneCase>
  /** Target case ids with no CRM counterpart (`newTargetCases: ignore`) or created in the CRM. */
  readonly newInTarget: ReadonlyArray<{ readonly caseId: string; readonly createdInCrm: string | null }>
  readonly failures: ReadonlyArray<{ readonly sourceKey: string; readonly side: "crm" | "target"; readonly message: string }>
  /**
   * CRM creates still waiting for an answer after this cycle, by target case: the CRM cases held
   * back (neither synced nor linked) because one may be what the create made, and a person's named
   * choice if there is one. They wait for `casesync sync resolve-create`.
   */
  readonly unanswered: ReadonlyArray<{ readonly caseId: string; readonly heldBack: ReadonlyArray<string>; readonly chosen: string | null }>
  readonly wallMillis: number
}

/** The cycle's accounting line (README: "The cycle's accounting"). */
export const cycleAccountingLine = (c: CycleCounts): string =>
  `read crm ${c.readCrm}, target ${c.readTarget}; paired ${c.paired}, new in crm ${c.newInCrm}, new in target ${c.newInTarget}, ` +
  `gone ${c.goneFromCrm + c.goneFromTarget}, rejected ${c.rejected}; wrote target ${c.wroteTarget}, crm ${c.wroteCrm}; ` +
  `conflicts ${c.conflictFields} fields in ${c.conflictRecords} records (new ${c.newConflicts}); unchanged ${c.unchanged}` +
  (c.failedWrites > 0 ? `; failed writes ${c.failedWrites}` : "")

const cell = (value: unknown): string => describeValue(value).replaceAll("|", "\\|")

/** The Markdown cycle report: the accounting, each field change with its direction, the queue, the gone cases. */
export const cycleReport = (outcome: CycleOutcome): string => {
  const lines = [
    `# Sync cycle ${outcome.cycle} of job ${outcome.job}${outcome.dryRun ? " (dry run: nothing was written)" : ""}`,
    "",
    `\`${cycleAccountingLine(outcome.counts)}\``,
    "",
    `Wall time ${outcome.wallMillis} ms.`,
    "",
    `## Field changes (${outcome.changes.length})`,
    ""
  ]
  if (outcome.changes.length === 0) lines.push("None.")
  else {
    lines.push("| record | case | field | direction | from | to | why |", "|---|---|---|---|---|---|---|")
    for (const c of outcome.changes) {
      lines.push(`| ${c.sourceKey} | ${c.caseId} | ${c.field} | ${c.to === "target" ? "CRM → target" : "target → CRM"} | ${cell(c.from)} | ${cell(c.value)} | ${c.cause} |`)
    }
  }
  lines.push("", `## Conflict queue (${outcome.queued.length})`, "")
  if (outcome.queued.length === 0) lines.push("Empty.")
  else {
    lines.push("| id | record | field | reason | CRM | target | detail |", "|---|---|---|---|---|---|---|")
    for (const q of outcome.queued) {
      lines.push(`| ${q.id}${q.isNew ? " (new)" : ""} | ${q.sourceKey} | ${q.field} | ${q.reason} | ${cell(q.crm)} | ${cell(q.target)} | ${q.detail.replaceAll("|", "\\|")} |`)
    }
  }
  if (outcome.wars.length > 0) {
    lines.push("", "## Stopped wars", "", ...outcome.wars.map((w) => `- ${w.sourceKey} ${w.field}: its value alternated over consecutive cycles; queued instead of written again`))
  }
  lines.push("", `## Gone from one side (${outcome.gone.length}): reported, never deleted`, "")
  lines.push(...(outcome.gone.length === 0 ? ["None."] : outcome.gone.map((g) => `- ${g.sourceKey} (case ${g.caseId ?? "?"}): gone from the ${g.goneFrom === "crm" ? "CRM" : "target"}`)))
  if (outcome.newInTarget.length > 0) {
    lines.push("", `## New in the target (${outcome.newInTarget.length})`, "")
    const failed = new Set(outcome.failures.map((f) => f.sourceKey))
    lines.push(...outcome.newInTarget.map((n) =>
      `- ${n.caseId}: ${
        n.createdInCrm !== null
          ? `created in the CRM as ${n.createdInCrm}`
          : failed.has(createKey(n.caseId)) ? "not created in the CRM (see Failed writes)" : "no CRM counterpart (newTargetCases: ignore)"
      }`
    ))
  }
  if (outcome.unanswered.length > 0) {
    lines.push("", `## CRM creates waiting for an answer (${outcome.unanswered.length})`, "")
    lines.push(...outcome.unanswered.map((u) =>
      `- target case ${u.caseId}: ${u.heldBack.length === 0 ? "no unlinked CRM case may be it" : `${u.heldBack.join(", ")} held back (not synced) while it waits`}` +
      `${u.chosen === null ? "" : `; named: CRM case ${u.chosen}`}. Answer with \`casesync sync resolve-create ${u.caseId} --crm-case <id>\` or \`--not-created\``
    ))
  }
  if (outcome.failures.length > 0) {
    lines.push("", `## Failed writes (${outcome.failures.length}): decided again next cycle`, "")
    lines.push(...outcome.failures.map((f) => `- ${f.sourceKey} → ${f.side}: ${f.message}`))
  }
  return `${lines.join("\n")}\n`
}
