import { Data, ParseResult } from "effect"

/** One refused field of a request, named by its path (`customFields.crmNumber`, `openedAt`). */
export interface FieldError {
  readonly field: string
  readonly message: string
}

/**
 * An HTTP error a sandbox route answers with. It is API-neutral: each group renders
 * it in its own error body shape (`SandboxGroup.renderError`).
 */
export class ApiError extends Data.TaggedError("ApiError")<{
  readonly status: number
  readonly message: string
  readonly errors?: ReadonlyArray<FieldError>
  readonly headers?: Readonly<Record<string, string>>
}> {}

/** 400 with per-field messages. */
export const invalid = (message: string, errors: ReadonlyArray<FieldError>): ApiError =>
  new ApiError({ status: 400, message, errors })

/** 400 naming one field. */
export const invalidField = (field: string, message: string): ApiError =>
  new ApiError({ status: 400, message: `${field}: ${message}`, errors: [{ field, message }] })

/** 404 saying what was not found. */
export const notFound = (message: string): ApiError => new ApiError({ status: 404, message })

/** 409 saying what collides. */
export const conflict = (message: string, errors?: ReadonlyArray<FieldError>): ApiError =>
  new ApiError({ status: 409, message, ...(errors ? { errors } : {}) })

/**
 * Turns a schema decoding failure into field errors, one per path, using the schema's
 * issue paths (`customFields`, `matchDetails.ssnMatch`, `people.0`); alternatives on the
 * same path (e.g. `string | null`) are merged into one message, without the null/undefined ones.
 */
export const fieldErrors = (error: ParseResult.ParseError, root?: string): ReadonlyArray<FieldError> => {
  const byField = new Map<string, Array<string>>()
  for (const issue of ParseResult.ArrayFormatter.formatErrorSync(error)) {
    const path = [...(root === undefined ? [] : [root]), ...issue.path.map(String)].join(".")
    const field = path === "" ? "body" : path
    const messages = byField.get(field) ?? []
    if (!messages.includes(issue.message)) messages.push(issue.message)
    byField.set(field, messages)
  }
  // `X | null` and optional fields add "Expected null/undefined" alternatives: noise when X said why.
  const noise = /^Expected (null|undefined), actual /
  const fields = [...byField.keys()]
  return [...byField].flatMap(([field, messages]) => {
    const meaningful = messages.filter((m) => !noise.test(m))
    // A nested field already says what is wrong inside this one.
    if (meaningful.length === 0 && fields.some((f) => f.startsWith(`${field}.`))) return []
    return [{ field, message: mergeAlternatives(meaningful.length > 0 ? meaningful : messages) }]
  })
}

/** `Expected "a", actual "x"` + `Expected "b", actual "x"` → `Expected "a" | "b", actual "x"` (enum literals). */
const mergeAlternatives = (messages: ReadonlyArray<string>): string => {
  const parts = messages.map((m) => /^Expected (.+), actual (.+)$/s.exec(m))
  const actual = parts[0]?.[2]
  if (parts.length > 1 && parts.every((p) => p !== null && p[2] === actual)) {
    return `Expected ${parts.map((p) => p![1]).join(" | ")}, actual ${actual}`
  }
  return messages.join("; or ")
}
