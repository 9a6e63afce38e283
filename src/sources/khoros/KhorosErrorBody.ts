import { Either, Schema } from "effect"
import type { ErrorBodyReader } from "../../http/JsonApiClient.js"

/** One refused field of a createCase/updateCase body, as the CRM names it. */
export const KhorosFieldError = Schema.Struct({ name: Schema.String, errorMessage: Schema.String })
export type KhorosFieldError = typeof KhorosFieldError.Type

/**
 * The CRM's error body (seed 003 for 400/401/404/500: `{error, message}`; createCase's 400
 * adds `fields`): `error` is a code such as `CUSTOMER_NOT_FOUND`, `message` is for people.
 */
export const KhorosErrorBody = Schema.Struct({
  error: Schema.String,
  message: Schema.String,
  fields: Schema.optional(Schema.Array(KhorosFieldError))
})
export type KhorosErrorBody = typeof KhorosErrorBody.Type

const decodeErrorBody = Schema.decodeUnknownEither(KhorosErrorBody)

/**
 * Reads a CRM error body for the shared request policy, which turns it into its typed
 * errors: the code and message become `serverMessage` (`CUSTOMER_NOT_FOUND: No customer…`),
 * `fields` become `fieldErrors`. A body of another shape keeps whatever text it has.
 */
export const readKhorosErrorBody: ErrorBodyReader = (body) => {
  const decoded = decodeErrorBody(body)
  if (Either.isRight(decoded)) {
    const { error, fields, message } = decoded.right
    return {
      message: `${error}: ${message}`,
      fieldErrors: (fields ?? []).map((f) => ({ field: f.name, message: f.errorMessage }))
    }
  }
  if (typeof body === "object" && body !== null) {
    const { error, message } = body as Record<string, unknown>
    const parts = [error, message].filter((part): part is string => typeof part === "string" && part !== "")
    return { message: parts.length > 0 ? parts.join(": ") : JSON.stringify(body).slice(0, 300), fieldErrors: [] }
  }
  return { message: undefined, fieldErrors: [] }
}
