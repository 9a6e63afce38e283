import { Effect, Either, ParseResult, Schema, type SchemaAST as AST } from "effect"
import { isCalendarDate } from "../domain/peach/index.js"
import type { ComputeExpression } from "./Compute.js"
import type { DatetimeCodec } from "./Datetime.js"
import type { LookupTable } from "./Lookup.js"
import type { MapSpec, Scalar, ValueType } from "./MappingSpec.js"
import { isAbsent } from "./SourcePath.js"
import { checkValue, type TargetField } from "./TargetFields.js"
import { renderTemplate, type Template } from "./Template.js"

/**
 * The mapping vocabulary as Effect Schema transformations. Each step decodes a source
 * value towards the target and, where it can, encodes a target value back; a field is
 * its steps composed in a fixed order. `undefined` stands for "no value" and passes
 * through every step except `default`, `required` and the final target check.
 */
export type Step = Schema.Schema<unknown, unknown, never>

/** A step's decode as a plain function: what the schema's decode computes, with its message, without the parser. */
export type PlainDecode = (value: unknown) => Effect.Effect<unknown, string>

// Each step keeps its plain decode beside the schema, so a mapping runs as straight-line code per record.
const plainDecoders = new WeakMap<Step, PlainDecode>()

/**
 * Whether a step's result is already there (an Either) rather than an Effect to run. `Either.isEither`
 * answers the same through a generic property check; this runs several times per field of every record.
 */
export const isSettled = <A, E>(result: Either.Either<A, E> | Effect.Effect<A, E>): result is Either.Either<A, E> => {
  const tag = (result as { readonly _tag?: unknown })._tag
  return tag === "Right" || tag === "Left"
}

/** Records `decode` as the plain form of `schema`'s decode (same results, same messages). */
export const withPlainDecode = (schema: Step, decode: PlainDecode): Step => {
  plainDecoders.set(schema, decode)
  return schema
}

/** The plain decode of a step built here (composed steps included); `undefined` for any other schema. */
export const plainDecodeOf = (schema: Step): PlainDecode | undefined => plainDecoders.get(schema)

const step = (
  decode: (value: unknown) => Effect.Effect<unknown, string>,
  encode: (value: unknown) => Effect.Effect<unknown, string>
): Step => {
  // Keep an Either an Either: the parser then runs the step synchronously instead of through a fiber.
  const issue = (result: Effect.Effect<unknown, string>, ast: AST.AST, value: unknown) =>
    Either.isEither(result)
      ? Either.mapLeft(result, (message) => new ParseResult.Type(ast, value, String(message)))
      : Effect.mapError(result, (message) => new ParseResult.Type(ast, value, message))
  return withPlainDecode(
    Schema.transformOrFail(Schema.Unknown, Schema.Unknown, {
      strict: true,
      decode: (value, _, ast) => issue(decode(value), ast, value),
      encode: (value, _, ast) => issue(encode(value), ast, value)
    }),
    decode
  )
}

const pass = (value: unknown) => Either.right(value)
const present = (f: (value: unknown) => Effect.Effect<unknown, string>) => (value: unknown) =>
  value === undefined ? Either.right(undefined) : f(value)
const noInverse = (what: string) => (_: unknown) => Either.left(`${what} has no inverse, so it cannot be written back`)

/** Composes steps left to right: the first reads the source, the last yields the target value. */
export const composeSteps = (steps: ReadonlyArray<Step>): Step => {
  const composed = steps.reduce((composed, next) => Schema.compose(composed, next))
  const plain = steps.map(plainDecodeOf)
  if (plain.some((decode) => decode === undefined)) return composed
  const decoders = plain as ReadonlyArray<PlainDecode>
  return withPlainDecode(composed, (value) => {
    let current: unknown = value
    for (let i = 0; i < decoders.length; i++) {
      const result = decoders[i]!(current)
      if (!isSettled(result)) {
        // An asynchronous step (compute): the rest runs in the Effect, as the schema would.
        const rest = decoders.slice(i + 1)
        return rest.reduce<Effect.Effect<unknown, string>>((effect, next) => Effect.flatMap(effect, next), result)
      }
      if (Either.isLeft(result)) return result
      current = result.right
    }
    return Either.right(current)
  })
}

// == sources

/** `from:` — the value at the source path; empty values become "no value". */
export const copied: Step = step(
  (value) => Either.right(isAbsent(value) ? undefined : value),
  (value) => Either.right(value === undefined ? null : value)
)

/** `template:` — text filled from the record (decoded from the whole record). */
export const templated = (template: Template): Step =>
  step(
    (data) => Either.mapLeft(renderTemplate(template, data), (failure) => failure.reason),
    noInverse("a template")
  )

/** `const:` — the same value for every record. */
export const constant = (value: unknown): Step => step(() => Either.right(value), noInverse("a constant"))

/** `compute:` — a JSONata expression over the whole record. */
export const computed = (expression: ComputeExpression): Step =>
  step(
    (data) => Effect.map(expression.evaluate(data), (value) => (isAbsent(value) ? undefined : value)),
    noInverse("a computed value")
  )

// == transformations

/** `trim: true` — strips surrounding blanks; a blank text is no value. */
export const trimmed: Step = step(
  present((value) => {
    if (typeof value !== "string") return Either.right(value)
    const text = value.trim()
    return Either.right(text === "" ? undefined : text)
  }),
  pass
)

