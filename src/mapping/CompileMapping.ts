import { FileSystem } from "@effect/platform"
import { Effect, type Schema } from "effect"
import { createHash } from "node:crypto"
import type { CaseType } from "../domain/peach/index.js"
import type { SourceItem, SourceRecord } from "../sources/SourceRecord.js"
import { ActiveCaseTypes, describeType } from "./ActiveCaseTypes.js"
import type { CompileContext } from "./CompileContext.js"
import { type CompiledField, compileField } from "./CompileField.js"
import { compileBorrower, compileCaseType, compileTemplate } from "./CompileIdentity.js"
import { loadLookup, lookupRoots, type LookupTable, unreadableBecause } from "./Lookup.js"
import { readMappingFile } from "./MappingFile.js"
import { type MappingIssue, MappingLoadError } from "./MappingLoadError.js"
import type { CaseTypeSpec, LookupSpec, MappingSpec } from "./MappingSpec.js"
import { IssueLog, nowhere, type Pos } from "./PositionedYaml.js"
import {
  type MappedData,
  type MappingEncodeError,
  type MappingResult,
  mapRecordSync,
  plainParts,
  mapRecordWith,
  recordSchema,
  type SourceData,
  type SourcePatch,
  toSourcePatch
} from "./RecordMapping.js"
import { rejectUnreadable } from "./Rejection.js"
import { topField } from "./SourcePath.js"
import type { Step } from "./Transformations.js"

/** What a mapping is checked against when it is loaded. */
export interface MappingOptions {
  /** The target's case types (every version it lists); the ACTIVE version of each is used. */
  readonly caseTypes: ReadonlyArray<CaseType>
  /** The source's field names when known (CSV header; CRM documented + `/meta/object/case` fields). */
  readonly sourceFields?: ReadonlyArray<string> | undefined
  /** The run config naming the mapping: lookup files may lie in its folder as well as the mapping's. */
  readonly configFile?: string | undefined
}

/** A two-way field: its target path, its source path, and per case type the schema whose encode writes back. */
export interface TwoWayField {
  readonly target: string
  readonly source: string
  readonly schemas: ReadonlyMap<string, Step>
}

/** A mapping file, loaded, checked against the target and compiled; immutable and reusable for every record. */
export interface CompiledMapping {
  readonly file: string
  /** SHA-256 of the mapping text and its lookup tables: a plan records it to refuse a changed mapping. */
  readonly digest: string
  readonly description: string | undefined
  /** The case types records can become (active versions). */
  readonly caseTypes: ReadonlyArray<CaseType>
  /** Every target field the mapping owns (dotted); the planner diffs and writes only these. */
  readonly ownedFields: ReadonlyArray<string>
  /** The `externalId:` template as written (`legacy-{case_id}`): reconcile finds this job's cases by it. */
  readonly externalIdTemplate: string
  /** The `direction: both` and `toSource` fields, whose target values two-way sync writes back. */
  readonly twoWayFields: ReadonlyArray<TwoWayField>
  /** Every compiled field, in file order: two-way sync builds its per-field rules from them. */
  readonly fields: ReadonlyArray<CompiledField>
  /** Top-level source fields the mapping reads, and those it declares ignored. */
  readonly usedSourceFields: ReadonlyArray<string>
  readonly ignoredSourceFields: ReadonlyArray<string>
  /** The whole mapping as an Effect Schema from a record's data to the mapped case (encode = write-back patch). */
  readonly schema: Schema.Schema<MappedData, SourceData>
  /** Maps one record to a mapped case or a rejection; never fails. */
  readonly mapRecord: (record: SourceRecord) => Effect.Effect<MappingResult>
  /** The same as plain synchronous code (no Effect per record); `undefined` when the record needs a `compute:` step. */
  readonly mapRecordPlain: (record: SourceRecord) => MappingResult | undefined
  /** The same through the whole-mapping schema's Effect decode: for `compute:` steps, and the reference the plain path is checked against. */
  readonly mapRecordBySchema: (record: SourceRecord) => Effect.Effect<MappingResult>
  /** The owned fields that apply to each case type id, in mapping order (the keys of a mapped case's `values`). */
  readonly ownedFieldsByType: ReadonlyMap<string, ReadonlyArray<string>>
  /** Like `mapRecord`, and turns an unreadable source item into a rejection. */
  readonly mapItem: (item: SourceItem) => Effect.Effect<MappingResult>
  /** The source values of a target case's two-way fields, keyed by source path. */
  readonly toSource: (target: Readonly<Record<string, unknown>>) => Effect.Effect<SourcePatch, MappingEncodeError>
}

/** Reads, checks and compiles a mapping file; every mistake in it comes back at once in `MappingLoadError`. */
export const loadMapping = Effect.fn("Mapping.load")(function*(path: string, options: MappingOptions) {
  const fs = yield* FileSystem.FileSystem
  const text = yield* fs.readFileString(path).pipe(
    Effect.mapError((error) =>
      new MappingLoadError({ file: path, issues: [{ ...nowhere(""), message: `cannot read the mapping file: ${unreadableBecause(error)}` }] })
    )
  )
  return yield* compileMapping(text, { ...options, file: path })
})

