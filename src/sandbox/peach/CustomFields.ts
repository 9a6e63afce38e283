import { Either, Schema } from "effect"
import { type CaseType, type CustomFieldSchema, IsoDate, OffsetDateTime } from "../../domain/peach/index.js"
import type { FieldError } from "../ApiError.js"

const isIsoDate = Schema.is(IsoDate)
const isOffsetDateTime = Schema.is(OffsetDateTime)

const describe = (value: unknown): string => JSON.stringify(value) ?? String(value)

/** Why one custom field value does not fit its definition, if it does not. */
const valueProblem = (definition: CustomFieldSchema, value: unknown): string | undefined => {
  switch (definition.type) {
    case "string":
      if (typeof value !== "string") return `must be a string, got ${describe(value)}`
      break
    case "number":
      if (typeof value !== "number" || !Number.isFinite(value)) return `must be a number, got ${describe(value)}`
      break
    case "integer":
      if (typeof value !== "number" || !Number.isInteger(value)) return `must be an integer, got ${describe(value)}`
      break
    case "boolean":
      if (typeof value !== "boolean") return `must be true or false, got ${describe(value)}`
      break
    case "date":
      if (typeof value !== "string" || !isIsoDate(value)) return `must be a date YYYY-MM-DD, got ${describe(value)}`
      break
    case "dateTime":
      if (typeof value !== "string" || !isOffsetDateTime(value)) {
        return `must be an ISO 8601 date-time with a timezone or UTC offset, got ${describe(value)}`
      }
      break
    case "enum":
      if (typeof value !== "string" || !(definition.values ?? []).includes(value)) {
        return `value ${describe(value)} is not allowed; allowed: ${(definition.values ?? []).join(", ")}`
      }
      break
  }
  if (definition.maxLength !== undefined && typeof value === "string" && value.length > definition.maxLength) {
    return `is too long: ${value.length} characters, at most ${definition.maxLength}`
  }
  return undefined
}

/**
 * Checks a case's `customFields` against the `customFieldSchemas` of its case type
 * version: no unknown key, each value of its type, enum values allowed, strings within
 * `maxLength`, every required field present and not null. Errors name
 * `customFields.<name>`; a null value clears an optional field.
 */
export const checkCustomFields = (
  values: Readonly<Record<string, unknown>> | null | undefined,
  caseType: CaseType
): Either.Either<Readonly<Record<string, unknown>>, ReadonlyArray<FieldError>> => {
  const definitions = caseType.customFieldSchemas ?? []
  const byName = new Map(definitions.map((d) => [d.name, d]))
  const given = values ?? {}
  const errors: Array<FieldError> = []
  for (const [name, value] of Object.entries(given)) {
    const definition = byName.get(name)
    if (definition === undefined) {
      errors.push({
        field: `customFields.${name}`,
        message: `unknown custom field for case type ${caseType.id} version ${caseType.version}; known: ${
          definitions.map((d) => d.name).join(", ") || "none"
        }`
      })
      continue
    }
    if (value === null) continue
    const problem = valueProblem(definition, value)
    if (problem !== undefined) errors.push({ field: `customFields.${name}`, message: problem })
  }
  for (const definition of definitions) {
    if (definition.required === true && (given[definition.name] === undefined || given[definition.name] === null)) {
      errors.push({
        field: `customFields.${definition.name}`,
        message: `is required by case type ${caseType.id} version ${caseType.version}`
      })
    }
  }
  return errors.length > 0 ? Either.left(errors) : Either.right(given)
}
