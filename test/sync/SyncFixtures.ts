import { Option } from "effect"
import type { FieldSyncState, SideValues } from "../../src/sync/FieldState.js"
import { decideRecord, nextStates, type Answered, type PairedRecord, type RecordSyncInput } from "../../src/sync/SyncDecision.js"
import type { FieldRule } from "../../src/sync/SyncPolicy.js"

/** Khoros open/closed against the five Peach statuses, as in mappings/khoros-to-peach.yaml. */
const statusForward: Record<string, string> = { open: "processing", closed: "completed" }
const statusReverse: Record<string, string> = {
  initiated: "open",
  processing: "open",
  reopened: "open",
  completed: "closed",
  canceled: "closed"
}

const lookup = (table: Record<string, string>) => (value: unknown): unknown =>
  typeof value === "string" && value in table ? table[value] : value

const identity = (value: unknown): unknown => value

/** `status`: both ways, a many-to-one reverse. */
export const status = (rule: Partial<FieldRule> = {}): FieldRule => ({
  field: "status",
  crmField: "status",
  direction: "both",
  forward: lookup(statusForward),
  reverse: lookup(statusReverse),
  ...rule
})

/** `customFields.crmPriority`: a plain copy both ways. */
export const priority = (rule: Partial<FieldRule> = {}): FieldRule => ({
  field: "customFields.crmPriority",
  crmField: "priority",
  direction: "both",
  forward: identity,
  reverse: identity,
  ...rule
})

/** `metaData.description`: the CRM's description both ways; the CRM holds a cleared one as `""`. */
export const description = (rule: Partial<FieldRule> = {}): FieldRule => ({
  field: "metaData.description",
  crmField: "description",
  direction: "both",
  forward: identity,
  reverse: identity,
  crmCleared: { _tag: "Empty", value: "" },
  ...rule
})

/** `customFields.crmEscalated`: a CRM checkbox both ways, which the CRM cannot clear. */
export const escalated = (rule: Partial<FieldRule> = {}): FieldRule => ({
  field: "customFields.crmEscalated",
  crmField: "escalated",
  direction: "both",
  forward: identity,
  reverse: identity,
  crmCleared: { _tag: "Unclearable", why: "escalated is a checkbox: the CRM holds true or false, and leaving it out does not clear it" },
  ...rule
})

/** `name`: CRM title into the target only (no way back). */
export const name = (rule: Partial<FieldRule> = {}): FieldRule => ({
  field: "name",
  crmField: "title",
  direction: "toTarget",
  forward: identity,
  ...rule
})

/** `owningEmployeeId`: the target owns it, the CRM's `owner` follows. */
export const owner = (rule: Partial<FieldRule> = {}): FieldRule => ({
  field: "owningEmployeeId",
  crmField: "owner",
  direction: "toSource",
  forward: identity,
  reverse: identity,
  ...rule
})

/** A field state with the given per-side base and nothing queued. */
export const based = (base: SideValues): FieldSyncState => ({ base: Option.some(base), history: [], conflict: Option.none() })

/** The two timestamps, the CRM's first. */
export const times = (crmLastUpdated: string | null = "2024-05-01T10:00:00Z", targetUpdatedAt: string | null = "2024-05-01T09:00:00Z") => ({
  crmLastUpdated,
  targetUpdatedAt
})

/** A paired record from the two case objects. */
export const paired = (
  crm: Record<string, unknown>,
  target: Record<string, unknown>,
  at = times()
): PairedRecord => ({ crm, target, times: at })

/** The input of one cycle. */
export const input = (
  rules: ReadonlyArray<FieldRule>,
  states: Record<string, FieldSyncState>,
  record: PairedRecord,
  cycle = 1
): RecordSyncInput => ({ cycle, rules, states, record })

/**
 * Runs one cycle against servers that answer with the body merged into the case (the CRM
 * as is, the target trimming every string), and returns the decision, the new states and
 * both sides after the writes.
 */
export const runCycle = (syncInput: RecordSyncInput) => {
  const decision = decideRecord(syncInput)
  const crm = Option.match(decision.crm, {
    onNone: () => syncInput.record.crm,
    onSome: (write) => ({ ...syncInput.record.crm, ...write.body })
  })
  const target = Option.match(decision.target, {
    onNone: () => syncInput.record.target,
    onSome: (write) => ({ ...syncInput.record.target, ...(trimmed(write.body) as Record<string, unknown>) })
  })
  const answered: Answered = {
    crm: Option.map(decision.crm, () => crm),
    target: Option.map(decision.target, () => target)
  }
  return { decision, states: nextStates(syncInput, decision, answered), crm, target }
}

const trimmed = (value: unknown): unknown => {
  if (typeof value === "string") return value.trim()
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, trimmed(v)]))
  }
  return value
}
