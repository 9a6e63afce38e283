import { Effect, Either, ParseResult, Schema } from "effect"
import { CaseCreate } from "../domain/peach/index.js"
import { SourceLocation, type SourceRecord } from "../sources/SourceRecord.js"
import type { StepRunner } from "./CompileContext.js"
import type { CompiledField } from "./CompileField.js"
import type { CaseTypeChoice, IdentityPart } from "./CompileIdentity.js"
import { Rejection, wholeRecord } from "./Rejection.js"
import { readPath, writePath } from "./SourcePath.js"
import { createFieldOrder, isWhollyChecked } from "./TargetFields.js"
import { isSettled } from "./Transformations.js"

/** How a mapped case names its borrower: a Peach person id, or the borrower's externalId (`ext-<value>` in paths). */
export const BorrowerRef = Schema.Union(
  Schema.Struct({ externalId: Schema.String }),
  Schema.Struct({ id: Schema.String })
)
export type BorrowerRef = typeof BorrowerRef.Type

/** A source record's raw fields, as sources hand them over. */
export const SourceData = Schema.Record({ key: Schema.String, value: Schema.Unknown })
export type SourceData = typeof SourceData.Type

/**
 * What a mapping makes of one record: the idempotency key, the source key, the borrower,
 * the case type and the create body holding only the fields the mapping owns, plus those
 * owned fields' values flattened to dotted paths (absent = null) for the planner's diff.
 */
export const MappedData = Schema.Struct({
  externalId: Schema.String,
  sourceKey: Schema.String,
  borrower: BorrowerRef,
  typeId: Schema.String,
  body: CaseCreate,
  values: Schema.Record({ key: Schema.String, value: Schema.Unknown }),
  ownedFields: Schema.Array(Schema.String)
})
export type MappedData = typeof MappedData.Type

/** A record mapped successfully, with where it came from. */
export const MappedCase = Schema.TaggedStruct("Mapped", { location: SourceLocation, ...MappedData.fields })
export type MappedCase = typeof MappedCase.Type

/** The outcome of mapping one record: never an exception, never a lost record. */
export type MappingResult = MappedCase | Rejection

/** Source field path -> value to write back, for the two-way fields of one case (absent = null). */
export type SourcePatch = Readonly<Record<string, unknown>>

/** Why a target case could not be turned back into source values. */
export class MappingEncodeError extends Schema.TaggedError<MappingEncodeError>()("MappingEncodeError", {
  failures: Schema.Array(Schema.Struct({ field: Schema.String, reason: Schema.String }))
}) {
  override get message(): string {
    return `cannot write back to the source: ${this.failures.map((f) => `${f.field}: ${f.reason}`).join("; ")}`
  }
}

/** The compiled pieces of a mapping that the record schema runs. */
export interface RecordParts {
  readonly externalId: IdentityPart
  readonly key: IdentityPart
  readonly borrower: IdentityPart
  readonly caseType: CaseTypeChoice
  readonly fields: ReadonlyArray<CompiledField>
}

/** Records a step's failure and answers undefined, or answers the step's value. */
type Settle = (label: string, what: string, result: Either.Either<unknown, string>) => unknown

// The identity parts, in the order both mapping paths report their failures.
const decodeIdentity = (parts: RecordParts, data: SourceData, settle: Settle) => ({
  externalId: settle(parts.externalId.label, "externalId", parts.externalId.run.decode(data)),
  sourceKey: settle(parts.key.label, "key", parts.key.run.decode(data)),
  borrower: settle(parts.borrower.label, "borrower", parts.borrower.run.decode(data)),
  typeId: settle(parts.caseType.label, "caseType", parts.caseType.run.decode(data))
})

/**
 * The whole mapping as one Effect Schema: decoding runs every field's composed
 * transformation on a record's data (all failures reported, each under the source field
 * to blame) and checks the body against `CaseCreate`; encoding writes the two-way fields
 * of a mapped case back as a patch of source fields.
 */
