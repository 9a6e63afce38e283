import { Either } from "effect"
import type { CaseType } from "../domain/peach/index.js"
import { describeType } from "./ActiveCaseTypes.js"
import { type CompileContext, runnerOf, type StepRunner, useSourceField } from "./CompileContext.js"
import { compileExpression, type ComputeExpression } from "./Compute.js"
import { type DatetimeCodec, makeDatetimeCodec } from "./Datetime.js"
import type { LookupTable } from "./Lookup.js"
import type { Direction, FieldSpec } from "./MappingSpec.js"
import type { Pos } from "./PositionedYaml.js"
import { checkValue, describeKind, resolveTarget, type TargetField } from "./TargetFields.js"
import { templateFields } from "./Template.js"
import {
  checkedAgainst,
  coerced,
  composeSteps,
  computed,
  constant,
  copied,
  dated,
  defaulted,
  lookedUp,
  mapped,
  required,
  type Step,
  templated,
  trimmed,
  truncated
} from "./Transformations.js"
import { checkTwoWay } from "./TwoWayCheck.js"

/** One compiled entry of `fields:`: its target, where it reads, and one schema per case type it applies to. */
export interface CompiledField {
  readonly target: string
  /** The `from:` path; `undefined` for const, template and compute fields (they read the whole record). */
  readonly sourcePath: string | undefined
  /** What a rejection names as the failing field: the source path, else the target. */
  readonly label: string
  readonly direction: Direction
  /** Source value (or whole record) -> target value, keyed by case type id. */
  readonly schemas: ReadonlyMap<string, Step>
  /** The same, prepared for running. */
  readonly runners: ReadonlyMap<string, StepRunner>
}

/** Kinds a value can have at load time; `unknown` when only the record will tell. */
type Kind = "unknown" | "null" | "string" | "number" | "integer" | "boolean" | "date" | "dateTime" | "json"

/**
 * Checks one field against the case types it applies to and compiles it. Problems are
 * logged with positions; `undefined` when the field cannot be compiled.
 */
export const compileField = (
  context: CompileContext,
  spec: FieldSpec,
  possibleTypes: ReadonlyArray<CaseType>
): CompiledField | undefined => {
  const log = context.log
  const at = (pos: Pos, message: string) => log.add(pos, message)
  const target = spec.target.value
  const before = log.issues.length

  // Which case types the field applies to, and what the target field is in each.
  const types = applicableTypes(context, spec, possibleTypes)
  const targets = new Map<string, TargetField>()
  const misses: Array<[CaseType, string]> = []
  for (const caseType of types) {
    const resolved = resolveTarget(target, caseType)
    if (Either.isRight(resolved)) targets.set(caseType.id, resolved.right)
    else misses.push([caseType, resolved.left])
  }
  if (types.length > 0 && targets.size === 0) at(spec.target.pos, `unknown target field: ${misses[0]![1]}`)
  else if (misses.length > 0) {
    const have = types.filter((caseType) => targets.has(caseType.id)).map((caseType) => caseType.name)
    at(
      spec.target.pos,
      `${target} is not a field of case type ${misses.map(([caseType]) => describeType(caseType)).join(", ")}; ` +
        `limit it with onlyFor: [${have.join(", ")}]`
    )
  }

  // The source, and the source fields it reads.
  let expression: ComputeExpression | undefined
  const source = spec.source
  if (source._tag === "From") useSourceField(context, source.path)
  if (source._tag === "Template") {
    for (const field of templateFields(source.template.value)) useSourceField(context, { value: field, pos: source.template.pos })
  }
  if (source._tag === "Compute") {
    const compiled = compileExpression(source.expression.value)
    if (Either.isLeft(compiled)) {
      const where = compiled.left.character === undefined ? "" : ` (at character ${compiled.left.character})`
      at(source.expression.pos, `invalid JSONata expression${where}: ${compiled.left.message}`)
    } else {
      expression = compiled.right
      for (const field of expression.fields) useSourceField(context, { value: field, pos: source.expression.pos }, "source field in compute")
    }
  }

  const table: LookupTable | undefined = spec.lookup && context.lookups.get(spec.lookup)
  let codec: DatetimeCodec | undefined
  if (spec.datetime !== undefined) {
    const made = makeDatetimeCodec({ timezone: spec.datetime.timezone?.value, format: spec.datetime.format?.value })
    if (Either.isLeft(made)) {
      const pos = made.left.startsWith("unknown time zone") ? spec.datetime.timezone?.pos : spec.datetime.format?.pos
      at(pos ?? spec.datetime.pos, made.left)
    } else codec = made.right
  }

  checkKinds(context, spec, [...targets.values()])
  if (spec.direction.value !== "toTarget") checkTwoWay(context, spec, [...targets.values()], table)
  if (log.issues.length > before || (spec.lookup !== undefined && table === undefined)) return undefined

  const label = source._tag === "From" ? source.path.value : target
  const head: Array<Step> = [
    source._tag === "From"
      ? copied
      : source._tag === "Const"
      ? constant(source.value.value)
      : source._tag === "Template"
      ? templated(source.template.value)
      : computed(expression!)
  ]
  if (spec.trim) head.push(trimmed)
  if (spec.map !== undefined) head.push(mapped(spec.map, spec.reverse))
  if (table !== undefined) head.push(lookedUp(table))
  if (spec.type !== undefined) head.push(coerced(spec.type.value))
  if (codec !== undefined) head.push(dated(codec))
  if (spec.truncate !== undefined) head.push(truncated(spec.truncate.max, spec.truncate.marker))
  if (spec.default !== undefined) head.push(defaulted(spec.default.value))
  if (spec.required?.value === true) head.push(required(label))
  const schemas = new Map<string, Step>()
  const runners = new Map<string, StepRunner>()
  for (const [typeId, field] of targets) {
    const schema = composeSteps([...head, checkedAgainst(field)])
    schemas.set(typeId, schema)
    runners.set(typeId, runnerOf(schema, source._tag !== "Compute"))
  }
  return {
    target,
    sourcePath: source._tag === "From" ? source.path.value : undefined,
    label,
    direction: spec.direction.value,
    schemas,
    runners
  }
}

