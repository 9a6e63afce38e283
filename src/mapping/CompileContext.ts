import { Effect, Either, ParseResult, Schema } from "effect"
import type { ActiveCaseTypes } from "./ActiveCaseTypes.js"
import type { LookupTable } from "./Lookup.js"
import type { LookupSpec } from "./MappingSpec.js"
import { type IssueLog, type Located, suggestion } from "./PositionedYaml.js"
import { isAbsent, isKnownSourcePath, readPath, topField } from "./SourcePath.js"
import { isSettled, plainDecodeOf, type Step, withPlainDecode } from "./Transformations.js"

/** What compiling one mapping file needs to hand around: the problem log and what it is checked against. */
export interface CompileContext {
  readonly log: IssueLog
  readonly caseTypes: ActiveCaseTypes
  /** The source's field names when known (CSV header, CRM fields); enables unknown-field checks. */
  readonly sourceFields: ReadonlySet<string> | undefined
  /** Lookup tables, loaded before compiling; `undefined` when the table could not be read (already logged). */
  readonly lookups: ReadonlyMap<LookupSpec, LookupTable | undefined>
  /** Every source field the mapping reads, filled while compiling (for coverage and the ignore check). */
  readonly used: Set<string>
}

/** Notes that the mapping reads `path`, and logs it when the source is known not to have it. */
export const useSourceField = (context: CompileContext, path: Located<string>, what = "source field"): void => {
  context.used.add(topField(path.value))
  const known = context.sourceFields
  if (known === undefined || isKnownSourcePath(path.value, known)) return
  context.log.add(
    path.pos,
    `unknown ${what} '${path.value}'${suggestion(topField(path.value), known)} (the source has: ${[...known].join(", ")})`
  )
}

/** A step that reads one path out of the whole record (for identity keys fed by a column). */
export const readAt = (path: string): Step => {
  const read = (data: unknown) => {
    const value = readPath(data, path)
    return isAbsent(value) ? undefined : value
  }
  return withPlainDecode(
    Schema.transformOrFail(Schema.Unknown, Schema.Unknown, {
      strict: true,
      decode: (data) => ParseResult.succeed(read(data)),
      encode: (value, _, ast) => ParseResult.fail(new ParseResult.Type(ast, value, `${path} is read-only here`))
    }),
    (data) => Either.right(read(data))
  )
}

/** A step that wraps a value as `{ [key]: value }` (the borrower reference). */
export const wrapAs = (key: string): Step =>
  withPlainDecode(
    Schema.transformOrFail(Schema.Unknown, Schema.Unknown, {
      strict: true,
      decode: (value) => ParseResult.succeed({ [key]: value }),
      encode: (value) => ParseResult.succeed((value as Record<string, unknown>)[key])
    }),
    (value) => Either.right({ [key]: value })
  )

/**
 * A step's decode and encode, prepared once. Decoding is synchronous (an `Either`, no
 * fiber) unless the step evaluates JSONata; mapping a record runs dozens of them, so this
 * is what keeps mapping fast. Failures carry the step's own message.
 */
export interface StepRunner {
  readonly decode: (input: unknown) => Either.Either<unknown, string> | Effect.Effect<unknown, string>
  readonly encode: (input: unknown) => Either.Either<unknown, string>
}

/** A runner whose decode never needs the Effect runtime. */
export interface SyncStepRunner extends StepRunner {
  readonly decode: (input: unknown) => Either.Either<unknown, string>
}

/** Prepares a step for running; `sync` must be false when it contains a `compute:`. */
export function runnerOf(schema: Step, sync: true): SyncStepRunner
export function runnerOf(schema: Step, sync: boolean): StepRunner
export function runnerOf(schema: Step, sync: boolean): StepRunner {
  const encode = Schema.encodeUnknownEither(schema)
  const decodeSync = Schema.decodeUnknownEither(schema)
  const decodeAsync = Schema.decodeUnknown(schema)
  // The plain decode when every step has one (the schema's parser is the fallback, with the same messages).
  const plain = plainDecodeOf(schema)
  const bySchema = (input: unknown) => Either.mapLeft(decodeSync(input), firstMessage)
  return {
    decode: sync
      ? plain === undefined
        ? bySchema
        : (input) => {
          const result = plain(input)
          return isSettled(result) ? result : bySchema(input)
        }
      : (input) => Effect.mapError(decodeAsync(input), firstMessage),
    encode: (input) => Either.mapLeft(encode(input), firstMessage)
  }
}

const firstMessage = (error: ParseResult.ParseError): string =>
  ParseResult.ArrayFormatter.formatErrorSync(error).map((issue) => issue.message)[0] ?? error.message