export const recordSchema = (parts: RecordParts): Schema.Schema<MappedData, SourceData> =>
  Schema.transformOrFail(SourceData, MappedData, {
    strict: false,
    decode: (data, _, ast) =>
      Effect.gen(function*() {
        const failures: Array<ParseResult.ParseIssue> = []
        const settle = (label: string, what: string, result: Either.Either<unknown, string>) => {
          if (Either.isRight(result)) return result.right
          failures.push(new ParseResult.Pointer(label, data, new ParseResult.Type(ast, data, `${what}: ${result.left}`)))
          return undefined
        }
        const { externalId, sourceKey, borrower, typeId } = decodeIdentity(parts, data, settle)
        const body: Record<string, unknown> = { typeId, externalId }
        const values: Record<string, unknown> = {}
        const ownedFields: Array<string> = []
        for (const field of parts.fields) {
          const runner = typeof typeId === "string" ? field.runners.get(typeId) : undefined
          if (runner === undefined) continue
          const input = field.sourcePath === undefined ? data : readPath(data, field.sourcePath)
          // Synchronous steps answer with an Either straight away; only compute fields need the Effect runtime.
          const decoded = runner.decode(input)
          const value = settle(field.label, field.target, Either.isEither(decoded) ? decoded : yield* Effect.either(decoded))
          ownedFields.push(field.target)
          values[field.target] = value ?? null
          if (value !== undefined) writePath(body, field.target, value)
        }
        if (failures.length > 0) {
          const [first, ...rest] = failures
          return yield* Effect.fail(rest.length === 0 ? first! : new ParseResult.Composite(ast, data, [first!, ...rest]))
        }
        // Checked right after by MappedData (CaseCreate included), so nothing unverified escapes.
        return { externalId, sourceKey, borrower, typeId, body, values, ownedFields } as unknown as typeof MappedData.Encoded
      }),
    encode: (mapped, _, ast) =>
      Effect.mapError(
        toSourcePatch(parts, mapped.body),
        (error) => new ParseResult.Type(ast, mapped, error.message)
      )
  })

/**
 * The source values of a target case's written-back fields (`direction: both` or `toSource`), keyed by source
 * path: what two-way sync writes back. The case type comes from `typeId` (or `caseTypeMeta.id`).
 */
export const toSourcePatch = (
  parts: RecordParts,
  target: Readonly<Record<string, unknown>>
): Effect.Effect<SourcePatch, MappingEncodeError> =>
  Effect.gen(function*() {
    const typeId = target.typeId ?? (target.caseTypeMeta as { id?: unknown } | undefined)?.id
    const patch: Record<string, unknown> = {}
    const failures: Array<{ field: string; reason: string }> = []
    for (const field of parts.fields) {
      if (field.direction === "toTarget" || field.sourcePath === undefined) continue
      const runner = typeof typeId === "string" ? field.runners.get(typeId) : undefined
      if (runner === undefined) continue
      const value = readPath(target, field.target)
      const encoded = runner.encode(value === null ? undefined : value)
      if (Either.isRight(encoded)) patch[field.sourcePath] = encoded.right ?? null
      else failures.push({ field: field.target, reason: encoded.left })
    }
    if (failures.length > 0) return yield* new MappingEncodeError({ failures })
    return patch
  })

const checkMapped = Schema.decodeUnknownEither(MappedData)

/**
 * What `MappedData` checks beyond the fields' own checks: the identity parts' shapes and the
 * externalId's rule. When this holds (and every field is wholly checked), the schema would
 * accept the record, so it is not run per record; when not, the schema runs and names the problem.
 */
const isSurelyValid = (mapped: {
  readonly externalId: unknown
  readonly sourceKey: unknown
  readonly borrower: unknown
  readonly typeId: unknown
}): boolean => {
  const borrower = mapped.borrower as Record<string, unknown> | null
  return typeof mapped.externalId === "string" && mapped.externalId.length > 0 &&
    typeof mapped.sourceKey === "string" && typeof mapped.typeId === "string" &&
    typeof borrower === "object" && borrower !== null &&
    (typeof borrower.externalId === "string" || typeof borrower.id === "string")
}

