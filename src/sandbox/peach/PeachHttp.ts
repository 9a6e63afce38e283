import { HttpRouter, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Effect, Either, Schema } from "effect"
import { type ApiError, fieldErrors, invalid, invalidField } from "../ApiError.js"
import type { SandboxCredentials } from "../SandboxOptions.js"

/** `Authorization: Bearer <token>` or `X-API-KEY: <key>` (PEACH_ROUTES.md, Auth). */
export const authorizePeach = (
  request: HttpServerRequest.HttpServerRequest,
  credentials: SandboxCredentials
): boolean => {
  const authorization = request.headers["authorization"]
  const bearer = authorization === undefined ? undefined : /^Bearer\s+(.+)$/i.exec(authorization)?.[1]?.trim()
  return bearer === credentials.token || request.headers["x-api-key"] === credentials.apiKey
}

/** The Peach-style error body `{status, message, errors?}`, with the error's headers (e.g. `Retry-After`). */
export const renderPeachError = (error: ApiError): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.unsafeJson(
    {
      status: error.status,
      message: error.message,
      ...(error.errors === undefined ? {} : { errors: error.errors })
    },
    { status: error.status, ...(error.headers === undefined ? {} : { headers: error.headers }) }
  )

/** 204, no body. */
export const noContent = HttpServerResponse.empty({ status: 204 })

/**
 * The JSON body decoded with a contract schema; a body that is not JSON or does not
 * match answers 400 with one message per field, named by the schema's issue path.
 */
export const decodeBody = <A, I>(schema: Schema.Schema<A, I>, what: string) =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const json = yield* Effect.mapError(
      request.json,
      () => invalidField("body", "the request body must be a JSON object")
    )
    const decoded = Schema.decodeUnknownEither(schema, { errors: "all" })(json)
    if (Either.isLeft(decoded)) {
      const errors = fieldErrors(decoded.left)
      return yield* Effect.fail(
        invalid(`Invalid ${what}: ${errors.map((e) => `${e.field}: ${e.message}`).join("; ")}`, errors)
      )
    }
    return decoded.right
  })

/** A path parameter of the matched route (always present: the router matched it). */
export const pathParam = (name: string) => Effect.map(HttpRouter.params, (params) => params[name] ?? "")

/** The query string, one value per name (a repeated name keeps every value). */
export const queryParams = HttpServerRequest.ParsedSearchParams

/** The single value of a query parameter; a repeated one answers 400. */
export const singleQuery = (
  query: Readonly<Record<string, string | ReadonlyArray<string>>>,
  name: string
): Either.Either<string | undefined, ApiError> => {
  const value = query[name]
  if (value === undefined || typeof value === "string") return Either.right(value)
  return Either.left(invalidField(name, "given more than once"))
}