/** Text form of a value used as a map or lookup key (YAML keys are text; CSV cells too). */
export const keyOf = (value: unknown): string | undefined =>
  typeof value === "string" ? value : typeof value === "number" || typeof value === "boolean" ? String(value) : undefined

/** `map:` (+ `reverse:`) — a value map for codes and enums; an unknown code is refused, not passed on. */
export const mapped = (map: MapSpec, reverse: MapSpec | undefined): Step => {
  const forward = new Map<string, Scalar>(map.entries.map((entry) => [entry.from, entry.to.value]))
  const backward = reverse && new Map<string, Scalar>(reverse.entries.map((entry) => [entry.from, entry.to.value]))
  const known = [...forward.keys()].join(", ")
  return step(
    present((value) => {
      const key = keyOf(value)
      return key !== undefined && forward.has(key)
        ? Either.right(forward.get(key))
        : Either.left(`${JSON.stringify(value)} is not a known code (mapped: ${known})`)
    }),
    present((value) => {
      if (backward === undefined) return Either.left("the map has no reverse:, so it cannot be written back")
      const key = keyOf(value)
      return key !== undefined && backward.has(key)
        ? Either.right(backward.get(key))
        : Either.left(`${JSON.stringify(value)} has no entry in reverse:`)
    })
  )
}

/** `lookup:` — replaces a key by the value the lookup table gives for it. */
export const lookedUp = (table: LookupTable): Step =>
  step(
    present((value) => {
      const key = keyOf(value)
      const found = key === undefined ? undefined : table.entries.get(key.trim())
      return found !== undefined
        ? Either.right(found === "" ? undefined : found)
        : Either.left(`${JSON.stringify(value)} is not in ${table.file} (column ${table.key})`)
    }),
    present((value) => {
      const key = keyOf(value)
      const found = key === undefined ? undefined : table.reverse?.get(key)
      return found !== undefined
        ? Either.right(found)
        : Either.left(`${JSON.stringify(value)} is not a ${table.value} in ${table.file}`)
    })
  )

const integerText = /^[+-]?\d+$/
const numberText = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/
const trueWords = new Set(["true", "yes", "y", "1"])
const falseWords = new Set(["false", "no", "n", "0"])

/** `type:` — coerces CSV text to the target's value type; values already of that type pass. */
export const coerced = (type: ValueType): Step =>
  step(
    present((value) => {
      const text = typeof value === "string" ? value.trim() : undefined
      const shown = () => JSON.stringify(value)
      switch (type) {
        case "string":
          return typeof value === "string" || typeof value === "number" || typeof value === "boolean"
            ? Either.right(String(value))
            : Either.left(`expected a text, got ${shown()}`)
        case "integer":
          if (typeof value === "number" && Number.isInteger(value)) return Either.right(value)
          return text !== undefined && integerText.test(text) && Number.isSafeInteger(Number(text))
            ? Either.right(Number(text))
            : Either.left(`${shown()} is not a whole number`)
        case "number":
          if (typeof value === "number" && Number.isFinite(value)) return Either.right(value)
          return text !== undefined && numberText.test(text) ? Either.right(Number(text)) : Either.left(`${shown()} is not a number`)
        case "boolean": {
          if (typeof value === "boolean") return Either.right(value)
          const word = text?.toLowerCase() ?? (typeof value === "number" ? String(value) : undefined)
          if (word !== undefined && trueWords.has(word)) return Either.right(true)
          if (word !== undefined && falseWords.has(word)) return Either.right(false)
          return Either.left(`${shown()} is not a yes/no value (true/false, yes/no, y/n, 1/0)`)
        }
        case "date":
          return text !== undefined && isCalendarDate(text)
            ? Either.right(text)
            : Either.left(`${shown()} is not a date YYYY-MM-DD`)
      }
    }),
    pass
  )

/** `datetime:` — an offset date-time, exact to the millisecond (see Datetime.ts). */
export const dated = (codec: DatetimeCodec): Step => step(present(codec.decode), present(codec.encode))

/** `truncate:` — cuts text to the declared limit (marker included), never inside a surrogate pair. */
export const truncated = (max: number, marker: string): Step =>
  step(
    present((value) => {
      if (typeof value !== "string") return Either.left(`truncate needs a text, got ${JSON.stringify(value)}`)
      if (value.length <= max) return Either.right(value)
      let end = max - marker.length
      if (end > 0 && /[\uD800-\uDBFF]/.test(value[end - 1]!)) end--
      return Either.right(value.slice(0, end) + marker)
    }),
    noInverse("truncate (it loses text)")
  )

/** `default:` — the target value used when the source has none. */
export const defaulted = (fallback: unknown): Step =>
  step((value) => Either.right(value === undefined ? fallback : value), pass)

/** `required: true` — no value is a rejection, naming the source that was empty. */
export const required = (sourceLabel: string): Step =>
  step(
    (value) => (value === undefined ? Either.left(`required, but ${sourceLabel} is empty`) : Either.right(value)),
    pass
  )

/** The last step of every field: the value must fit the target field (type, enum, length, required). */
export const checkedAgainst = (field: TargetField): Step => {
  const check = (value: unknown) => {
    if (value === undefined || value === null) {
      return field.required ? Either.left(`${field.description} is required, but there is no value`) : Either.right(undefined)
    }
    const problem = checkValue(field, value)
    return problem === undefined ? Either.right(value) : Either.left(problem)
  }
  return step(check, check)
}
