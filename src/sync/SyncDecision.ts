import { Option } from "effect"
import { readPath, updateBodyFor } from "../plan/FieldValues.js"
import type { FieldDecision, FieldSyncState, QueuedConflict, SideValues } from "./FieldState.js"
import { unsynced } from "./FieldState.js"
import { decideField, writeInTargetTerms } from "./FieldMerge.js"
import type { FieldRule, RecordTimes } from "./SyncPolicy.js"
import { recordWrite } from "./WarGuard.js"

/** A CRM case and a target case the ledger pairs, as read this cycle. */
export interface PairedRecord {
  /** The CRM case object (custom fields are top-level properties). */
  readonly crm: Readonly<Record<string, unknown>>
  /** The target case object as returned by the case API. */
  readonly target: Readonly<Record<string, unknown>>
  readonly times: RecordTimes
}

/** Everything one cycle decides one paired record from: plain data, no I/O. */
export interface RecordSyncInput {
  readonly cycle: number
  readonly rules: ReadonlyArray<FieldRule>
  /** Per owned field (by target path); a field missing here has never been synced. */
  readonly states: Readonly<Record<string, FieldSyncState>>
  readonly record: PairedRecord
}

/** The one update request a cycle sends to one side: its fields and the body that carries them. */
export interface SideWrite {
  /** Field paths in that side's terms (CRM properties, or dotted target paths) with the values sent. */
  readonly changes: ReadonlyArray<{ readonly field: string; readonly value: unknown }>
  readonly body: Record<string, unknown>
}

/** What one cycle does with one paired record: at most one write per side, and the queue. */
export interface RecordDecision {
  readonly fields: ReadonlyArray<FieldDecision>
  readonly target: Option.Option<SideWrite>
  readonly crm: Option.Option<SideWrite>
  /** Every field queued after this cycle: new, still open, or re-opened. */
  readonly conflicts: ReadonlyArray<QueuedConflict>
  /** The fields queued this cycle by the war guard, for the cycle report. */
  readonly wars: ReadonlyArray<string>
}

/** What the servers answered to this cycle's writes: the updated case objects. */
export interface Answered {
  readonly crm: Option.Option<Readonly<Record<string, unknown>>>
  readonly target: Option.Option<Readonly<Record<string, unknown>>>
}

/** Nothing was written, so nothing was answered. */
export const noAnswer: Answered = { crm: Option.none(), target: Option.none() }

/** One owned field's current value on each side of the record. */
export const observe = (rule: FieldRule, record: PairedRecord): SideValues => ({
  crm: Option.getOrNull(readPath(record.crm, rule.crmField)),
  target: Option.getOrNull(readPath(record.target, rule.field))
})

const stateOf = (input: RecordSyncInput, rule: FieldRule): FieldSyncState => input.states[rule.field] ?? unsynced

/**
 * Decides one paired record for one cycle: every owned field through decideField, then all
 * the writes gathered into one CRM update and one target update (nested target objects are
 * sent whole, as the planner does, so keys sync does not own keep their values).
 */
export const decideRecord = (input: RecordSyncInput): RecordDecision => {
  const context = { cycle: input.cycle, times: input.record.times }
  const fields = input.rules.map((rule) => decideField(rule, stateOf(input, rule), observe(rule, input.record), context))
  const targetChanges: Array<{ field: string; value: unknown }> = []
  const crmChanges: Array<{ field: string; value: unknown }> = []
  fields.forEach((decision, i) => {
    if (decision._tag !== "Write") return
    const rule = input.rules[i]!
    if (Option.isSome(decision.target)) targetChanges.push({ field: rule.field, value: decision.target.value })
    if (Option.isSome(decision.crm)) crmChanges.push({ field: rule.crmField, value: decision.crm.value })
  })
  const sideWrite = (raw: Readonly<Record<string, unknown>>, changes: Array<{ field: string; value: unknown }>) =>
    changes.length === 0
      ? Option.none()
      : Option.some({ changes, body: updateBodyFor(raw, changes.map(({ field, value }) => ({ field, after: value }))) })
  const conflicts = fields.flatMap((decision) => decision._tag === "Conflict" ? [decision.conflict] : [])
  return {
    fields,
    target: sideWrite(input.record.target, targetChanges),
    crm: sideWrite(input.record.crm, crmChanges),
    conflicts,
    wars: conflicts.filter((c) => c.reason === "war" && c.since === input.cycle).map((c) => c.field)
  }
}

/**
 * The per-field state to keep after the cycle's writes were confirmed. A written side's new
 * base is the value its server answered (trimmed, truncated, re-zoned), not the value sent,
 * so the next cycle sees no change; the other side's base is what it held. A write whose side
 * has no answer (not confirmed) leaves the field's state as it was: the next cycle finds the
 * sides agreeing, or decides again.
 */
export const nextStates = (
  input: RecordSyncInput,
  decision: RecordDecision,
  answered: Answered
): Record<string, FieldSyncState> =>
  Object.fromEntries(input.rules.map((rule, i) => {
    const state = stateOf(input, rule)
    const fieldDecision = decision.fields[i]!
    const now = observe(rule, input.record)
    switch (fieldDecision._tag) {
      case "Nothing":
        return [rule.field, state]
      case "Conflict":
        return [rule.field, { ...state, conflict: Option.some(fieldDecision.conflict) }]
      case "MoveBase":
        return [rule.field, { ...state, base: Option.some(now), conflict: Option.none() }]
      case "Write": {
        const target = answeredValue(fieldDecision.target, answered.target, rule.field, now.target)
        const crm = answeredValue(fieldDecision.crm, answered.crm, rule.crmField, now.crm)
        if (Option.isNone(target) || Option.isNone(crm)) return [rule.field, unconfirmed(state, target, crm)]
        return [rule.field, {
          base: Option.some({ crm: crm.value, target: target.value }),
          history: recordWrite(state.history, { cycle: input.cycle, ...writeInTargetTerms(rule, now, fieldDecision) }),
          conflict: Option.none()
        }]
      }
    }
  }))

/**
 * True when `nextStates` would hand back exactly the states already stored: every field
 * decided `Nothing`, and each had a stored state (none came from the ledger's first base).
 * A quiet cycle then has nothing to write to the state store either.
 */
export const keepsStoredStates = (
  rules: ReadonlyArray<FieldRule>,
  stored: Readonly<Record<string, FieldSyncState>>,
  decision: RecordDecision
): boolean => decision.fields.every((field) => field._tag === "Nothing") && rules.every((rule) => stored[rule.field] !== undefined)

// A write not confirmed leaves the state as it was. A resolution confirmed on one side only
// stays queued with that side's answer recorded, so sync's own write does not look like a new
// edit: the next cycle carries it out on the missing side (or closes it if that write landed).
const unconfirmed = (state: FieldSyncState, target: Option.Option<unknown>, crm: Option.Option<unknown>): FieldSyncState =>
  Option.match(state.conflict, {
    onNone: () => state,
    onSome: (conflict) => ({
      ...state,
      conflict: Option.some({
        ...conflict,
        crm: Option.getOrElse(crm, () => conflict.crm),
        target: Option.getOrElse(target, () => conflict.target)
      })
    })
  })

// A side not written keeps what it held; a written side takes its server's answer, if any.
const answeredValue = (
  sent: Option.Option<unknown>,
  answer: Option.Option<Readonly<Record<string, unknown>>>,
  path: string,
  held: unknown
): Option.Option<unknown> =>
  Option.isNone(sent) ? Option.some(held) : Option.map(answer, (record) => Option.getOrNull(readPath(record, path)))
