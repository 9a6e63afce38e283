import { Option } from "effect"
import type { SourceLocation } from "../sources/SourceRecord.js"
import { sameValue, updateBodyFor } from "./FieldValues.js"
import type { FieldChange, FieldConflict, OwnedValues, PlanItem } from "./Plan.js"

/** What the source wants the target to hold for one record, after mapping and borrower lookup. */
export interface DesiredCase {
  readonly sourceKey: string
  readonly externalId: string
  readonly location: SourceLocation
  readonly personId: string
  /** The create body, exactly as the mapping produced it. */
  readonly body: Readonly<Record<string, unknown>>
  /** The owned fields' values, flattened to dotted paths. */
  readonly values: OwnedValues
}

/** What the target holds for one externalId, as read from a list call. */
export interface TargetCase {
  readonly caseId: string
  readonly personIds: ReadonlyArray<string>
  readonly updatedAt: string | null
  /** The whole case as returned, so nested objects can be merged on update. */
  readonly raw: Readonly<Record<string, unknown>>
  /** The owned fields' values, flattened to the same dotted paths. */
  readonly values: OwnedValues
}

/**
 * Decides what to do with one record: create, update (with the field-level diff of the
 * owned fields only), unchanged, or conflict when the target changed an owned field
 * since the last synced snapshot (`base`) or the externalId belongs to another borrower.
 * `unmoved` holds, for two-way fields, what the source maps to while it still holds what sync
 * wrote back for the base: a field whose source maps to that has not moved on the source side,
 * so the target's value stands (sync carries target edits of it).
 */
export const decide = (
  desired: DesiredCase,
  target: Option.Option<TargetCase>,
  base: Option.Option<OwnedValues>,
  unmoved?: OwnedValues | undefined
): PlanItem => {
  const identity = {
    sourceKey: desired.sourceKey,
    externalId: desired.externalId,
    location: desired.location,
    personId: desired.personId
  }
  if (Option.isNone(target)) {
    return { _tag: "create", ...identity, body: desired.body, values: desired.values }
  }
  const current = target.value
  const version = { caseId: current.caseId, targetUpdatedAt: current.updatedAt }
  if (!current.personIds.includes(desired.personId)) {
    return {
      _tag: "conflict",
      ...identity,
      ...version,
      reason: `externalId ${desired.externalId} already belongs to case ${current.caseId} of borrower ${current.personIds.join(", ") || "(none)"}, not ${desired.personId}`,
      conflicts: []
    }
  }
  const changes: Array<FieldChange> = []
  const conflicts: Array<FieldConflict> = []
  for (const [field, after] of Object.entries(desired.values)) {
    const before = current.values[field] ?? null
    if (sameValue(before, after)) continue
    if (unmoved !== undefined && field in unmoved && sameValue(unmoved[field], after)) continue
    if (Option.isSome(base) && field in base.value && !sameValue(base.value[field], before)) {
      conflicts.push({ field, base: base.value[field] ?? null, target: before, source: after ?? null })
    } else {
      changes.push({ field, before, after: after ?? null })
    }
  }
  if (conflicts.length > 0) {
    return {
      _tag: "conflict",
      ...identity,
      ...version,
      reason: `the target changed ${conflicts.map((c) => c.field).join(", ")} since the last sync`,
      conflicts
    }
  }
  if (changes.length === 0) {
    return { _tag: "unchanged", ...identity, ...version, values: desired.values }
  }
  return {
    _tag: "update",
    ...identity,
    ...version,
    changes,
    body: updateBodyFor(current.raw, changes),
    values: desired.values
  }
}
