import { Option } from "effect"
import type { LedgerEntry } from "../state/LedgerEntry.js"

/** Why a record cannot be linked to the ledger: the field at fault and what a person should do. */
export interface IdentityProblem {
  readonly field: "key" | "externalId"
  readonly reason: string
}

/**
 * Checks that a record's source key and externalId agree with what the ledger already links:
 * the row of its externalId must carry the same key (a changed `key` template would
 * otherwise re-link a migrated case), and the row of its key the same externalId (a changed
 * `externalId` template would otherwise create a second case for one record). One pure rule
 * that the planner and apply share, so either refuses the record, never the whole run.
 */
export const ledgerIdentityProblem = (
  record: { readonly sourceKey: string; readonly externalId: string },
  byKey: LedgerEntry | undefined,
  byExternalId: LedgerEntry | undefined
): Option.Option<IdentityProblem> => {
  if (byExternalId !== undefined && byExternalId.sourceKey !== record.sourceKey) {
    return Option.some({
      field: "key",
      reason: `externalId ${record.externalId} is already migrated under source key "${byExternalId.sourceKey}", ` +
        `but this record's key is "${record.sourceKey}": did the mapping's key template change? ` +
        `Restore it, or migrate into a new job`
    })
  }
  if (byKey !== undefined && byKey.externalId !== record.externalId) {
    return Option.some({
      field: "externalId",
      reason: `source key "${record.sourceKey}" is already migrated as externalId ${byKey.externalId}, ` +
        `but this record maps to ${record.externalId}: did the mapping's externalId template change? ` +
        `Restore it, or migrate into a new job`
    })
  }
  return Option.none()
}
