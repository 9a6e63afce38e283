import { Either, Option } from "effect"
import { parseTemplate } from "../mapping/Template.js"
import type { DesiredCase, TargetCase } from "../plan/Decide.js"
import { sameValue, updateBodyFor } from "../plan/FieldValues.js"
import type { OwnedValues, PlannedCreate, PlannedUpdate } from "../plan/Plan.js"
import type { LedgerEntry } from "../state/LedgerEntry.js"

/**
 * Which side changed a drifting field since the last sync, judged against the ledger's
 * snapshot: `source` (the mapping makes something new of the source), `target` (someone
 * edited the case), `both`, `neither` (the source holds what sync wrote back for the snapshot,
 * which a many-to-one map makes another value of), or `unknown` when the ledger holds no
 * synced value for it.
 */
export type MovedSide = "source" | "target" | "both" | "neither" | "unknown"

/** One owned field whose target value differs from what the mapping makes of the source now. */
export interface DriftField {
  readonly field: string
  readonly source: unknown
  readonly target: unknown
  /** The last synced value (null when the ledger has none). */
  readonly base: unknown
  readonly moved: MovedSide
}

/** How one mapped source record stands against the target. */
export type RecordFinding =
  | { readonly _tag: "InSync"; readonly target: TargetCase }
  | { readonly _tag: "Missing" }
  | { readonly _tag: "Drift"; readonly target: TargetCase; readonly fields: ReadonlyArray<DriftField> }
  /** The externalId is on a case of another borrower: no field comparison means anything then. */
  | { readonly _tag: "OtherBorrower"; readonly target: TargetCase }

const movedSide = (
  base: Option.Option<OwnedValues>,
  unmoved: OwnedValues | undefined,
  field: string,
  source: unknown,
  target: unknown
): MovedSide => {
  if (Option.isNone(base) || !(field in base.value)) return "unknown"
  const sourceAtBase = unmoved !== undefined && field in unmoved ? unmoved[field] : base.value[field]
  const sourceMoved = !sameValue(sourceAtBase, source)
  const targetMoved = !sameValue(base.value[field], target)
  return sourceMoved && targetMoved ? "both" : sourceMoved ? "source" : targetMoved ? "target" : "neither"
}

/**
 * The target case a record is compared with when its externalId is on several: the one the
 * ledger says it wrote, else the first listed (the duplicate itself is reported apart).
 */
export const caseFor = (targets: ReadonlyArray<TargetCase>, entry: LedgerEntry | undefined): TargetCase | undefined =>
  targets.find((t) => entry?.caseId !== undefined && entry.caseId !== null && t.caseId === entry.caseId) ?? targets[0]

/**
 * Compares one mapped source record with the target's case(s) of its externalId, field by
 * field over the owned values (as `decide` does), naming for each drifting field the side
 * that moved since the ledger's last synced snapshot (`unmoved`: what the source maps to while
 * it holds what sync wrote back for it, per two-way field, as `decide` takes it).
 */
export const compareRecord = (
  desired: DesiredCase,
  targets: ReadonlyArray<TargetCase>,
  entry: LedgerEntry | undefined,
  unmoved?: OwnedValues | undefined
): RecordFinding => {
  const target = caseFor(targets, entry)
  if (target === undefined) return { _tag: "Missing" }
  if (!target.personIds.includes(desired.personId)) return { _tag: "OtherBorrower", target }
  const base = Option.fromNullable(entry?.snapshot)
  const fields: Array<DriftField> = []
  for (const [field, wanted] of Object.entries(desired.values)) {
    const found = target.values[field] ?? null
    if (sameValue(found, wanted)) continue
    const baseValue = Option.isSome(base) ? base.value[field] ?? null : null
    fields.push({ field, source: wanted ?? null, target: found, base: baseValue, moved: movedSide(base, unmoved, field, wanted, found) })
  }
  return fields.length === 0 ? { _tag: "InSync", target } : { _tag: "Drift", target, fields }
}

