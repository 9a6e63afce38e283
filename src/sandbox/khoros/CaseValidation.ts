import { Either, ParseResult, Schema } from "effect"
import {
  documentedCaseFields,
  KhorosCase,
  KhorosCaseCreate,
  KhorosCaseUpdate
} from "../../sources/khoros/KhorosCase.js"
import type { KhorosFieldMeta, KhorosObjectMeta } from "../../sources/khoros/KhorosMeta.js"

/** One refused field of a request body, in the CRM's 400 shape `{name, errorMessage}`. */
export interface FieldProblem {
  readonly name: string
  readonly errorMessage: string
}

/** What the validator needs to know about the CRM: the case meta and which customers exist. */
export interface ValidationContext {
  readonly caseMeta: KhorosObjectMeta
  readonly customerExists: (customerId: string) => boolean
}

/** Fields the CRM assigns itself; a body may repeat them (a case read and sent back) but not change them. */
const assignedFields = ["id", "number", "url", "lastUpdated"] as const

/**
 * Checks a `POST /case` body: documented fields by the shared schema, the customer by
 * existence, a non-empty title, and every other top-level property against `/meta/object/case`.
 * Fields the CRM assigns (`id`, `number`, `url`, `lastUpdated`) are ignored.
 */
export const validateCaseCreate = (
  body: unknown,
  context: ValidationContext
): Either.Either<KhorosCaseCreate, ReadonlyArray<FieldProblem>> => {
  if (!isJsonObject(body)) return Either.left([{ name: "body", errorMessage: "expected a JSON object" }])
  const withoutAssigned = omit(body, assignedFields)
  const decoded = decodeFields(KhorosCaseCreate, withoutAssigned)
  const problems = [
    ...Either.match(decoded, { onLeft: (issues) => issues, onRight: () => [] }),
    ...checkCustomer(withoutAssigned, context, true),
    ...checkTitle(withoutAssigned, true),
    ...checkCustomProperties(withoutAssigned, context.caseMeta)
  ]
  return problems.length > 0 || Either.isLeft(decoded) ? Either.left(problems) : Either.right(decoded.right)
}

/**
 * Checks a `PUT /case/{id}` body against the current case: the same rules as create for what
 * it changes; `id`, `number`, `url`, `created` and `lastUpdated` may only repeat their current values.
 */
export const validateCaseUpdate = (
  body: unknown,
  current: KhorosCase,
  context: ValidationContext
): Either.Either<KhorosCaseUpdate, ReadonlyArray<FieldProblem>> => {
  if (!isJsonObject(body)) return Either.left([{ name: "body", errorMessage: "expected a JSON object" }])
  const fixed = [...assignedFields, "created"] as const
  const changedFixed: Array<FieldProblem> = fixed
    .filter((name) => name in body && body[name] !== current[name])
    .map((name) => ({ name, errorMessage: `is assigned by the CRM and cannot be changed (currently ${current[name]})` }))
  const changes = omit(body, fixed)
  const decoded = decodeFields(KhorosCaseUpdate, changes)
  const problems = [
    ...changedFixed,
    ...Either.match(decoded, { onLeft: (issues) => issues, onRight: () => [] }),
    ...checkCustomer(changes, context, false),
    ...checkTitle(changes, false),
    ...checkCustomProperties(changes, context.caseMeta)
  ]
  return problems.length > 0 || Either.isLeft(decoded) ? Either.left(problems) : Either.right(decoded.right)
}

/** Checks one custom property value against its meta description; `undefined` when it is acceptable. */
export const checkCustomValue = (field: KhorosFieldMeta, value: unknown): string | undefined => {
  switch (field.type) {
    case "text":
    case "textarea":
      return typeof value === "string" ? undefined : `expected text (${field.type}), got ${describe(value)}`
    case "checkbox":
      return typeof value === "boolean" ? undefined : `expected true or false (checkbox), got ${describe(value)}`
    case "single_sel_list": {
      const allowed = (field.listValues ?? []).map((v) => v.value)
      return typeof value === "string" && allowed.includes(value)
        ? undefined
        : `expected one of ${allowed.join(", ")}, got ${describe(value)}`
    }
  }
}