/** A mapping's parts with what the plain path derives from them once, at load. */
export interface PlainParts extends RecordParts {
  /** Whether every field's last step (`checkedAgainst`) already checks all `CaseCreate` asks of its value. */
  readonly whollyChecked: boolean
  /** Per case type id, what a record of that type runs: the same for every record, so worked out once. */
  readonly byType: ReadonlyMap<string, TypeSteps>
}

/** The fields a case type's records map (in mapping order, with their runners), their targets, and those in body order. */
export interface TypeSteps {
  readonly steps: ReadonlyArray<{ readonly field: CompiledField; readonly runner: StepRunner }>
  /** The owned fields' targets, in mapping order (shared by every record of the type: read-only). */
  readonly ownedFields: ReadonlyArray<string>
  /** The targets sorted (stably) by where their top-level key comes in `CaseCreate`: writing the body in
   * this order gives it the key order the schema's decode gives (nested keys keep the mapping's order). */
  readonly inBodyOrder: ReadonlyArray<string>
}

const createRank = new Map(createFieldOrder.map((key, i) => [key, i]))

/** Prepares a mapping's parts for `mapRecordSync`. */
export const plainParts = (parts: RecordParts): PlainParts => {
  const rank = (field: CompiledField) => createRank.get(field.target.split(".")[0]!) ?? createFieldOrder.length
  const fieldsInBodyOrder = parts.fields.map((field, i) => [field, i] as const)
    .sort(([a, i], [b, j]) => rank(a) - rank(b) || i - j)
    .map(([field]) => field)
  const typeIds = new Set(parts.fields.flatMap((field) => [...field.runners.keys()]))
  return {
    ...parts,
    whollyChecked: parts.fields.every((field) => isWhollyChecked(field.target)),
    byType: new Map([...typeIds].map((typeId): [string, TypeSteps] => {
      const steps = parts.fields.flatMap((field) => {
        const runner = field.runners.get(typeId)
        return runner === undefined ? [] : [{ field, runner }]
      })
      return [typeId, {
        steps,
        ownedFields: steps.map(({ field }) => field.target),
        inBodyOrder: fieldsInBodyOrder.filter((field) => field.runners.has(typeId)).map((field) => field.target)
      }]
    }))
  }
}

/** Names the field a parse issue blames and says why, the way rejections report it. */
const problemOf = (issue: { readonly path: ReadonlyArray<PropertyKey>; readonly message: string }) => {
  const inBody = issue.path[0] === "body"
  const field = (inBody ? issue.path.slice(1) : issue.path).map(String).join(".") || wholeRecord
  return { field, reason: inBody ? `${field}: ${issue.message}` : issue.message }
}

const rejectionOf = (
  parts: RecordParts,
  record: SourceRecord,
  problems: ReadonlyArray<{ readonly field: string; readonly reason: string }>
): MappingResult => {
  const identity = (part: IdentityPart) => {
    try {
      return Either.getOrNull(Either.map(part.run.decode(record.data), String))
    } catch {
      return null
    }
  }
  return Rejection.make({
    location: record.location,
    sourceKey: identity(parts.key),
    externalId: identity(parts.externalId),
    field: [...new Set(problems.map((p) => p.field))].join(", "),
    reason: problems.map((p) => p.reason).join("; "),
    raw: record.data
  }, { disableValidation: true }) // the raw record is kept as the source gave it, whatever it holds
}

/**
 * Maps one record as plain synchronous code: the same steps, in the same order, with the
 * same messages as `recordSchema`'s decode, and the result checked by `MappedData` (the
 * case create schema included) — but no Effect, fiber or span per record. `undefined` when
 * the record needs a step that is not synchronous (a `compute:` field): use `mapRecordWith`.
 */