/** Compiles mapping YAML given as text; `file` names it in messages and anchors relative lookup paths. */
export const compileMapping = Effect.fn("Mapping.compile")(function*(
  text: string,
  options: MappingOptions & { readonly file: string }
): Effect.fn.Return<CompiledMapping, MappingLoadError, FileSystem.FileSystem> {
  const log = new IssueLog()
  const fail = () => new MappingLoadError({ file: options.file, issues: inFileOrder(log.issues) })
  const spec = readMappingFile(text, log)
  if (spec === undefined) return yield* fail()

  const lookups = new Map<LookupSpec, LookupTable | undefined>()
  const roots = lookupRoots(options.file, options.configFile)
  for (const lookup of lookupSpecs(spec)) lookups.set(lookup, yield* loadLookup(options.file, lookup, log, roots))
  const context: CompileContext = {
    log,
    caseTypes: ActiveCaseTypes.make(options.caseTypes),
    sourceFields: options.sourceFields === undefined ? undefined : new Set(options.sourceFields),
    lookups,
    used: new Set()
  }

  const externalId = compileTemplate(context, spec.externalId, "externalId")
  const key = spec.key === undefined ? externalId : compileTemplate(context, spec.key, "key")
  const borrower = compileBorrower(context, spec.borrower)
  const caseType = compileCaseType(context, spec.caseType)
  const types = caseType?.types ?? []
  const fields = spec.fields.flatMap((field) => {
    const compiled = compileField(context, field, types)
    return compiled === undefined ? [] : [compiled]
  })
  checkRequiredCustomFields(context, spec, types)
  checkIgnore(context, spec)
  if (!log.isEmpty || borrower === undefined || caseType === undefined) return yield* fail()

  const parts = { externalId, key, borrower, caseType, fields }
  const schema = recordSchema(parts)
  // Plain code per record; only a record that needs a `compute:` step goes through the schema's Effect.
  const plain = plainParts(parts)
  const mapRecordPlain = (record: SourceRecord): MappingResult | undefined => mapRecordSync(plain, record)
  const mapRecord = (record: SourceRecord): Effect.Effect<MappingResult> =>
    Effect.suspend(() => {
      const result = mapRecordPlain(record)
      return result === undefined ? mapRecordBySchema(record) : Effect.succeed(result)
    })
  const mapRecordBySchema = (record: SourceRecord) => mapRecordWith(parts, schema, record)
  return {
    file: options.file,
    digest: digestOf(text, [...lookups.values()]),
    description: spec.description,
    caseTypes: types,
    ownedFields: fields.map((field) => field.target),
    externalIdTemplate: spec.externalId.value.text,
    twoWayFields: fields.flatMap((field: CompiledField) =>
      field.direction !== "toTarget" && field.sourcePath !== undefined
        ? [{ target: field.target, source: field.sourcePath, schemas: field.schemas }]
        : []
    ),
    fields,
    usedSourceFields: [...context.used],
    ignoredSourceFields: spec.ignore.map((entry) => entry.value),
    schema,
    mapRecord,
    mapRecordPlain,
    mapRecordBySchema,
    ownedFieldsByType: new Map(types.map((caseType) => [
      caseType.id,
      fields.filter((field) => field.runners.has(caseType.id)).map((field) => field.target)
    ])),
    mapItem: (item: SourceItem) => item._tag === "Record" ? mapRecord(item) : Effect.succeed(rejectUnreadable(item)),
    toSource: Effect.fn("Mapping.toSource")((target: Readonly<Record<string, unknown>>) => toSourcePatch(parts, target))
  }
})

/** Issues sorted by position, each reported once, so the list reads top to bottom like the file. */
const inFileOrder = (issues: ReadonlyArray<MappingIssue>): ReadonlyArray<MappingIssue> => {
  const seen = new Set<string>()
  return [...issues]
    .sort((a, b) => a.line - b.line || a.column - b.column)
    .filter((issue) => {
      const key = `${issue.line}:${issue.column}:${issue.message}`
      return seen.has(key) ? false : (seen.add(key), true)
    })
}

const lookupSpecs = (spec: MappingSpec): ReadonlyArray<LookupSpec> => [
  ...(spec.borrower._tag === "Lookup" ? [spec.borrower.lookup] : []),
  ...spec.fields.flatMap((field) => (field.lookup === undefined ? [] : [field.lookup]))
]

const caseTypePos = (spec: CaseTypeSpec): Pos =>
  spec._tag === "Name" ? spec.name.pos : spec._tag === "Id" ? spec.id.pos : spec._tag === "Base" ? spec.base.pos : spec.pos

/** A case type's required custom fields must each be set by a field that applies to it, or every create would be refused. */
const checkRequiredCustomFields = (context: CompileContext, spec: MappingSpec, types: ReadonlyArray<CaseType>): void => {
  for (const caseType of types) {
    for (const custom of caseType.customFieldSchemas ?? []) {
      if (custom.required !== true) continue
      const covered = spec.fields.some((field) =>
        field.target.value === `customFields.${custom.name}` &&
        (field.onlyFor === undefined || field.onlyFor.some((name) => name.value === caseType.name || name.value === caseType.id))
      )
      if (!covered) {
        context.log.add(
          caseTypePos(spec.caseType),
          `case type ${describeType(caseType)} requires customFields.${custom.name}, but no field sets it`
        )
      }
    }
  }
}

/** `ignore:` must name real source fields that the mapping does not also use. */
const checkIgnore = (context: CompileContext, spec: MappingSpec): void => {
  for (const entry of spec.ignore) {
    if (context.sourceFields !== undefined && !context.sourceFields.has(entry.value)) {
      context.log.add(entry.pos, `ignore names '${entry.value}', which is not a source field (the source has: ${[...context.sourceFields].join(", ")})`)
    } else if (context.used.has(topField(entry.value))) {
      context.log.add(entry.pos, `'${entry.value}' is listed in ignore but the mapping uses it; remove it from ignore`)
    }
  }
}

const digestOf = (text: string, tables: ReadonlyArray<LookupTable | undefined>): string => {
  const hash = createHash("sha256").update(text)
  for (const table of tables) if (table !== undefined) hash.update("\0").update(table.text)
  return hash.digest("hex")
}