// == helpers

type JsonObject = Readonly<Record<string, unknown>>

const isJsonObject = (u: unknown): u is JsonObject => typeof u === "object" && u !== null && !Array.isArray(u)

const omit = (o: JsonObject, names: ReadonlyArray<string>): JsonObject =>
  Object.fromEntries(Object.entries(o).filter(([name]) => !names.includes(name)))

const describe = (value: unknown): string => (value === undefined ? "nothing" : JSON.stringify(value))

const formatPath = (path: ReadonlyArray<PropertyKey>): string =>
  path.reduce<string>(
    (out, key) => (typeof key === "number" ? `${out}[${key}]` : out === "" ? String(key) : `${out}.${String(key)}`),
    ""
  )

const decodeFields = <A, I>(
  schema: Schema.Schema<A, I>,
  body: JsonObject
): Either.Either<A, ReadonlyArray<FieldProblem>> =>
  Either.mapLeft(Schema.decodeUnknownEither(schema, { errors: "all" })(body), (error) => {
    const byName = new Map<string, Array<string>>()
    for (const issue of ParseResult.ArrayFormatter.formatErrorSync(error)) {
      const name = formatPath(issue.path) || "body"
      byName.set(name, [...(byName.get(name) ?? []), issue.message])
    }
    // An optional field that failed deeper down also reports "Expected undefined" at its own path: noise.
    const onlyOptionalMarker = (name: string, messages: ReadonlyArray<string>) =>
      messages.every((m) => m.startsWith("Expected undefined")) &&
      [...byName.keys()].some((other) => other.startsWith(`${name}[`) || other.startsWith(`${name}.`))
    return [...byName]
      .filter(([name, messages]) => !onlyOptionalMarker(name, messages))
      .map(([name, messages]) => ({ name, errorMessage: mergeAlternatives(messages) }))
  })

/**
 * One message per field from a union's alternatives: "Expected undefined" (the optional
 * marker) is dropped, and `Expected "open"` / `Expected "closed"` become `Expected "open" or "closed"`.
 */
const mergeAlternatives = (messages: ReadonlyArray<string>): string => {
  const meaningful = messages.filter((m) => !m.startsWith("Expected undefined"))
  const kept = meaningful.length > 0 ? meaningful : messages
  const parsed = kept.map((m) => /^Expected (.+), actual (.+)$/s.exec(m))
  if (parsed.length > 1 && parsed.every((m) => m !== null && m[2] === parsed[0]![2])) {
    return `Expected ${parsed.map((m) => m![1]).join(" or ")}, actual ${parsed[0]![2]}`
  }
  return [...new Set(kept)].join("; or ")
}

const checkCustomer = (body: JsonObject, context: ValidationContext, required: boolean): Array<FieldProblem> => {
  const id = body["customerId"]
  if (id === undefined && !required) return []
  return typeof id === "string" && !context.customerExists(id)
    ? [{ name: "customerId", errorMessage: `no customer with id ${id} exists in the CRM` }]
    : []
}

const checkTitle = (body: JsonObject, required: boolean): Array<FieldProblem> => {
  const title = body["title"]
  if (title === undefined && !required) return []
  return typeof title === "string" && title.trim() === ""
    ? [{ name: "title", errorMessage: "must not be empty" }]
    : []
}

const checkCustomProperties = (body: JsonObject, meta: KhorosObjectMeta): Array<FieldProblem> =>
  Object.entries(body).flatMap(([name, value]) => {
    if ((documentedCaseFields as ReadonlyArray<string>).includes(name)) return []
    const field = meta.fields.find((f) => f.name === name)
    if (field === undefined) {
      return [{ name, errorMessage: "is neither a case field nor a custom case property in /meta/object/case" }]
    }
    const problem = checkCustomValue(field, value)
    return problem === undefined ? [] : [{ name, errorMessage: problem }]
  })