export const mapRecordSync = (parts: PlainParts, record: SourceRecord): MappingResult | undefined => {
  const data = record.data
  try {
    const problems: Array<{ field: string; reason: string }> = []
    const settle = (label: string, what: string, result: Either.Either<unknown, string>) => {
      if (Either.isRight(result)) return result.right
      problems.push(problemOf({ path: [label], message: `${what}: ${result.left}` }))
      return undefined
    }
    const { externalId, sourceKey, borrower, typeId } = decodeIdentity(parts, data, settle)
    const values: Record<string, unknown> = {}
    const ofType = typeof typeId === "string" ? parts.byType.get(typeId) : undefined
    const steps = ofType?.steps ?? []
    for (let i = 0; i < steps.length; i++) {
      const { field, runner } = steps[i]!
      const decoded = runner.decode(field.sourcePath === undefined ? data : readPath(data, field.sourcePath))
      if (!isSettled(decoded)) return undefined
      const value = settle(field.label, field.target, decoded)
      values[field.target] = value ?? null
    }
    if (problems.length > 0) return rejectionOf(parts, record, problems)
    // Written in the order CaseCreate's decode gives its keys, so no reordering copy is needed.
    const body: Record<string, unknown> = { typeId, externalId }
    const inBodyOrder = ofType?.inBodyOrder ?? []
    for (let i = 0; i < inBodyOrder.length; i++) {
      const target = inBodyOrder[i]!
      const value = values[target]
      if (value !== undefined && value !== null) writePath(body, target, value)
    }
    const mapped = { externalId, sourceKey, borrower, typeId, body, values, ownedFields: ofType?.ownedFields ?? [] }
    if (parts.whollyChecked && isSurelyValid(mapped)) {
      return { _tag: "Mapped", location: record.location, ...mapped } as unknown as MappedCase
    }
    const checked = checkMapped(mapped)
    if (Either.isLeft(checked)) {
      return rejectionOf(parts, record, ParseResult.ArrayFormatter.formatErrorSync(checked.left).map(problemOf))
    }
    return MappedCase.make({ location: record.location, ...checked.right }, { disableValidation: true })
  } catch (defect) {
    return rejectionOf(parts, record, [{
      field: wholeRecord,
      reason: `mapping failed unexpectedly: ${defect instanceof Error ? defect.message : String(defect)}`
    }])
  }
}

/**
 * Maps one record: the mapped case, or a rejection saying which field failed and why.
 * Even an unexpected failure inside a step (a defect) becomes a rejection of this record,
 * so one strange record never stops a run.
 */
export const mapRecordWith = (
  parts: RecordParts,
  schema: Schema.Schema<MappedData, SourceData>,
  record: SourceRecord
): Effect.Effect<MappingResult> => {
  const identity = (part: IdentityPart) => {
    try {
      return Either.getOrNull(Either.map(part.run.decode(record.data), String))
    } catch {
      return null
    }
  }
  const reject = (field: string, reason: string): MappingResult =>
    Rejection.make({
      location: record.location,
      sourceKey: identity(parts.key),
      externalId: identity(parts.externalId),
      field,
      reason,
      raw: record.data
    }, { disableValidation: true }) // the raw record is kept as the source gave it, whatever it holds
  // Suspended: the parser starts reading the record as soon as it is called.
  return Effect.suspend(() => Schema.decodeUnknown(schema)(record.data)).pipe(
    // Already checked by the schema: no second validation per record.
    Effect.map((mapped): MappingResult => MappedCase.make({ location: record.location, ...mapped }, { disableValidation: true })),
    Effect.catchAll((error) => {
      const problems = ParseResult.ArrayFormatter.formatErrorSync(error).map((issue) => {
        const inBody = issue.path[0] === "body"
        const field = (inBody ? issue.path.slice(1) : issue.path).map(String).join(".") || wholeRecord
        return { field, reason: inBody ? `${field}: ${issue.message}` : issue.message }
      })
      return Effect.succeed(reject([...new Set(problems.map((p) => p.field))].join(", "), problems.map((p) => p.reason).join("; ")))
    }),
    Effect.catchAllDefect((defect) =>
      Effect.succeed(reject(wholeRecord, `mapping failed unexpectedly: ${defect instanceof Error ? defect.message : String(defect)}`))
    )
  )
}
