import { Effect, Either, ParseResult, Schema } from "effect"
import { CaseCreate } from "../domain/peach/index.js"
import { SourceLocation, type SourceRecord } from "../sources/SourceRecord.js"
import { decodeStep, encodeStep } from "./CompileContext.js"
import type { CompiledField } from "./CompileField.js"
import type { CaseTypeChoice, IdentityPart } from "./CompileIdentity.js"
import { Rejection } from "./Rejection.js"
import { readPath, writePath } from "./SourcePath.js"

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
        const attempt = <A>(label: string, what: string, run: Effect.Effect<A, string>) =>
          Effect.map(Effect.either(run), (result) => {
            if (Either.isRight(result)) return result.right
            failures.push(new ParseResult.Pointer(label, data, new ParseResult.Type(ast, data, `${what}: ${result.left}`)))
            return undefined
          })
        const externalId = yield* attempt(parts.externalId.label, "externalId", decodeStep(parts.externalId.schema, data))
        const sourceKey = yield* attempt(parts.key.label, "key", decodeStep(parts.key.schema, data))
        const borrower = yield* attempt(parts.borrower.label, "borrower", decodeStep(parts.borrower.schema, data))
        const typeId = yield* attempt(parts.caseType.label, "caseType", decodeStep(parts.caseType.schema, data))
        const body: Record<string, unknown> = { typeId, externalId }
        const values: Record<string, unknown> = {}
        const ownedFields: Array<string> = []
        for (const field of parts.fields) {
          const schema = typeof typeId === "string" ? field.schemas.get(typeId) : undefined
          if (schema === undefined) continue
          const input = field.sourcePath === undefined ? data : readPath(data, field.sourcePath)
          const value = yield* attempt(field.label, field.target, decodeStep(schema, input))
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
 * The source values of a target case's two-way fields (`direction: both`), keyed by source
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
      if (field.direction !== "both" || field.sourcePath === undefined) continue
      const schema = typeof typeId === "string" ? field.schemas.get(typeId) : undefined
      if (schema === undefined) continue
      const value = readPath(target, field.target)
      const encoded = yield* Effect.either(encodeStep(schema, value === null ? undefined : value))
      if (Either.isRight(encoded)) patch[field.sourcePath] = encoded.right ?? null
      else failures.push({ field: field.target, reason: encoded.left })
    }
    if (failures.length > 0) return yield* new MappingEncodeError({ failures })
    return patch
  })

/** Maps one record: the mapped case, or a rejection saying which field failed and why. */
export const mapRecordWith = (
  parts: RecordParts,
  schema: Schema.Schema<MappedData, SourceData>,
  record: SourceRecord
): Effect.Effect<MappingResult> =>
  Schema.decodeUnknown(schema)(record.data).pipe(
    Effect.map((mapped): MappingResult => MappedCase.make({ location: record.location, ...mapped })),
    Effect.catchAll((error) =>
      Effect.gen(function*() {
        const optional = (part: IdentityPart) =>
          Effect.map(Effect.either(decodeStep(part.schema, record.data)), (r) => (Either.isRight(r) ? String(r.right) : null))
        const problems = ParseResult.ArrayFormatter.formatErrorSync(error).map((issue) => {
          const inBody = issue.path[0] === "body"
          const field = (inBody ? issue.path.slice(1) : issue.path).map(String).join(".") || "(record)"
          return { field, reason: inBody ? `${field}: ${issue.message}` : issue.message }
        })
        return Rejection.make({
          location: record.location,
          sourceKey: yield* optional(parts.key),
          externalId: yield* optional(parts.externalId),
          field: [...new Set(problems.map((p) => p.field))].join(", "),
          reason: problems.map((p) => p.reason).join("; "),
          raw: record.data
        })
      })
    )
  )
