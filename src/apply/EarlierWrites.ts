import { holdsValues } from "../plan/FieldValues.js"
import type { PlannedCreate, PlannedUpdate } from "../plan/Plan.js"
import type { TargetCase } from "../plan/Decide.js"
import type { Confirmation, LedgerEntry } from "../state/LedgerEntry.js"

/**
 * Whether the target already holds an item's write because an earlier run made it: `done` when
 * that run confirmed it (the plan applied again), `recovered` when it was sent and never answered
 * (an interrupted apply); undefined when the target moved for another reason. `prior` is the
 * ledger row as this run found it, `entry` the row once this run recorded the plan (which moves a
 * confirmed row back to planned).
 */
export type EarlierWrite = "done" | "recovered" | undefined

/** A create whose externalId is in the target already: ours if an earlier run wrote it, with this item's values and borrower. */
export const earlierCreate = (
  item: PlannedCreate,
  current: TargetCase,
  prior: LedgerEntry | undefined,
  entry: LedgerEntry | undefined
): EarlierWrite => {
  if (!holdsValues(current.values, item.values) || !current.personIds.includes(item.personId)) return undefined
  if (prior?.writeState === "confirmed" && prior.caseId === current.caseId) return "done"
  return entry?.writeState === "sent" || entry?.writeState === "confirmed" ? "recovered" : undefined
}

/** An update whose case moved since the plan: ours if the case holds its values and an earlier run wrote that version. */
export const earlierUpdate = (
  item: PlannedUpdate,
  current: TargetCase,
  prior: LedgerEntry | undefined,
  entry: LedgerEntry | undefined
): EarlierWrite => {
  if (!holdsValues(current.values, item.values)) return undefined
  if (prior?.writeState === "confirmed" && prior.caseId === current.caseId && prior.targetUpdatedAt === current.updatedAt) return "done"
  return entry?.writeState === "sent" ? "recovered" : undefined
}

/**
 * The confirmation a row gets back when this run writes nothing for it (a conflict): recording
 * the plan moved it from confirmed to planned, and it should read as the run found it.
 */
export const confirmationToRestore = (prior: LedgerEntry | undefined): Confirmation | undefined =>
  prior?.writeState === "confirmed" && prior.caseId !== null && prior.snapshot !== null
    ? { caseId: prior.caseId, snapshot: prior.snapshot, targetUpdatedAt: prior.targetUpdatedAt, runId: prior.runId }
    : undefined