/** A ledger row the target contradicts, and what it means. */
export interface LedgerProblem {
  readonly reason: "ConfirmedAbsent" | "ConfirmedOtherCase" | "SentUnresolved"
  readonly detail: string
}

/**
 * Whether a ledger row disagrees with the target: confirmed but the case is gone (or the
 * externalId is now on another case), or sent and never resolved (the write may have landed;
 * the next apply checks the target before it writes again).
 */
export const ledgerProblem = (entry: LedgerEntry, targets: ReadonlyArray<TargetCase>): Option.Option<LedgerProblem> => {
  if (entry.writeState === "sent") {
    const landed = targets[0]
    return Option.some({
      reason: "SentUnresolved",
      detail: landed === undefined
        ? "a write was sent and never answered; the target has no case with this externalId"
        : `a write was sent and never answered; the target has it as case ${landed.caseId}`
    })
  }
  if (entry.writeState !== "confirmed") return Option.none()
  if (targets.length === 0) {
    return Option.some({
      reason: "ConfirmedAbsent",
      detail: `confirmed as case ${entry.caseId ?? "(unknown)"}, but the target has no case with this externalId`
    })
  }
  if (entry.caseId !== null && !targets.some((t) => t.caseId === entry.caseId)) {
    return Option.some({
      reason: "ConfirmedOtherCase",
      detail: `confirmed as case ${entry.caseId}, but the target has this externalId on case ${targets.map((t) => t.caseId).join(", ")}`
    })
  }
  return Option.none()
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

/**
 * The externalIds a mapping's template can produce (`legacy-{case_id}` → `^legacy-.+$`), to
 * find the target's cases of this job that no source record backs. A template without fixed
 * text (`{id}`) would claim every case of the company, so it gives none: orphans are then
 * not looked for.
 */
export const externalIdPattern = (template: string): Option.Option<RegExp> =>
  Either.match(parseTemplate(template), {
    onLeft: () => Option.none(),
    onRight: (parsed) =>
      parsed.parts.some((part) => part._tag === "Text")
        ? Option.some(new RegExp(`^${parsed.parts.map((part) => (part._tag === "Text" ? escapeRegExp(part.text) : ".+")).join("")}$`, "s"))
        : Option.none()
  })

/**
 * Whether reconcile may repair a drifting field by writing the source's value: every field
 * the source alone feeds (`toTarget`), whoever moved; a two-way field only when the source
 * moved (or no sync is recorded), since a target edit of it belongs to sync.
 */
export const sourceOwns = (field: DriftField, twoWayFields: ReadonlySet<string>): boolean =>
  !twoWayFields.has(field.field) || field.moved === "source" || field.moved === "unknown"

/**
 * The repair of one finding, as the plan item `apply` executes: a create for a missing
 * record, an update of the drifting fields when the source owns them all. A case with a
 * drift the source does not own is left whole (a partial update would record a synced
 * snapshot for the field left out, hiding the target's change).
 */
export const fixFor = (
  desired: DesiredCase,
  finding: RecordFinding,
  twoWayFields: ReadonlySet<string>
): Option.Option<PlannedCreate | PlannedUpdate> => {
  const identity = {
    sourceKey: desired.sourceKey,
    externalId: desired.externalId,
    location: desired.location,
    personId: desired.personId
  }
  switch (finding._tag) {
    case "Missing":
      return Option.some({ _tag: "create", ...identity, body: desired.body, values: desired.values })
    case "Drift": {
      if (!finding.fields.every((field) => sourceOwns(field, twoWayFields))) return Option.none()
      const changes = finding.fields.map((field) => ({ field: field.field, before: field.target, after: field.source }))
      return Option.some({
        _tag: "update",
        ...identity,
        caseId: finding.target.caseId,
        targetUpdatedAt: finding.target.updatedAt,
        changes,
        body: updateBodyFor(finding.target.raw, changes),
        values: desired.values
      })
    }
    default:
      return Option.none()
  }
}
