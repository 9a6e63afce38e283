/**
 * What the migrate ledger holds, as the rest of casesync sees it: one entry per legacy record of
 * a job, its write state and last synced values, and what a plan and apply's transitions pass in.
 * The store's operations on it are in `Ledger.ts`.
 */
import { Schema } from "effect"

/**
 * Where a ledger row's write stands; the order of states is what makes apply crash-safe:
 * - `planned`: a plan wants this row written (or has classified it); nothing was sent yet.
 * - `sent`: a write request MAY have reached the target (we crashed, timed out or were interrupted
 *   before seeing the answer). Before retrying a create, look the case up on the target by
 *   `ext-<externalId>`: if it exists, confirm it instead of creating a second one.
 * - `confirmed`: the target acknowledged the write; `snapshot` holds the synced values.
 * - `rejected`: the target (or the plan) refused the record; `rejectReason` says why.
 */
export const WriteState = Schema.Literal("planned", "sent", "confirmed", "rejected")
export type WriteState = typeof WriteState.Type

/** What the plan decided for a record. */
export const PlanAction = Schema.Literal("create", "update", "unchanged", "reject", "conflict")
export type PlanAction = typeof PlanAction.Type

/** The last synced values of the fields a mapping owns: the base of a later three-way merge. */
export const Snapshot = Schema.Record({ key: Schema.String, value: Schema.Unknown })
export type Snapshot = typeof Snapshot.Type

/**
 * One legacy record's migration state within a job, keyed by `(job, sourceKey)`; `externalId` is unique per job too.
 * `location` is the source location of the record that owns the row (the last plan item recorded for it; null on
 * rows older than the column): transitions are made only for that record, so a later duplicate never touches it.
 */
export const LedgerEntry = Schema.Struct({
  job: Schema.String,
  sourceKey: Schema.String,
  externalId: Schema.String,
  location: Schema.NullOr(Schema.String),
  borrowerId: Schema.NullOr(Schema.String),
  caseId: Schema.NullOr(Schema.String),
  writeState: WriteState,
  action: Schema.NullOr(PlanAction),
  snapshot: Schema.NullOr(Snapshot),
  targetUpdatedAt: Schema.NullOr(Schema.String),
  rejectReason: Schema.NullOr(Schema.String),
  runId: Schema.String,
  updatedAt: Schema.String
})
export type LedgerEntry = typeof LedgerEntry.Type

/** What a plan records for one legacy record; unknown ids may be left out (they never clear known ones). */
export interface PlannedEntry {
  readonly job: string
  readonly sourceKey: string
  readonly externalId: string
  /** The formatted source location of the plan item (`file:line`, `customer … / case …`): it becomes the row's owner. */
  readonly location: string
  readonly borrowerId?: string | null | undefined
  readonly caseId?: string | null | undefined
  readonly action: PlanAction
  readonly rejectReason?: string | null | undefined
  readonly runId: string
}

/** The plan item a transition is made for: the row's key, and the source location of the record it comes from. */
export interface LedgerItem {
  readonly job: string
  readonly sourceKey: string
  readonly location: string
}

/** What confirming a write records. */
export interface Confirmation {
  readonly caseId: string
  readonly snapshot: Snapshot
  readonly targetUpdatedAt: string | null
  readonly runId: string
}

/** Number of ledger rows in each write state. */
export type StateCounts = Readonly<Record<WriteState, number>>
