import { Option } from "effect"
import { sameValue } from "../plan/FieldValues.js"
import type { FieldDecision, QueuedConflict, SideValues, Take } from "./FieldState.js"
import { describeValue } from "./FieldState.js"
import { crmCannotHold, crmValueOf, type FieldRule, sidesAgree } from "./SyncPolicy.js"

/**
 * Records a person's choice for a queued conflict; the next cycle carries it out (see
 * decideQueued). Resolving again replaces the earlier choice.
 */
export const resolveConflict = (conflict: QueuedConflict, take: Take): QueuedConflict => ({
  ...conflict,
  resolution: Option.some(take)
})

/**
 * Decides a field that is in the conflict queue. Sides that agree again close it by
 * themselves; a side edited since the conflict was last looked at re-opens it with the new
 * values (a resolution made before that edit is dropped, never applied over it); otherwise a
 * resolution is carried out, and an unresolved conflict stays queued.
 */
export const decideQueued = (
  rule: FieldRule,
  conflict: QueuedConflict,
  now: SideValues,
  cycle: number
): FieldDecision => {
  const field = rule.field
  if (sidesAgree(rule, now.crm, now.target)) return { _tag: "MoveBase", field, cause: "sidesAgree", policy: Option.none() }
  const crmEdited = !sameValue(now.crm, conflict.crm)
  const targetEdited = !sameValue(now.target, conflict.target)
  if (crmEdited || targetEdited) {
    const edits = [
      crmEdited ? `the CRM to ${describeValue(now.crm)}` : undefined,
      targetEdited ? `the target to ${describeValue(now.target)}` : undefined
    ].filter((edit) => edit !== undefined).join(" and ")
    return {
      _tag: "Conflict",
      field,
      reopened: Option.isSome(conflict.resolution),
      conflict: {
        ...conflict,
        crm: now.crm,
        target: now.target,
        resolution: Option.none(),
        detail: `${field} was edited again in cycle ${cycle} (${edits}) while queued: ${conflict.detail}`
      }
    }
  }
  if (Option.isNone(conflict.resolution)) return { _tag: "Conflict", field, reopened: false, conflict }
  return carryOut(rule, conflict.resolution.value, now)
}

// A person's choice overrides the field's direction: each side that does not hold the chosen
// value gets it, the CRM only through the reverse (without one, or for a clear the CRM cannot
// hold, the CRM keeps its value).
const carryOut = (rule: FieldRule, take: Take, now: SideValues): FieldDecision => {
  const chosen = take._tag === "crm" ? rule.forward(now.crm) : take._tag === "target" ? now.target : take.value
  const target = sameValue(now.target, chosen) ? Option.none() : Option.some(chosen)
  const crm = take._tag === "crm" || rule.reverse === undefined || crmCannotHold(rule, chosen)
    ? Option.none()
    : Option.some(crmValueOf(rule, chosen)).pipe(Option.filter((value) => !sameValue(now.crm, value)))
  if (Option.isNone(target) && Option.isNone(crm)) {
    return { _tag: "MoveBase", field: rule.field, cause: "resolution", policy: Option.none() }
  }
  return { _tag: "Write", field: rule.field, target, crm, cause: "resolution", policy: Option.none() }
}