/** The case types a field applies to: all the mapping can produce, or those named in `onlyFor:`. */
const applicableTypes = (context: CompileContext, spec: FieldSpec, possible: ReadonlyArray<CaseType>): ReadonlyArray<CaseType> => {
  if (spec.onlyFor === undefined) return possible
  const chosen: Array<CaseType> = []
  for (const name of spec.onlyFor) {
    const found = possible.find((caseType) => caseType.name === name.value || caseType.id === name.value)
    if (found !== undefined) chosen.push(found)
    else {
      context.log.add(
        name.pos,
        `onlyFor names '${name.value}', which this mapping's caseType never produces (it produces ${possible.map(describeType).join(", ")})`
      )
    }
  }
  return chosen
}

// == load-time type checks

const kindOfValue = (value: unknown): Kind =>
  value === null || value === undefined
    ? "null"
    : typeof value === "string"
    ? "string"
    : typeof value === "number"
    ? Number.isInteger(value) ? "integer" : "number"
    : typeof value === "boolean"
    ? "boolean"
    : "json"

const fits = (kind: Kind, field: TargetField): boolean => {
  const target = field.kind._tag
  if (kind === "unknown" || kind === "null" || target === "json") return true
  switch (target) {
    case "string":
    case "enum":
      return kind === "string"
    case "number":
      return kind === "number" || kind === "integer"
    default:
      return kind === target
  }
}

const kindWords: Record<Kind, string> = {
  unknown: "any value",
  null: "nothing",
  string: "a text",
  number: "a number",
  integer: "a whole number",
  boolean: "a boolean",
  date: "a date",
  dateTime: "a date-time",
  json: "an object"
}

/**
 * Checks, before any record is read, that what the field produces can go into its target:
 * the kind of the last step that makes the value (a datetime into a boolean is refused),
 * every `map:` value, `const:` and `default:` against the target's type, enum values and
 * length, and `truncate:` against the target's maximum length.
 */
const checkKinds = (context: CompileContext, spec: FieldSpec, targets: ReadonlyArray<TargetField>): void => {
  const at = (pos: Pos, message: string) => context.log.add(pos, message)
  const producers: Array<{ kind: Kind; what: string; pos: Pos; values?: ReadonlyArray<{ value: unknown; pos: Pos; what: string }> }> = []
  const source = spec.source
  if (source._tag === "Const") {
    producers.push({ kind: kindOfValue(source.value.value), what: "const:", pos: source.value.pos, values: [{ value: source.value.value, pos: source.value.pos, what: "const:" }] })
  } else if (source._tag === "Template") producers.push({ kind: "string", what: "template:", pos: source.template.pos })
  else producers.push({ kind: "unknown", what: source._tag === "From" ? "from:" : "compute:", pos: spec.pos })
  if (spec.map !== undefined) {
    const kinds = new Set(spec.map.entries.map((entry) => kindOfValue(entry.to.value)))
    producers.push({
      kind: kinds.size === 1 ? [...kinds][0]! : "unknown",
      what: "map:",
      pos: spec.map.pos,
      values: spec.map.entries.map((entry) => ({ value: entry.to.value, pos: entry.to.pos, what: `map value for '${entry.from}'` }))
    })
  }
  if (spec.lookup !== undefined) producers.push({ kind: "string", what: "lookup:", pos: spec.lookup.pos })
  if (spec.type !== undefined) producers.push({ kind: spec.type.value, what: `type: ${spec.type.value}`, pos: spec.type.pos })
  if (spec.datetime !== undefined) producers.push({ kind: "dateTime", what: "datetime:", pos: spec.datetime.pos })
  const last = producers[producers.length - 1]!
  const textOnly = (what: string, pos: Pos, steps: ReadonlyArray<typeof last>) => {
    const before = steps[steps.length - 1]!
    if (before.kind !== "unknown" && before.kind !== "string" && before.kind !== "null") {
      at(pos, `${what} works on text, but ${before.what} gives ${kindWords[before.kind]} here`)
    }
  }
  if (spec.datetime !== undefined) textOnly("datetime:", spec.datetime.pos, producers.slice(0, -1))
  if (spec.truncate !== undefined) textOnly("truncate:", spec.truncate.pos, producers)

  for (const field of targets) {
    if (last.values !== undefined && spec.truncate === undefined) {
      for (const item of last.values) {
        const problem = item.value === null ? undefined : checkValue(field, item.value)
        if (problem !== undefined) at(item.pos, `${item.what} does not fit ${field.description}: ${problem}`)
      }
    } else if (!fits(last.kind, field)) {
      at(last.pos, `${last.what} makes ${kindWords[last.kind]}, but ${field.description} holds ${describeKind(field.kind)}`)
    }
    if (spec.default !== undefined && spec.default.value !== null) {
      const problem = checkValue(field, spec.default.value)
      if (problem !== undefined) at(spec.default.pos, `default: does not fit ${field.description}: ${problem}`)
    }
    const limit = field.kind._tag === "string" ? field.kind.maxLength : undefined
    if (spec.truncate !== undefined && limit !== undefined && spec.truncate.max > limit) {
      at(spec.truncate.pos, `truncate: ${spec.truncate.max} is longer than ${field.description} allows (${limit})`)
    }
  }
}
