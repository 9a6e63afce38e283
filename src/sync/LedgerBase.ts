import { Option } from "effect"
import type { CompiledField } from "../mapping/CompileField.js"
import type { Snapshot } from "../state/LedgerEntry.js"
import { sameValue } from "../plan/FieldValues.js"
import { type FieldSyncState, syncedAt, unsynced } from "./FieldState.js"
import type { FieldRule } from "./SyncPolicy.js"
import { rulesFor } from "./SyncRules.js"

/**
 * A CRM base that equals no value: the CRM changed since the migration, and the value it
 * held then is not known (the ledger keeps the values in target terms only).
 */
export const unknownCrmBase = { casesyncUnknownBase: true } as const

/**
 * The state of a field sync has never seen, from the ledger's snapshot of what migrate wrote
 * (the merge base the ledger keeps): the target's base is the snapshot's value; the CRM's is
 * its current value if that still maps to the snapshot, else the snapshot brought back through
 * the reverse, else unknown. So an edit made on either side between the migration and the
 * first cycle is a one-sided change, not a conflict without a base.
 */
export const baseFromLedger = (rule: FieldRule, snapshot: Snapshot | null, crmNow: unknown): FieldSyncState => {
  if (snapshot === null || !(rule.field in snapshot)) return unsynced
  const target = snapshot[rule.field] ?? null
  const crm = sameValue(rule.forward(crmNow), target)
    ? crmNow
    : rule.reverse !== undefined
    ? rule.reverse(target)
    : unknownCrmBase
  return syncedAt({ crm, target })
}

/** The states to decide a record with: those stored, and for every other field the ledger's base. */
export const statesWithLedgerBase = (
  rules: ReadonlyArray<FieldRule>,
  stored: Readonly<Record<string, FieldSyncState>>,
  snapshot: Snapshot | null,
  crmNow: (rule: FieldRule) => unknown
): Record<string, FieldSyncState> =>
  Object.fromEntries(rules.map((rule) => [rule.field, stored[rule.field] ?? baseFromLedger(rule, snapshot, crmNow(rule))]))


/**
 * The ledger's snapshot once a cycle has settled a record, so a later `plan` compares against
 * what sync last settled and not against what migrate wrote before it: each field whose state
 * now has a base and no queued conflict takes the base's target value (what both sides agree
 * on); a field in conflict keeps the snapshot's value, so the plan sees that conflict too.
 * Fields sync has no rule for keep theirs. Undefined when no value moves (nothing to write).
 */
export const snapshotAfterCycle = (
  rules: ReadonlyArray<FieldRule>,
  snapshot: Snapshot,
  states: Readonly<Record<string, FieldSyncState>>
): Snapshot | undefined => {
  const next: Record<string, unknown> = { ...snapshot }
  let moved = false
  for (const rule of rules) {
    const state = states[rule.field]
    if (state === undefined || Option.isSome(state.conflict) || Option.isNone(state.base)) continue
    const settled = state.base.value.target ?? null
    if (rule.field in snapshot && sameValue(snapshot[rule.field], settled)) continue
    next[rule.field] = settled
    moved = true
  }
  return moved ? next : undefined
}

/**
 * What the source maps to now if it still holds what sync wrote back for the ledger's base: each
 * two-way field's base value through its reverse and forward again (the rules sync writes with).
 * Through a many-to-one map that is not the base itself (a target's `canceled` goes back as
 * `closed`, which comes forward as `completed`): a plan or reconcile that finds the source mapping
 * to it knows the source has not moved since the base. Rules are made once per case type.
 */
export const sourceAtBase = (fields: ReadonlyArray<CompiledField>) => {
  const twoWayRules = new Map<string, ReadonlyArray<FieldRule>>()
  return (typeId: string, base: Snapshot): Record<string, unknown> | undefined => {
    let rules = twoWayRules.get(typeId)
    if (rules === undefined) twoWayRules.set(typeId, rules = rulesFor(fields, typeId).filter((rule) => rule.reverse !== undefined))
    let found: Record<string, unknown> | undefined
    for (const rule of rules) {
      if (rule.field in base) (found ??= {})[rule.field] = rule.forward(rule.reverse!(base[rule.field] ?? null))
    }
    return found
  }
}
