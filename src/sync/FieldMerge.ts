import { Option } from "effect"
import { sameValue } from "../plan/FieldValues.js"
import { decideQueued } from "./ConflictQueue.js"
import type { ConflictReason, FieldDecision, FieldSyncState, SideValues } from "./FieldState.js"
import { describeValue } from "./FieldState.js"
import {
  carriesToCrm,
  carriesToTarget,
  crmCannotHold,
  crmValueOf,
  defaultPolicy,
  type FieldRule,
  policyVerdict,
  type RecordTimes,
  sidesAgree
} from "./SyncPolicy.js"
import { isWar } from "./WarGuard.js"

/** The cycle being decided: its number (for the war guard) and the record's two timestamps. */
export interface CycleContext {
  readonly cycle: number
  readonly times: RecordTimes
}

/**
 * Decides one owned field of one paired record for one cycle. A side changed when it differs
 * from its own base; a change the direction carries is written to the other side, one it does
 * not carry is drift; both changed, the policy chooses; sides that agree only move the base.
 * A queued conflict is handled by ConflictQueue, and a write that would continue a war is
 * queued instead.
 */
export const decideField = (
  rule: FieldRule,
  state: FieldSyncState,
  now: SideValues,
  context: CycleContext
): FieldDecision => {
  if (Option.isSome(state.conflict)) return decideQueued(rule, state.conflict.value, now, context.cycle)
  const decision = merge(rule, state.base, now, context)
  return decision._tag === "Write" ? guardWar(rule, state, now, context.cycle, decision) : decision
}

/** The value a write moves the field away from and the value it sends, both in target terms (see WarGuard). */
export const writeInTargetTerms = (
  rule: FieldRule,
  now: SideValues,
  decision: Extract<FieldDecision, { _tag: "Write" }>
): { readonly previous: unknown; readonly value: unknown } =>
  Option.isSome(decision.target)
    ? { previous: now.target, value: decision.target.value }
    : { previous: rule.forward(now.crm), value: now.target }

// == the three-way merge

const merge = (
  rule: FieldRule,
  base: Option.Option<SideValues>,
  now: SideValues,
  context: CycleContext
): FieldDecision => {
  const field = rule.field
  const crmChanged = Option.isNone(base) || !sameValue(now.crm, base.value.crm)
  const targetChanged = Option.isNone(base) || !sameValue(now.target, base.value.target)
  if (!crmChanged && !targetChanged) return { _tag: "Nothing", field }
  if (sidesAgree(rule, now.crm, now.target)) {
    return { _tag: "MoveBase", field, cause: "sidesAgree", policy: Option.none() }
  }
  if (!targetChanged) {
    return carriesToTarget(rule)
      ? writeTarget(rule, now, "crmChanged")
      : byPolicy(rule, base, now, context, "drift")
  }
  if (!crmChanged) {
    // A clear the CRM cannot hold is not carried either: the policy decides it, like drift.
    return !carriesToCrm(rule)
      ? byPolicy(rule, base, now, context, "drift")
      : crmCannotHold(rule, now.target)
      ? byPolicy(rule, base, now, context, "cannotClear")
      : writeCrm(rule, now, "targetChanged")
  }
  return byPolicy(rule, base, now, context, Option.isNone(base) ? "noBase" : "bothChanged")
}

const byPolicy = (
  rule: FieldRule,
  base: Option.Option<SideValues>,
  now: SideValues,
  context: CycleContext,
  reason: Exclude<ConflictReason, "war">
): FieldDecision => {
  const policy = rule.policy ?? defaultPolicy
  const verdict = policyVerdict(policy, context.times)
  if (verdict._tag === "Queue") {
    return queue(rule, base, now, context.cycle, reason, `${whatHappened(rule, base, now, reason)}; ${verdict.why}`)
  }
  const cause = reason === "drift" || reason === "cannotClear" ? "driftPolicy" : "conflictPolicy"
  // The winner's value goes to the other side only where the field may be written; else
  // the winner's edit is kept where it is and the base accepts both sides as they stand.
  if (verdict.side === "crm" && carriesToTarget(rule)) return { ...writeTarget(rule, now, cause), policy: Option.some(policy) }
  if (verdict.side === "target" && carriesToCrm(rule) && !crmCannotHold(rule, now.target)) return { ...writeCrm(rule, now, cause), policy: Option.some(policy) }
  return { _tag: "MoveBase", field: rule.field, cause, policy: Option.some(policy) }
}

const writeTarget = (rule: FieldRule, now: SideValues, cause: "crmChanged" | "conflictPolicy" | "driftPolicy") => ({
  _tag: "Write" as const,
  field: rule.field,
  target: Option.some(rule.forward(now.crm)),
  crm: Option.none(),
  cause,
  policy: Option.none()
})

const writeCrm = (rule: FieldRule, now: SideValues, cause: "targetChanged" | "conflictPolicy" | "driftPolicy") => ({
  _tag: "Write" as const,
  field: rule.field,
  target: Option.none(),
  crm: Option.some(crmValueOf(rule, now.target)),
  cause,
  policy: Option.none()
})

const guardWar = (
  rule: FieldRule,
  state: FieldSyncState,
  now: SideValues,
  cycle: number,
  decision: Extract<FieldDecision, { _tag: "Write" }>
): FieldDecision => {
  const { previous, value } = writeInTargetTerms(rule, now, decision)
  if (!isWar(state.history, cycle, previous, value)) return decision
  const last = state.history[state.history.length - 1]!
  return queue(
    rule,
    state.base,
    now,
    cycle,
    "war",
    `${rule.field} went ${describeValue(last.previous)} → ${describeValue(last.value)} in cycle ${last.cycle} and would go ` +
      `${describeValue(previous)} → ${describeValue(value)} now: the sides keep undoing each other, so it is not written again`
  )
}

const queue = (
  rule: FieldRule,
  base: Option.Option<SideValues>,
  now: SideValues,
  cycle: number,
  reason: ConflictReason,
  detail: string
): FieldDecision => ({
  _tag: "Conflict",
  field: rule.field,
  reopened: false,
  conflict: { field: rule.field, reason, detail, crm: now.crm, target: now.target, base, since: cycle, resolution: Option.none() }
})

const whatHappened = (
  rule: FieldRule,
  base: Option.Option<SideValues>,
  now: SideValues,
  reason: Exclude<ConflictReason, "war">
): string => {
  if (Option.isNone(base)) {
    return `${rule.field} has no base yet and the sides disagree (CRM ${describeValue(now.crm)}, target ${describeValue(now.target)})`
  }
  const crm = `the CRM changed ${rule.field} from ${describeValue(base.value.crm)} to ${describeValue(now.crm)}`
  const target = `the target changed ${rule.field} from ${describeValue(base.value.target)} to ${describeValue(now.target)}`
  if (reason === "bothChanged") return `${crm} and ${target}`
  if (reason === "cannotClear") {
    return `${target}, but the CRM cannot clear ${rule.crmField} (${rule.crmCleared?._tag === "Unclearable" ? rule.crmCleared.why : "it has no empty value"}); ` +
      `\`casesync conflicts resolve <id> --take crm\` puts the CRM's value back, \`--take target\` keeps the clear on the target only`
  }
  const crmSide = !sameValue(now.crm, base.value.crm)
  return `${crmSide ? crm : target}, but ${rule.field} syncs ${rule.direction} (drift)`
}
