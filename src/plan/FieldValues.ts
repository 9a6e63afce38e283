import { Option } from "effect"
import { segmentsOf } from "../mapping/SourcePath.js"
import type { OwnedValues } from "./Plan.js"

/** An offset date-time, as the target returns it and as mappings produce it: compared (and hashed) as an instant. */
export const offsetDateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i

const canonical = (value: unknown): unknown => {
  if (value === undefined) return null
  if (Array.isArray(value)) return value.map(canonical)
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value).sort().map((key) => [key, canonical((value as Record<string, unknown>)[key])])
    )
  }
  return value
}

/**
 * Whether two values of one owned field mean the same thing. Absent and null are
 * the same; two date-times are the same instant whatever offset they are written
 * in (the target may normalise `-05:00` to `Z`, which must not look like a change).
 */
export const sameValue = (a: unknown, b: unknown): boolean => {
  if (typeof a === "string" && typeof b === "string" && offsetDateTime.test(a) && offsetDateTime.test(b)) {
    return Date.parse(a) === Date.parse(b)
  }
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b))
}

/** Reads a dotted path (`customFields.crmNumber`) out of an object; absent is `Option.none`. */
export const readPath = (source: unknown, path: string): Option.Option<unknown> => {
  let current: unknown = source
  for (const segment of path.split(".")) {
    if (current === null || typeof current !== "object" || !(segment in current)) return Option.none()
    current = (current as Record<string, unknown>)[segment]
  }
  return Option.some(current)
}

/** `Option.getOrNull(readPath(source, path))` without the Option: what runs once per owned field of every create. */
export const readPathOrNull = (source: unknown, path: string): unknown => {
  let current: unknown = source
  for (const segment of segmentsOf(path)) {
    if (current === null || typeof current !== "object" || !(segment in current)) return null
    current = (current as Record<string, unknown>)[segment]
  }
  return current
}

/** The owned fields of a target case, flattened to the mapping's dotted paths. */
export const ownedValuesOf = (target: unknown, fields: ReadonlyArray<string>): OwnedValues =>
  Object.fromEntries(fields.map((field) => [field, readPathOrNull(target, field)]))

/**
 * Builds the body of an update that changes exactly `changes`. Nested objects
 * (`customFields`, `metaData`) are sent whole, starting from the target's current
 * object, so keys the mapping does not own keep their values whatever the server's
 * merge rule is.
 */
export const updateBodyFor = (
  target: Readonly<Record<string, unknown>>,
  changes: ReadonlyArray<{ readonly field: string; readonly after: unknown }>
): Record<string, unknown> => {
  const body: Record<string, unknown> = {}
  for (const { after, field } of changes) {
    const segments = field.split(".")
    const head = segments[0]!
    if (segments.length === 1) {
      body[head] = after
      continue
    }
    if (!(head in body)) {
      const current = target[head]
      body[head] = structuredClone(current !== null && typeof current === "object" ? current : {})
    }
    let cursor = body[head] as Record<string, unknown>
    for (const segment of segments.slice(1, -1)) {
      if (cursor[segment] === null || typeof cursor[segment] !== "object") cursor[segment] = {}
      cursor = cursor[segment] as Record<string, unknown>
    }
    cursor[segments[segments.length - 1]!] = after
  }
  return body
}

/** Whether `found` holds every value of `wanted` (field by field with `sameValue`). */
export const holdsValues = (found: OwnedValues, wanted: OwnedValues): boolean =>
  Object.keys(wanted).every((field) => sameValue(found[field], wanted[field]))
