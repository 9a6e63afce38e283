import { Either, Schema } from "effect"
import { ErrorBody } from "../domain/peach/index.js"
import type { ErrorBodyReader } from "../http/JsonApiClient.js"

const decodeErrorBody = Schema.decodeUnknownEither(ErrorBody)

/**
 * Reads a Peach-style error body `{status, message, errors?: [{field, message}]}`
 * for the shared request policy: `message` becomes the server message, `errors`
 * the per-field messages of an `Invalid` or `Conflict`. Other shapes keep their text.
 */
export const readPeachErrorBody: ErrorBodyReader = (body) => {
  const decoded = decodeErrorBody(body)
  if (Either.isRight(decoded)) {
    return { message: decoded.right.message ?? undefined, fieldErrors: decoded.right.errors ?? [] }
  }
  if (typeof body === "string") return { message: body.slice(0, 300), fieldErrors: [] }
  return { message: JSON.stringify(body).slice(0, 300), fieldErrors: [] }
}
