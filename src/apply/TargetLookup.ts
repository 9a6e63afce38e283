import { Effect } from "effect"
import type { TargetCase } from "../plan/Decide.js"
import type { PlanItem } from "../plan/Plan.js"
import type { TargetIndex } from "../plan/TargetIndex.js"
import type { StateStoreError } from "../state/StateStoreError.js"
import type { ApplyFailed } from "./ApplyOutcome.js"

/**
 * How apply sees the target: what it holds for a batch's externalIds. `migrate` answers from the
 * index its plan built; `apply --plan` from a fresh read of just the cases the plan writes.
 */
export interface TargetLookup {
  /** The target's case for each item's externalId (absent: the target has none). */
  readonly casesFor: (items: ReadonlyArray<PlanItem>) => Effect.Effect<ReadonlyMap<string, TargetCase>, ApplyFailed | StateStoreError>
}

/** A lookup answered from an index in memory (the plan's, in `migrate`). */
export const lookupInIndex = (index: TargetIndex): TargetLookup => ({
  casesFor: (items) =>
    Effect.sync(() => {
      const found = new Map<string, TargetCase>()
      for (const item of items) {
        const kase = item.externalId === null ? undefined : index.byExternalId.get(item.externalId)
        if (kase !== undefined) found.set(item.externalId!, kase)
      }
      return found
    })
})

/**
 * The lookup of `apply --plan`: creates and updates from `written` (the cases re-read for them);
 * an unchanged item as its plan saw it, since nothing is written for it and it is not re-read.
 */
export const lookupWritten = (written: TargetIndex): TargetLookup => ({
  casesFor: (items) =>
    Effect.sync(() => {
      const found = new Map<string, TargetCase>()
      for (const item of items) {
        if (item._tag === "unchanged") {
          found.set(item.externalId, { caseId: item.caseId, personIds: [item.personId], updatedAt: item.targetUpdatedAt, raw: {}, values: item.values })
        } else if (item._tag === "create" || item._tag === "update") {
          const kase = written.byExternalId.get(item.externalId)
          if (kase !== undefined) found.set(item.externalId, kase)
        }
      }
      return found
    })
})
