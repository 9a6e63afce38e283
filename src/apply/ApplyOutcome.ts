import { Data } from "effect"
import type { PlanCounts } from "../plan/Plan.js"

/** What became of one plan item when it was applied. */
export type Outcome = "created" | "updated" | "unchanged" | "rejected" | "conflict"

/** One line of the results file. */
export interface ItemResult {
  readonly sourceKey: string | null
  readonly externalId: string | null
  readonly location: string
  readonly borrower: string | null
  readonly caseId: string | null
  /** What the plan said to do. */
  readonly action: string
  readonly outcome: Outcome
  /** Why, for rejects and conflicts; how, for recovered writes. */
  readonly detail: string
}

/** Counts of an apply, in the shape of the accounting line. */
export type ApplyCounts = PlanCounts

/** Counts an outcome in the accounting line's terms. */
export const countOutcome = (counts: ApplyCounts, outcome: Outcome): ApplyCounts => {
  const key = ({ created: "create", updated: "update", unchanged: "unchanged", rejected: "reject", conflict: "conflict" } as const)[outcome]
  return { ...counts, read: counts.read + 1, [key]: counts[key] + 1 }
}

/**
 * The run could not go on (the target refused our credentials, kept failing after
 * every retry, or the state store broke). What was confirmed stays confirmed; the
 * message says what failed and how to resume.
 */
export class ApplyFailed extends Data.TaggedError("ApplyFailed")<{
  readonly reason: string
  readonly resume: string
  readonly cause?: unknown
}> {
  override get message() {
    return `${this.reason}\nTo resume: ${this.resume}`
  }
}
