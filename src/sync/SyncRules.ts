import { Either } from "effect"
import type { CompiledField } from "../mapping/CompileField.js"
import type { KhorosObjectMeta } from "../sources/khoros/KhorosMeta.js"
import type { ConflictPolicy, CrmCleared, FieldRule, SyncDirection } from "./SyncPolicy.js"

/**
 * CRM fields the CRM itself keeps: sync never carries them. Following `lastUpdated` would
 * turn every CRM write into a target write of the new timestamp (an echo by bookkeeping).
 */
export const serverKeptCrmFields: ReadonlyArray<string> = ["id", "number", "url", "created", "lastUpdated"]

/** What the run config says about one field's sync (by target path): its direction and policy. */
export interface FieldSyncConfig {
  readonly direction?: SyncDirection | undefined
  readonly policy?: ConflictPolicy | undefined
}

/**
 * The sync rules of one case type: every mapped field read from one CRM field (`from:`),
 * except the CRM's own bookkeeping fields. Forward is the mapping's transformation; reverse
 * is its inverse, and only for a field whose direction carries target changes back; what a
 * value cleared on the target becomes in the CRM comes from `crmClearing`.
 */
export const rulesFor = (
  fields: ReadonlyArray<CompiledField>,
  typeId: string,
  overrides: Readonly<Record<string, FieldSyncConfig>> = {},
  defaultPolicy?: ConflictPolicy | undefined,
  caseMeta?: KhorosObjectMeta | undefined
): ReadonlyArray<FieldRule> =>
  fields.flatMap((field): Array<FieldRule> => {
    const runner = field.runners.get(typeId)
    const crmField = field.sourcePath
    if (runner === undefined || crmField === undefined || serverKeptCrmFields.includes(crmField)) return []
    const override = overrides[field.target] ?? {}
    const direction = override.direction ?? field.direction
    // A transformation that needs the runtime (compute:) reads the whole record, so it has no sourcePath here.
    const forward = (crm: unknown): unknown => {
      const decoded = runner.decode(crm === null ? undefined : crm)
      return Either.isEither(decoded) ? Either.getOrElse(decoded, () => crm) ?? null : crm
    }
    const reverse = direction === "toTarget"
      ? undefined
      : (target: unknown): unknown => Either.getOrElse(runner.encode(target === null ? undefined : target), () => target) ?? null
    const crmCleared = crmClearing(crmField, caseMeta)
    return [{ field: field.target, crmField, direction, policy: override.policy ?? defaultPolicy, forward, reverse, crmCleared }]
  })

/**
 * How the CRM holds a value cleared on the target, for one of its case fields. It accepts no
 * null, and leaving a field out of an update keeps it (seed 003 and its updateCase): the
 * description (a required string) and text properties take `""`; a checkbox holds true or
 * false, a list one of its values, the status open or closed, so none of them can be cleared.
 * A property `caseMeta` does not describe (or without it) is unknown: undefined.
 */
export const crmClearing = (crmField: string, caseMeta?: KhorosObjectMeta | undefined): CrmCleared | undefined => {
  switch (crmField) {
    case "description":
      return { _tag: "Empty", value: "" }
    case "title":
      return { _tag: "Unclearable", why: "the CRM requires a title" }
    case "status":
      return { _tag: "Unclearable", why: "a CRM case is open or closed" }
    case "customerId":
      return { _tag: "Unclearable", why: "a CRM case belongs to a customer" }
  }
  const property = caseMeta?.fields.find((field) => field.name === crmField)
  switch (property?.type) {
    case undefined:
      return undefined
    case "text":
    case "textarea":
      return { _tag: "Empty", value: "" }
    case "checkbox":
      return { _tag: "Unclearable", why: `${crmField} is a checkbox: the CRM holds true or false, and leaving it out does not clear it` }
    case "single_sel_list":
      return {
        _tag: "Unclearable",
        why: `${crmField} is a list: the CRM holds one of ${(property.listValues ?? []).map((v) => v.value).join(", ")}, and leaving it out does not clear it`
      }
  }
}

/**
 * What is wrong with the config's per-field sync settings: a field the mapping does not map
 * from a CRM field, or a direction that writes back a field the mapping does not (its way back
 * is checked only where the mapping declares it). Empty when they are fine.
 */
export const overrideProblems = (
  fields: ReadonlyArray<CompiledField>,
  overrides: Readonly<Record<string, FieldSyncConfig>>
): ReadonlyArray<string> =>
  Object.entries(overrides).flatMap(([target, override]) => {
    const field = fields.find((f) => f.target === target)
    if (field === undefined || field.sourcePath === undefined || serverKeptCrmFields.includes(field.sourcePath)) {
      return [`sync.fields.${target}: the mapping does not copy it from a CRM field, so sync does not carry it`]
    }
    if (override.direction !== undefined && override.direction !== "toTarget" && field.direction === "toTarget") {
      return [
        `sync.fields.${target}.direction: ${override.direction} writes it back to the CRM, but the mapping has it toTarget; ` +
        `declare direction: ${override.direction} in the mapping, where its way back is checked`
      ]
    }
    return []
  })
