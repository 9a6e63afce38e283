import type { Direction } from "../mapping/MappingSpec.js"
import { sameValue } from "../plan/FieldValues.js"

/**
 * Which way a field syncs. `toTarget` and `both` are the mapping's directions; `toSource`
 * is for a field the target owns and the CRM only follows (not yet in the mapping file).
 */
export type SyncDirection = Direction | "toSource"

/** What decides a field both sides changed to different values, or a change its direction does not carry. */
export type ConflictPolicy = "sourceWins" | "targetWins" | "newestWins" | "manual"

/** A conflict goes to the queue unless the field says otherwise. */
export const defaultPolicy: ConflictPolicy = "manual"

/** One of the two systems: the CRM (the source) or the case API (the target). */
export type Side = "crm" | "target"

/** How one owned field syncs: where it lives on each side, which way, and how its values translate. */
export interface FieldRule {
  /** The dotted target path (`status`, `customFields.crmPriority`): the field's name in the sync. */
  readonly field: string
  /** The CRM property the field comes from (`status`, `priority`). */
  readonly crmField: string
  readonly direction: SyncDirection
  /** Absent means `manual`. */
  readonly policy?: ConflictPolicy | undefined
  /** A CRM value as the target would hold it (the mapping's forward transformation). */
  readonly forward: (crm: unknown) => unknown
  /** A target value as the CRM would hold it; without it nothing is ever written to the CRM. */
  readonly reverse?: ((target: unknown) => unknown) | undefined
  /** How the CRM holds a value cleared on the target (see `crmClearing`); absent: null is sent as it is. */
  readonly crmCleared?: CrmCleared | undefined
}

/**
 * What the CRM makes of a cleared value. It takes no null, and leaving a field out of an
 * update keeps its value, so a clear reaches it only as the field's empty value, if it has one.
 */
export type CrmCleared =
  /** The field's empty value (`""` for text). */
  | { readonly _tag: "Empty"; readonly value: unknown }
  /** The field has none (a checkbox, a list, the status): why, for the person the clear is queued for. */
  | { readonly _tag: "Unclearable"; readonly why: string }

/** A target value in the CRM's terms: the reverse, with a cleared value as the CRM's empty one. */
export const crmValueOf = (rule: FieldRule, target: unknown): unknown => {
  // carriesToCrm (or a person's choice) guarantees the reverse where this is called.
  const value = rule.reverse!(target) ?? null
  return value === null && rule.crmCleared?._tag === "Empty" ? rule.crmCleared.value : value
}

/** Whether writing `target` to the CRM would ask it to clear a field it cannot clear. */
export const crmCannotHold = (rule: FieldRule, target: unknown): boolean =>
  rule.crmCleared?._tag === "Unclearable" && rule.reverse !== undefined && (rule.reverse(target) ?? null) === null

/** Whether a CRM change of this field may be written to the target. */
export const carriesToTarget = (rule: FieldRule): boolean => rule.direction !== "toSource"

/** Whether a target change of this field may be written to the CRM (which needs a way back). */
export const carriesToCrm = (rule: FieldRule): boolean => rule.direction !== "toTarget" && rule.reverse !== undefined

/**
 * Whether the two sides hold the same meaning: the CRM's value maps forward to the target's,
 * or the target's maps back to the CRM's. The second half is what keeps a many-to-one reverse
 * quiet: target `canceled` and CRM `closed` agree although `closed` maps forward to `completed`.
 */
export const sidesAgree = (rule: FieldRule, crm: unknown, target: unknown): boolean =>
  sameValue(rule.forward(crm), target) || (rule.reverse !== undefined && sameValue(crmValueOf(rule, target), crm))

/** When each side last changed the record: the CRM's `lastUpdated`, the target's `updatedAt`. */
export interface RecordTimes {
  readonly crmLastUpdated: string | null
  readonly targetUpdatedAt: string | null
}

/** The side a policy gives a disputed field to, or the queue with a sentence saying why. */
export type PolicyVerdict =
  | { readonly _tag: "Wins"; readonly side: Side }
  | { readonly _tag: "Queue"; readonly why: string }

/** Applies the field's conflict policy; `newestWins` compares the two timestamps as instants. */
export const policyVerdict = (policy: ConflictPolicy, times: RecordTimes): PolicyVerdict => {
  switch (policy) {
    case "sourceWins":
      return { _tag: "Wins", side: "crm" }
    case "targetWins":
      return { _tag: "Wins", side: "target" }
    case "manual":
      return { _tag: "Queue", why: "the policy is manual" }
    case "newestWins": {
      const crm = times.crmLastUpdated === null ? Number.NaN : Date.parse(times.crmLastUpdated)
      const target = times.targetUpdatedAt === null ? Number.NaN : Date.parse(times.targetUpdatedAt)
      if (Number.isNaN(crm) || Number.isNaN(target)) {
        return {
          _tag: "Queue",
          why: `newestWins needs both timestamps (CRM lastUpdated ${times.crmLastUpdated}, target updatedAt ${times.targetUpdatedAt})`
        }
      }
      if (crm === target) {
        return { _tag: "Queue", why: `newestWins cannot choose: both sides changed at ${times.targetUpdatedAt}` }
      }
      return { _tag: "Wins", side: crm > target ? "crm" : "target" }
    }
  }
}
