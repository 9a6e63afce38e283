import { Either } from "effect"
import type { CaseType } from "../domain/peach/index.js"
import { type CompileContext, readAt, runnerOf, type SyncStepRunner, useSourceField, wrapAs } from "./CompileContext.js"
import type { BorrowerSpec, CaseTypeSpec, MapSpec } from "./MappingSpec.js"
import type { Located } from "./PositionedYaml.js"
import { templateFields, type Template } from "./Template.js"
import { composeSteps, constant, lookedUp, mapped, required, type Step, templated, trimmed } from "./Transformations.js"

/**
 * The identity of a mapped case: its externalId and source key, its borrower and its
 * case type. Each is a step over the whole record with the source field a rejection
 * should name when it fails.
 */
export interface IdentityPart {
  readonly schema: Step
  readonly run: SyncStepRunner
  /** The source field(s) it reads, as rejections name them. */
  readonly label: string
}

/** The case types a mapping can produce, and how a record picks one. */
export interface CaseTypeChoice extends IdentityPart {
  readonly types: ReadonlyArray<CaseType>
}

/** `externalId:` / `key:` — a template over the record. */
export const compileTemplate = (context: CompileContext, template: Located<Template>, what: string): IdentityPart => {
  const fields = templateFields(template.value)
  for (const field of fields) useSourceField(context, { value: field, pos: template.pos })
  return part(templated(template.value), fields.join(", ") || what)
}

/** `borrower:` — a template giving the borrower's externalId or id, or a lookup table. */
export const compileBorrower = (context: CompileContext, spec: BorrowerSpec): IdentityPart | undefined => {
  if (spec._tag === "Template") {
    const template = compileTemplate(context, spec.template, "borrower")
    return part(composeSteps([template.schema, wrapAs(spec.as)]), template.label)
  }
  useSourceField(context, spec.from)
  const table = context.lookups.get(spec.lookup)
  if (table === undefined) return undefined
  const label = spec.from.value
  return part(composeSteps([readAt(label), trimmed, required(label), lookedUp(table), required(label), wrapAs(spec.as)]), label)
}

/** `caseType:` — one active case type, or one per record through a value map checked here against the target. */
export const compileCaseType = (context: CompileContext, spec: CaseTypeSpec): CaseTypeChoice | undefined => {
  if (spec._tag !== "FromMap") {
    const [reference, found] = spec._tag === "Name"
      ? [spec.name, context.caseTypes.byNameOrId(spec.name.value)]
      : spec._tag === "Id"
      ? [spec.id, context.caseTypes.byNameOrId(spec.id.value)]
      : [spec.base, context.caseTypes.byBase(spec.base.value)]
    if (Either.isLeft(found)) {
      context.log.add(reference.pos, found.left)
      return undefined
    }
    return { ...part(constant(found.right.id), "caseType"), types: [found.right] }
  }
  useSourceField(context, spec.from)
  const types = new Map<string, CaseType>()
  const entries: Array<MapSpec["entries"][number]> = []
  for (const entry of spec.map.entries) {
    const found = context.caseTypes.byNameOrId(String(entry.to.value))
    if (Either.isLeft(found)) {
      context.log.add(entry.to.pos, `caseType.map '${entry.from}': ${found.left}`)
      continue
    }
    types.set(found.right.id, found.right)
    entries.push({ from: entry.from, to: { value: found.right.id, pos: entry.to.pos } })
  }
  if (types.size === 0) return undefined
  const label = spec.from.value
  return {
    ...part(composeSteps([readAt(label), trimmed, required(label), mapped({ entries, pos: spec.map.pos }, undefined)]), label),
    types: [...types.values()]
  }
}

/** Identity parts never evaluate JSONata, so they always run synchronously. */
const part = (schema: Step, label: string): IdentityPart => ({ schema, run: runnerOf(schema, true), label })
