import { Effect, ParseResult, Schema } from "effect"
import type { ActiveCaseTypes } from "./ActiveCaseTypes.js"
import type { LookupTable } from "./Lookup.js"
import type { LookupSpec } from "./MappingSpec.js"
import { type IssueLog, type Located, suggestion } from "./PositionedYaml.js"
import { isAbsent, isKnownSourcePath, readPath, topField } from "./SourcePath.js"
import type { Step } from "./Transformations.js"

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
export const readAt = (path: string): Step =>
  Schema.transformOrFail(Schema.Unknown, Schema.Unknown, {
    strict: true,
    decode: (data) => {
      const value = readPath(data, path)
      return ParseResult.succeed(isAbsent(value) ? undefined : value)
    },
    encode: (value, _, ast) => ParseResult.fail(new ParseResult.Type(ast, value, `${path} is read-only here`))
  })

/** A step that wraps a value as `{ [key]: value }` (the borrower reference). */
export const wrapAs = (key: string): Step =>
  Schema.transformOrFail(Schema.Unknown, Schema.Unknown, {
    strict: true,
    decode: (value) => ParseResult.succeed({ [key]: value }),
    encode: (value) => ParseResult.succeed((value as Record<string, unknown>)[key])
  })

/** Runs a step's decode and gives its first message on failure, for per-field rejections. */
export const decodeStep = (schema: Step, input: unknown): Effect.Effect<unknown, string> =>
  Schema.decodeUnknown(schema)(input).pipe(Effect.mapError(firstMessage))

/** Runs a step's encode (target value to source value), with its first message on failure. */
export const encodeStep = (schema: Step, input: unknown): Effect.Effect<unknown, string> =>
  Schema.encodeUnknown(schema)(input).pipe(Effect.mapError(firstMessage))

const firstMessage = (error: ParseResult.ParseError): string =>
  ParseResult.ArrayFormatter.formatErrorSync(error).map((issue) => issue.message)[0] ?? error.message
