import type { SourceLocation } from "../sources/SourceRecord.js"
import type { WriteState } from "../state/LedgerEntry.js"
import type { Checksum } from "./Checksum.js"
import type { DriftField, LedgerProblem } from "./Compare.js"

/** A mapped source record the target has no case for. */
export interface MissingCase {
  readonly sourceKey: string
  readonly externalId: string
  readonly location: SourceLocation
  readonly personId: string
  /** The case type the mapping chose (`typeId` of the create body), for the report's filter. */
  readonly caseType: string | null
}

/** A case whose owned fields differ from what the mapping makes of its source record now. */
export interface DriftingCase {
  readonly sourceKey: string
  readonly externalId: string
  readonly location: SourceLocation
  readonly personId: string
  readonly caseType: string | null
  readonly caseId: string
  readonly fields: ReadonlyArray<DriftField>
}

/** A source record whose externalId is on a case of another borrower. */
export interface MisplacedCase {
  readonly sourceKey: string
  readonly externalId: string
  readonly location: SourceLocation
  readonly caseId: string
  readonly wantedPersonId: string
  readonly personIds: ReadonlyArray<string>
}

/** A target case carrying this job's externalId pattern that no mapped source record backs. */
export interface OrphanCase {
  readonly externalId: string
  readonly caseId: string
  readonly personIds: ReadonlyArray<string>
  /** Why the mapping rejects the source record of this externalId, when one exists. */
  readonly sourceRejected: string | null
}

/** One externalId on several target cases. */
export interface DuplicateExternalId {
  readonly externalId: string
  readonly caseIds: ReadonlyArray<string>
}

/** A ledger row the target contradicts. */
export interface LedgerDisagreement extends LedgerProblem {
  readonly sourceKey: string
  readonly externalId: string
  readonly writeState: WriteState
}

/** A source record the mapping (or the borrower lookup, or the ledger's identity) refuses: not compared. */
export interface ReconcileReject {
  readonly location: SourceLocation
  readonly externalId: string | null
  readonly field: string
  readonly reason: string
  /** The whole source record, so the report loses nothing. */
  readonly raw: unknown
}

/** How many of each finding; `clean` when every one is zero and the checksums agree. */
export interface ReconcileCounts {
  readonly read: number
  readonly rejected: number
  readonly compared: number
  readonly inSync: number
  readonly missing: number
  readonly drift: number
  readonly driftFields: number
  readonly otherBorrower: number
  readonly orphans: number
  readonly duplicates: number
  readonly ledger: number
}

/** What reconcile found for one job: the findings, their counts and each side's checksum. */
export interface Reconciliation {
  readonly job: string
  readonly counts: ReconcileCounts
  readonly checksums: { readonly source: Checksum; readonly target: Checksum }
  /** False when the externalId template has no fixed text, so orphans could not be told apart. */
  readonly orphansChecked: boolean
  readonly missing: ReadonlyArray<MissingCase>
  readonly drift: ReadonlyArray<DriftingCase>
  readonly otherBorrower: ReadonlyArray<MisplacedCase>
  readonly orphans: ReadonlyArray<OrphanCase>
  readonly duplicates: ReadonlyArray<DuplicateExternalId>
  readonly ledger: ReadonlyArray<LedgerDisagreement>
  readonly rejects: ReadonlyArray<ReconcileReject>
}

/** Whether the two systems agree: nothing missing, drifting, orphaned, duplicated or contradicted, equal checksums. */
export const isClean = (r: Reconciliation): boolean =>
  r.counts.missing + r.counts.drift + r.counts.otherBorrower + r.counts.orphans + r.counts.duplicates + r.counts.ledger === 0 &&
  r.checksums.source.count === r.checksums.target.count &&
  r.checksums.source.sum === r.checksums.target.sum
